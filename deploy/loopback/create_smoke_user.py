"""Create (or reset) the candidate the loopback smoke test logs in as.

Run through `manage.py shell < deploy/loopback/create_smoke_user.py` with SMOKE_USERNAME (a valid
13-digit national ID) and SMOKE_PASSWORD in the environment. Candidates need no two-factor device,
so the smoke test can log in with a password alone. Deploy-only code: not part of the application.
"""

import datetime
import os

from django.db import transaction

from exam_platform.accounts.models import Candidate, User

username = os.environ["SMOKE_USERNAME"]
password = os.environ["SMOKE_PASSWORD"]

with transaction.atomic():
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"kind": User.Kind.CANDIDATE, "is_active": True, "is_staff": False, "is_superuser": False},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    Candidate.objects.update_or_create(
        user=user,
        defaults={
            "national_id": username,
            "title": Candidate.Title.MISS,
            "first_name_th": "ทดสอบ",
            "last_name_th": "ระบบ",
            "date_of_birth": datetime.date(1995, 1, 1),
        },
    )
print(f"smoke user {username} ready")
