from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


# Placeholders replaced by the two-factor work: enrolment and verification views.
def otp_setup(request):
    from django.http import HttpResponse

    return HttpResponse("two-factor enrolment", status=501)


def otp_verify(request):
    from django.http import HttpResponse

    return HttpResponse("two-factor verification", status=501)
