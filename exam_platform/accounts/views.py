import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import INVALID_CODE, BackupCodeForm, LoginForm, ReauthForm, TotpTokenForm
from .reauth import is_recently_reauthenticated, mark_reauthenticated
from .services import two_factor


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


# --- Two-factor (staff) -------------------------------------------------------------------
# The session holds the id of the TOTP device being enrolled, so a secret shown in one session
# can only be confirmed from that session.
_PENDING_DEVICE_KEY = "accounts_pending_totp_id"


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _throttled_message(result) -> str:
    seconds = max(1, int((result.locked_until - timezone.now()).total_seconds() + 0.999))
    return _(
        "ลองผิดหลายครั้งเกินไป กรุณารอ %(seconds)d วินาทีแล้วลองใหม่ "
        "(Too many wrong codes; wait %(seconds)d seconds and try again)."
    ) % {"seconds": seconds}


def _redirect_with_next(view_name: str, next_url: str):
    return redirect(f"{reverse(view_name)}?{urlencode({'next': next_url})}")


def _mark_verified(request, device) -> None:
    """Raise the session to verified: new session key (no fixation across the privilege change)."""
    request.session.cycle_key()
    otp_login(request, device)


def _render_backup_codes(request, codes, *, continue_url):
    response = render(request, "accounts/backup_codes.html", {"codes": codes, "continue_url": continue_url})
    response["Cache-Control"] = "no-store"
    return response


def _qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code: whole-pixel modules (4 px), scalable (viewBox)."""
    import segno

    qr = segno.make(device.config_url, error="m")
    width, height = qr.symbol_size(scale=4, border=4)
    svg = qr.svg_inline(border=4, dark="#000000", light="#ffffff", svgclass="qr-code", omitsize=True)
    svg = svg.replace("<svg ", f'<svg width="{width}" height="{height}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; it contains no user-supplied text


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _pending_device(request) -> TOTPDevice | None:
    pk = request.session.get(_PENDING_DEVICE_KEY)
    if not pk:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


@never_cache
@login_required
def otp_setup(request):
    """Enrol an authenticator app: QR code + secret, confirm with a code, show backup codes once.

    First enrolment needs only the password login. Replacing an existing authenticator needs a
    verified session and a recent password re-entry (the settings page asks for it).
    """
    user = request.user
    if not user.requires_two_factor:
        return redirect("home")
    if user_has_device(user, confirmed=True):
        if not user.is_verified():
            return redirect(
                f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        if not is_recently_reauthenticated(request):
            messages.info(request, _("กรุณายืนยันรหัสผ่านอีกครั้งก่อนเปลี่ยนแอปยืนยันตัวตน"))
            return redirect("accounts:two_factor_settings")

    device = _pending_device(request)
    form = TotpTokenForm(request.POST or None)
    # The page starts with instructions and the QR code: do not jump a screen reader past them.
    form.fields["token"].widget.attrs.pop("autofocus", None)
    if request.method == "POST":
        if device is None:
            messages.error(
                request, _("การลงทะเบียนหมดอายุ กรุณาสแกนรหัส QR ใหม่ (Enrolment expired; scan the new QR code).")
            )
            return redirect(request.get_full_path())
        if form.is_valid():
            token = form.cleaned_data["token"]
            result = two_factor.confirm_totp_enrolment(device, token=token, request=request)
            if result.ok:
                request.session.pop(_PENDING_DEVICE_KEY, None)
                _mark_verified(request, result.device)
                next_url = _next_url(request)
                if result.backup_codes:
                    return _render_backup_codes(request, result.backup_codes, continue_url=next_url)
                messages.success(request, _("ลงทะเบียนแอปยืนยันตัวตนเรียบร้อยแล้ว"))
                return redirect(next_url)
            if result.locked_until:
                form.add_error(None, _throttled_message(result))
            else:
                form.add_error("token", INVALID_CODE)
    elif device is None:
        device = two_factor.start_totp_enrolment(user, request=request)
        request.session[_PENDING_DEVICE_KEY] = device.pk

    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret_grouped": _grouped_secret(device),
            "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
            "account_name": user.get_username(),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def otp_verify(request):
    """Second step of a staff login: a code from the authenticator app, or a backup code."""
    user = request.user
    if not user.requires_two_factor or user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(user, confirmed=True):
        return _redirect_with_next("accounts:otp_setup", _next_url(request))

    has_backup = two_factor.backup_device(user) is not None
    has_totp = two_factor.confirmed_totp_device(user) is not None
    method = (request.POST.get("method") or request.GET.get("method") or "totp").strip()
    if method != "backup" or not has_backup:
        method = "totp" if has_totp else "backup"
    form_class = BackupCodeForm if method == "backup" else TotpTokenForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify_second_factor(
            user, method=method, token=form.cleaned_data["token"], request=request
        )
        if result.ok:
            _mark_verified(request, result.device)
            if method == "backup":
                remaining = result.device.unused_codes().count()
                messages.warning(
                    request,
                    _("ใช้รหัสสำรองแล้ว เหลืออีก %(count)d รหัส สร้างชุดใหม่ได้ที่หน้าการยืนยันตัวตนสองขั้นตอน")
                    % {"count": remaining},
                )
            return redirect(_next_url(request))
        if result.locked_until:
            form.add_error(None, _throttled_message(result))
        else:
            form.add_error("token", INVALID_CODE)

    next_url = _next_url(request)
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "method": method,
            "has_backup": has_backup,
            "has_totp": has_totp,
            "next": next_url,
            "switch_url": f"{reverse('accounts:otp_verify')}?"
            + urlencode({"method": "totp" if method == "backup" else "backup", "next": next_url}),
        },
    )


def _staff_verified_only(request):
    """None when the request may use the settings pages, else the redirect to send instead."""
    user = request.user
    if not user.requires_two_factor:
        return redirect("home")
    if not user.is_verified():  # the middleware catches this first; kept so the view is safe alone
        return _redirect_with_next("accounts:otp_verify", request.get_full_path())
    return None


def _render_settings(request, *, reauth_form, status=200):
    user = request.user
    backup = two_factor.backup_device(user)
    return render(
        request,
        "accounts/two_factor_settings.html",
        {
            "totp_devices": TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"),
            "backup_device": backup,
            "backup_remaining": backup.unused_codes().count() if backup else 0,
            "backup_total": two_factor.BACKUP_CODE_COUNT,
            "reauth_fresh": is_recently_reauthenticated(request),
            "reauth_minutes": settings.REAUTH_WINDOW_SECONDS // 60,
            "reauth_form": reauth_form,
        },
        status=status,
    )


@never_cache
@login_required
def two_factor_settings(request):
    """The staff member's devices; changes need a recent password re-entry."""
    refused = _staff_verified_only(request)
    if refused:
        return refused
    form = ReauthForm(request=request)
    form.fields["password"].widget.attrs.pop("autofocus", None)  # the device list comes first
    return _render_settings(request, reauth_form=form)


@never_cache
@login_required
@require_POST
def two_factor_reauth(request):
    """Password re-entry; opens the REAUTH_WINDOW_SECONDS window for two-factor changes."""
    refused = _staff_verified_only(request)
    if refused:
        return refused
    form = ReauthForm(request.POST, request=request)
    if not form.is_valid():
        return _render_settings(request, reauth_form=form, status=400)
    mark_reauthenticated(request)
    minutes = settings.REAUTH_WINDOW_SECONDS // 60
    messages.success(request, _("ยืนยันรหัสผ่านแล้ว แก้ไขการตั้งค่าได้ภายใน %(minutes)d นาที") % {"minutes": minutes})
    return redirect("accounts:two_factor_settings")


@never_cache
@login_required
@require_POST
def backup_codes_regenerate(request):
    refused = _staff_verified_only(request)
    if refused:
        return refused
    if not is_recently_reauthenticated(request):
        messages.error(request, _("กรุณายืนยันรหัสผ่านอีกครั้งก่อน (Please re-enter your password first)."))
        return redirect("accounts:two_factor_settings")
    codes = two_factor.regenerate_backup_codes(request.user, request=request)
    return _render_backup_codes(request, codes, continue_url=reverse("accounts:two_factor_settings"))
