from django.urls import path

from .views import banks, booklets, bulk, items, media, papers, review, transfer

app_name = "qb"

urlpatterns = [
    # banks and item lists (views/banks.py)
    path("", banks.home, name="home"),
    path("banks/new/", banks.bank_new, name="bank_new"),
    path("banks/<int:bank_id>/", banks.bank_detail, name="bank"),
    path("banks/<int:bank_id>/members/", banks.bank_members, name="bank_members"),
    path("banks/<int:bank_id>/items/", banks.item_list, name="items"),
    path("banks/<int:bank_id>/items/bulk/", bulk.bulk_action, name="items_bulk"),
    path("banks/<int:bank_id>/members/add/", banks.member_add, name="member_add"),
    path("banks/<int:bank_id>/members/<int:membership_id>/role/", banks.member_role, name="member_role"),
    path(
        "banks/<int:bank_id>/members/<int:membership_id>/remove/", banks.member_remove, name="member_remove"
    ),
    path("banks/<int:bank_id>/media/upload/", media.media_upload, name="media_upload"),
    path("media/<uuid:uid>/", media.serve_media, name="media"),
    # item editor, preview, history (views/items.py)
    path("banks/<int:bank_id>/items/new/", items.item_new, name="item_new"),
    path("banks/<int:bank_id>/items/preview/", items.item_preview, name="item_preview"),
    path("items/<int:item_id>/", items.item_detail, name="item"),
    path("items/<int:item_id>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:item_id>/history/", items.item_history, name="item_history"),
    # review queue (views/review.py)
    path("banks/<int:bank_id>/review/", review.review_queue, name="review_queue"),
    path("items/<int:item_id>/transition/", review.item_transition, name="item_transition"),
    # import / export (views/transfer.py)
    path("banks/<int:bank_id>/import/", transfer.import_page, name="import"),
    path("banks/<int:bank_id>/export/", transfer.export_page, name="export"),
    path("banks/<int:bank_id>/export/template.xlsx", transfer.excel_template, name="excel_template"),
    path("imports/<int:job_id>/", transfer.import_job, name="import_job"),
    path("imports/<int:job_id>/status/", transfer.import_status, name="import_status"),
    # papers (views/papers.py)
    path("banks/<int:bank_id>/papers/", papers.paper_list, name="papers"),
    path("banks/<int:bank_id>/papers/new/", papers.paper_new, name="paper_new"),
    path("banks/<int:bank_id>/papers/availability/", papers.paper_availability, name="paper_availability"),
    path("banks/<int:bank_id>/enemies/", papers.enemy_groups, name="enemy_groups"),
    path(
        "banks/<int:bank_id>/enemies/<int:group_id>/delete/",
        papers.enemy_group_delete,
        name="enemy_group_delete",
    ),
    path("papers/<int:paper_id>/", papers.paper_detail, name="paper"),
    path("papers/<int:paper_id>/edit/", papers.paper_edit, name="paper_edit"),
    path("papers/<int:paper_id>/sections/add/", papers.section_add, name="section_add"),
    path("papers/<int:paper_id>/sections/<int:section_id>/", papers.section_edit, name="section_edit"),
    path(
        "papers/<int:paper_id>/sections/<int:section_id>/remove/",
        papers.section_remove,
        name="section_remove",
    ),
    path("papers/<int:paper_id>/sections/<int:section_id>/rules/add/", papers.rule_add, name="rule_add"),
    path("papers/<int:paper_id>/rules/<int:rule_id>/", papers.rule_edit, name="rule_edit"),
    path("papers/<int:paper_id>/rules/<int:rule_id>/remove/", papers.rule_remove, name="rule_remove"),
    path("papers/<int:paper_id>/lock/", papers.paper_lock, name="paper_lock"),
    path("papers/<int:paper_id>/clone/", papers.paper_clone, name="paper_clone"),
    path("papers/<int:paper_id>/preview/", papers.paper_preview, name="paper_preview"),
    # booklet and answer-key PDFs (views/booklets.py)
    path("papers/<int:paper_id>/booklet.pdf", booklets.booklet_pdf, name="booklet"),
    path("papers/<int:paper_id>/answer-key.pdf", booklets.answer_key_pdf, name="answer_key"),
]
