from django.shortcuts import redirect
from django.urls import reverse

# Paths a staff member who has logged in with a password but not yet passed two-factor may reach.
_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/healthz", "/verify/", "/accounts/")


class StaffTwoFactorMiddleware:
    """Every staff page requires a verified two-factor device (django-otp's request.user.is_verified()).

    Staff without a device are sent to enrol; staff with one are sent to enter a code. Candidates
    are not affected. Must come after django_otp.middleware.OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "requires_two_factor", False)
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            from django_otp import devices_for_user

            target = "accounts:otp_verify" if any(devices_for_user(user)) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
