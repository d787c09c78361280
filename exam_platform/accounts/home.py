"""The site's home page: candidates go straight to their exams; staff see their roles and areas."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .roles import ROLE_LABELS, user_roles


@login_required
def home(request):
    """Staff get their areas: the same links as the main menu (`main_nav`)."""
    if request.user.is_candidate:
        return redirect("delivery:candidate_home")
    roles = sorted(user_roles(request.user))
    return render(
        request,
        "common/home.html",
        {"role_labels": [ROLE_LABELS[r] for r in roles if r in ROLE_LABELS]},
    )
