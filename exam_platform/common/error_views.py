"""The 403, 404 and 500 pages (handler403/404/500 in exam_platform/urls.py).

403 is also where anonymous visitors of staff pages are sent to the login page: every staff area
refuses an anonymous user with PermissionDenied from its access.py helper, and that refusal ends
here, so one place turns it into a redirect to the login page with ?next= back to the page.
"""

import logging

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def permission_denied(request, exception=None):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The styled page with the request's context; if rendering that fails too (the error may be in
    a context processor or the database), the same template without it."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the styled 500 page could not be rendered; sending it without context")
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        return HttpResponseServerError(
            "<h1>500</h1><p>ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง · Server error, please try again.</p>"
        )
