import datetime as dt
from io import StringIO

from django.core.management import call_command

from exam_platform.accounts.models import ActivationCode, User
from exam_platform.common.models import AuditEntry
from tests.factories import make_candidate


def test_revoke_birth_date_passwords_only_touches_the_guessable_ones(db):
    guessable = make_candidate(date_of_birth=dt.date(1995, 5, 17))
    guessable.user.set_password("17052538" + guessable.national_id[-4:])
    guessable.user.save()
    own = make_candidate(date_of_birth=dt.date(1995, 5, 17))

    dry = StringIO()
    call_command("revoke_birth_date_passwords", "--dry-run", stdout=dry)
    assert "1 candidate(s)" in dry.getvalue()
    assert User.objects.get(pk=guessable.user_id).has_usable_password()

    call_command("revoke_birth_date_passwords", stdout=StringIO())

    assert not User.objects.get(pk=guessable.user_id).has_usable_password()
    assert User.objects.get(pk=own.user_id).has_usable_password()
    assert list(ActivationCode.objects.usable().values_list("user_id", flat=True)) == [guessable.user_id]
    assert AuditEntry.objects.order_by("-seq").first().after == {"candidates": 1, "activation_codes": 1}
