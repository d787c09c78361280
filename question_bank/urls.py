from django.urls import path  # noqa: F401 - each area adds its routes below

app_name = "qb"

urlpatterns = [
    # banks and item lists (views/banks.py)
    # item editor, preview, history (views/items.py)
    # review queue (views/review.py)
    # import / export (views/transfer.py)
    # papers (views/papers.py)
]
