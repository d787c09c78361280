from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from exam_platform.accounts.home import home
from exam_platform.common import views as common_views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("exam_platform.accounts.urls")),
    path("qb/", include("question_bank.urls")),
    path("exam/", include("exam_platform.delivery.urls")),
    path("scoring/", include("exam_platform.scoring.urls")),
    path("", include("exam_platform.publication.urls")),
    path("eligibility/", include("exam_platform.eligibility.urls")),
    path("audit/", include("exam_platform.common.audit_urls")),
    path("admin/", admin.site.urls),
]
# Styled error pages (common/error_views.py); an anonymous visitor refused a page goes to the login.
handler403 = "exam_platform.common.error_views.permission_denied"
handler404 = "exam_platform.common.error_views.page_not_found"
handler500 = "exam_platform.common.error_views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
