"""Upgrade step: candidates still holding the old guessable initial password lose it and get a code.

Roster imports before activation codes set every new candidate's password to their date of birth
(ddmmyyyy, Buddhist Era) followed by the last four digits of their national ID. Anyone who knows
the candidate can guess it. This command finds candidates whose password is still exactly that,
makes it unusable and issues each an activation code (printed on their admission card; officers can
e-mail it), with one audit entry. It checks one password hash per candidate (≈ 0.25 s each: about
20 minutes for 5,000), so it runs here, not in the worker. Run it once after upgrading, well before
an exam day: an affected candidate must activate again before they can log in.
"""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand
from django.db import transaction

from exam_platform.accounts.models import Candidate, User
from exam_platform.accounts.services.activation import issue_activation_codes
from exam_platform.common.audit import record_audit

BUDDHIST_ERA_OFFSET = 543


def _old_initial_password(candidate: Candidate) -> str:
    """The formula being revoked; only ever compared against, never set."""
    dob = candidate.date_of_birth
    return f"{dob.day:02d}{dob.month:02d}{dob.year + BUDDHIST_ERA_OFFSET}{candidate.national_id[-4:]}"


class Command(BaseCommand):
    help = "Revoke passwords equal to the old date-of-birth initial password; issue activation codes."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count them")

    def handle(self, *args, dry_run, **options):
        candidates = Candidate.objects.select_related("user").exclude(
            user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        )
        guessable = [
            c for c in candidates.iterator(chunk_size=500) if c.user.check_password(_old_initial_password(c))
        ]
        self.stdout.write(f"{len(guessable)} candidate(s) still hold the date-of-birth initial password")
        if dry_run or not guessable:
            return
        with transaction.atomic():
            users = [c.user for c in guessable]
            for user in users:
                user.set_unusable_password()
            User.objects.bulk_update(users, ["password"], batch_size=500)
            issued = issue_activation_codes([u.pk for u in users])
            record_audit(
                "accounts.activation_code.revoke_birth_date_passwords",
                object_type="accounts.user",
                after={"candidates": len(users), "activation_codes": issued},
            )
        self.stdout.write(f"revoked; {issued} activation code(s) issued: print the cards or e-mail the codes")
