from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

# Paths anyone may reach before two-factor (assets, language switch, health check, the public
# verification pages and published rank lists).
_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz", "/verify/", "/lists/")
# The views a staff member who has passed the password step needs to pass the second one. Exact
# paths, not the whole /accounts/ prefix: the two-factor settings page must stay behind verification.
_OPEN_VIEWS = ("accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify")


class StaffTwoFactorMiddleware:
    """Every staff page requires a verified two-factor device (django-otp's request.user.is_verified()).

    Staff without a confirmed device are sent to enrol; staff with one are sent to enter a code,
    with ?next= back to where they were going. Candidates are never asked. Must come after
    django_otp.middleware.OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "requires_two_factor", False)
            and not user.is_verified()
            and not self._is_open(request.path)
        ):
            target = "accounts:otp_verify" if user_has_device(user, confirmed=True) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        return path.startswith(_OPEN_PREFIXES) or path in {reverse(name) for name in _OPEN_VIEWS}
