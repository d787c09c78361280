from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from exam_platform.accounts.roles import ROLE_LABELS, user_roles


@login_required
def home(request):
    """Candidates go straight to their exams; staff get their areas (the same links as the menu)."""
    if request.user.is_candidate:
        return redirect("delivery:candidate_home")
    roles = sorted(user_roles(request.user))
    return render(
        request,
        "common/home.html",
        {"role_labels": [ROLE_LABELS[r] for r in roles if r in ROLE_LABELS]},
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
