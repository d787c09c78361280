"""The first-login page (เปิดใช้งานบัญชีครั้งแรก): national ID + activation code, then a password.

Step 1 checks the code (services.activation.find_activation_code) and keeps only the code's id in
a fresh session (cycle_key); step 2 sets the password, uses the code and logs the candidate in.
Wrong codes count as failed logins for django-axes under the same (national ID, address) as the
login page, so guessing here and there shares one limit, and the lockout page is the same. The
error never says whether the national ID exists. The code never reaches a log or the audit chain
(settings.AXES_SENSITIVE_PARAMETERS masks it in axes' records).
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from exam_platform.common.national_id import mask_national_id

from .activation_forms import WRONG_CODE, ActivationCodeForm, NewPasswordForm
from .lockout import lockout_response, lockout_username
from .models import ActivationCode
from .services.activation import ActivationError, activate_account, find_activation_code

SESSION_KEY = "accounts_activation"
PASSWORD_STEP_SECONDS = 15 * 60
LOGIN_BACKEND = "exam_platform.accounts.backends.NationalIdOrUsernameBackend"


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    form = ActivationCodeForm(request.POST or None)
    if request.method == "POST":
        credentials = {settings.AXES_USERNAME_FORM_FIELD: lockout_username(request) or ""}
        if AxesProxyHandler.is_locked(request, credentials):
            return lockout_response(request, credentials=credentials)
        code = None
        if form.is_valid():
            code = find_activation_code(form.cleaned_data["username"], form.cleaned_data["activation_code"])
        if code is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = {"code": code.pk, "at": time.time()}
            return redirect("accounts:activate_password")
        if request.POST.get("username") and request.POST.get("activation_code"):
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request, credentials=credentials)
            form.errors.pop("activation_code", None)
            form.add_error(None, WRONG_CODE)
    response = render(request, "accounts/activate.html", {"form": form}, status=400 if form.errors else 200)
    return _no_store(response)


def _pending_code(request) -> ActivationCode | None:
    state = request.session.get(SESSION_KEY) or {}
    if time.time() - float(state.get("at") or 0) > PASSWORD_STEP_SECONDS:
        return None
    code = ActivationCode.objects.select_related("user").filter(pk=state.get("code")).first()
    return code if code is not None and code.is_usable else None


def _start_again(request):
    request.session.pop(SESSION_KEY, None)
    messages.error(request, _("หมดเวลาหรือรหัสเปิดใช้งานใช้ไม่ได้แล้ว โปรดกรอกเลขประจำตัวประชาชนและรหัสอีกครั้ง"))
    return redirect("accounts:activate")


@never_cache
@require_http_methods(["GET", "POST"])
def activate_password(request):
    code = _pending_code(request)
    if code is None:
        return _start_again(request)
    form = NewPasswordForm(code.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = activate_account(code, password=form.cleaned_data["new_password1"], request=request)
        except ActivationError:
            return _start_again(request)
        request.session.pop(SESSION_KEY, None)
        login(request, user, backend=LOGIN_BACKEND)
        messages.success(request, _("เปิดใช้งานบัญชีแล้ว ครั้งต่อไปเข้าสู่ระบบด้วยเลขประจำตัวประชาชนและรหัสผ่านที่ตั้งไว้"))
        return redirect(settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "display_name": code.user.display_name,
        "masked_id": mask_national_id(code.user.username),
    }
    response = render(request, "accounts/activate_password.html", context, status=400 if form.errors else 200)
    return _no_store(response)
