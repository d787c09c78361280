"""Writing a checked roster, in the caller's transaction: the missing candidates (user, group, registry
row, activation code), the roster entries with exam numbers in file order, one audit entry.

Bulk inserts throughout and no password hashing: a new candidate's password is unusable until they
activate their account with the code issued here (accounts/services/activation.py), so 5,000 rows
take seconds, not the 25 minutes 5,000 password hashes would.
"""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group

from exam_platform.accounts.models import ActivationCode, Candidate, User
from exam_platform.accounts.services.activation import issue_activation_codes
from exam_platform.common.audit import record_audit

from ...models import ExamRound, ExamSession, RosterEntry
from .result import ParsedRow, RosterImportResult

EXAM_NUMBER_DIGITS = 5
BATCH_SIZE = 1000


def _next_exam_number(session: ExamSession) -> int:
    numbers = session.roster.exclude(exam_number="").values_list("exam_number", flat=True)
    return max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def _new_users(rows: list[ParsedRow]) -> list[User]:
    users = []
    for row in rows:
        user = User(
            username=row.national_id,
            kind=User.Kind.CANDIDATE,
            display_name=f"{row.title}{row.values['first_name_th']} {row.values['last_name_th']}",
            email=row.values["email"],
        )
        user.set_unusable_password()
        users.append(user)
    return User.objects.bulk_create(users, batch_size=BATCH_SIZE)


def write_roster(
    session: ExamSession,
    rows: list[ParsedRow],
    existing: dict,
    result: RosterImportResult,
    *,
    actor,
    request=None,
    filename: str,
    audit_extra: dict | None = None,
) -> None:
    disabled_round = session.round.exam_type == ExamRound.ExamType.DISABLED_SELECTION
    new_rows = [row for row in rows if row.national_id not in existing]
    users = _new_users(new_rows)
    group, _created = Group.objects.get_or_create(name="candidate")
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=BATCH_SIZE
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                user=user,
                national_id=row.national_id,
                title=row.title,
                first_name_th=row.values["first_name_th"],
                last_name_th=row.values["last_name_th"],
                first_name_en=row.values["first_name_en"],
                last_name_en=row.values["last_name_en"],
                date_of_birth=row.date_of_birth,
                phone=row.values["phone"],
                email=row.values["email"],
                has_disability=disabled_round,
                accommodation_needs=row.accommodations,
            )
            for user, row in zip(users, new_rows, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    by_id = dict(existing)
    by_id.update({c.national_id: c for c in candidates})
    next_number = _next_exam_number(session)
    entries = RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                session=session,
                candidate=by_id[row.national_id],
                position=row.position,
                application_number=row.values["application_number"],
                exam_number=f"{next_number + i:0{EXAM_NUMBER_DIGITS}d}",
                accommodations=row.accommodations,
            )
            for i, row in enumerate(rows)
        ],
        batch_size=BATCH_SIZE,
    )
    # Every candidate of this file who cannot log in yet gets a code: the new ones, and reused ones who
    # never activated and whose earlier code has expired or was never issued.
    never_activated = set(
        User.objects.filter(
            pk__in=[c.user_id for c in existing.values()], password__startswith=UNUSABLE_PASSWORD_PREFIX
        ).values_list("pk", flat=True)
    )
    holding = set(
        ActivationCode.objects.usable().filter(user_id__in=never_activated).values_list("user_id", flat=True)
    )
    result.activation_codes = issue_activation_codes(
        [u.pk for u in users] + sorted(never_activated - holding), actor=actor
    )
    result.created_entries = len(entries)
    result.new_candidates = len(candidates)
    result.reused_candidates = len(rows) - len(candidates)
    record_audit(
        "delivery.roster.import",
        actor=actor,
        request=request,
        obj=session,
        after={
            "file": filename,
            "rows": len(rows),
            "entries": len(entries),
            "new_candidates": len(candidates),
            "reused_candidates": result.reused_candidates,
            "activation_codes": result.activation_codes,
            "exam_numbers": [entries[0].exam_number, entries[-1].exam_number],
            "warnings": len(result.warnings),
            **(audit_extra or {}),
        },
    )
