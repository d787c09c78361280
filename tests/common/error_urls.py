"""The project's URLs plus a view that fails, for the 500 page tests (ROOT_URLCONF override)."""

from django.urls import path

from exam_platform.urls import handler403, handler404, handler500  # noqa: F401  (read from ROOT_URLCONF)
from exam_platform.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
