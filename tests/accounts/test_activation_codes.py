"""Activation codes: random, only keyed hashes stored, single use, expiring, superseded, no personal data."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from exam_platform.accounts import activation_codes
from exam_platform.accounts.activation_codes import CODE_ALPHABET, code_digest, code_from_nonce, format_code
from exam_platform.accounts.models import ActivationCode, User
from exam_platform.accounts.services.activation import (
    ActivationError,
    activate_account,
    ensure_usable_codes,
    find_activation_code,
    issue_activation_code,
    issue_activation_codes,
    usable_codes,
)
from exam_platform.common.models import AuditEntry
from tests.factories import make_candidate, make_staff


@pytest.fixture
def candidate(db):
    candidate = make_candidate(date_of_birth=dt.date(1995, 5, 17))
    candidate.user.set_unusable_password()
    candidate.user.save()
    return candidate


def _code(user) -> str:
    return usable_codes([user.pk])[user.pk].code


def test_codes_are_ten_unambiguous_characters_and_differ(candidate):
    issue_activation_codes([candidate.user_id])
    code = _code(candidate.user)
    others = {code_from_nonce(activation_codes.new_nonce()) for _i in range(200)}

    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    assert not set("01IO") & set(CODE_ALPHABET)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", format_code(code))
    assert len(others) == 200


def test_codes_store_only_a_nonce_and_a_keyed_digest(candidate, settings):
    issue_activation_codes([candidate.user_id])
    row = ActivationCode.objects.get(user=candidate.user)
    code = code_from_nonce(row.nonce)

    stored = " ".join(str(v) for v in ActivationCode.objects.filter(pk=row.pk).values().first().values())
    assert code not in stored and format_code(code) not in stored
    assert row.digest == code_digest(code)
    settings.ACTIVATION_CODE_KEY = "another key"
    assert code_from_nonce(row.nonce) != code  # keyed: the database alone gives no code
    assert code_digest(code) != row.digest


def test_codes_derive_from_no_personal_data(candidate, monkeypatch):
    nonces = iter(["a" * 32, "a" * 32])
    monkeypatch.setattr(activation_codes, "new_nonce", lambda: next(nonces))
    from exam_platform.accounts.services import activation

    monkeypatch.setattr(activation, "new_nonce", activation_codes.new_nonce)
    other = make_candidate(first_name_th="สมหญิง", date_of_birth=dt.date(1980, 1, 1))
    issue_activation_codes([candidate.user_id])
    issue_activation_codes([other.user_id])

    # Same randomness, different people: the same code. Nothing about the person goes in.
    assert _code(candidate.user) == _code(other.user)
    dob_digits = "17052538"
    assert dob_digits not in _code(candidate.user)
    assert candidate.national_id[-4:] not in _code(candidate.user)


def test_find_activation_code_accepts_any_spelling_once(candidate):
    issue_activation_codes([candidate.user_id])
    code = _code(candidate.user)
    typed = format_code(code).lower()
    spaced_id = f"{candidate.national_id[:1]} {candidate.national_id[1:5]}-{candidate.national_id[5:]}"

    row = find_activation_code(spaced_id, typed)
    user = activate_account(row, password="a-long-new-password-2569")

    assert user.check_password("a-long-new-password-2569")
    assert find_activation_code(candidate.national_id, code) is None  # single use
    with pytest.raises(ActivationError):
        activate_account(row, password="another-password-2569")


def test_find_activation_code_unknown_id_and_wrong_code_look_the_same(candidate):
    issue_activation_codes([candidate.user_id])
    code = _code(candidate.user)

    assert find_activation_code("1101700203451", code) is None
    assert find_activation_code(candidate.national_id, "ABCD-EFGH-JK") is None
    assert find_activation_code(candidate.national_id, code) is not None


def test_activation_code_expires(candidate, settings):
    settings.ACTIVATION_CODE_DAYS = 30
    issue_activation_codes([candidate.user_id])
    row = ActivationCode.objects.get(user=candidate.user)
    code = code_from_nonce(row.nonce)
    assert dt.timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= dt.timedelta(days=30)

    ActivationCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert find_activation_code(candidate.national_id, code) is None
    assert usable_codes([candidate.user_id]) == {}
    assert not row.consume()


def test_new_code_supersedes_the_open_one_and_is_audited_without_it(candidate):
    officer = make_staff("exam_officer")
    issue_activation_codes([candidate.user_id])
    old = _code(candidate.user)

    issued = issue_activation_code(candidate.user, actor=officer)

    assert issued.code != old
    assert find_activation_code(candidate.national_id, old) is None
    assert find_activation_code(candidate.national_id, issued.code) is not None
    assert ActivationCode.objects.open().filter(user=candidate.user).count() == 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "accounts.activation_code.issue"
    assert issued.code not in str(entry.before) + str(entry.after)


def test_one_open_code_per_user_is_enforced_by_the_database(candidate):
    issue_activation_codes([candidate.user_id])
    row = ActivationCode.objects.get(user=candidate.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivationCode.objects.create(user=candidate.user, nonce="x", digest="y", expires_at=row.expires_at)


def test_code_reprints_the_same_until_used(candidate):
    ensure_usable_codes([candidate.user_id])
    first = _code(candidate.user)
    again = ensure_usable_codes([candidate.user_id])[candidate.user_id].code

    assert again == first
    assert ActivationCode.objects.filter(user=candidate.user).count() == 1


def test_officer_reissue_lets_an_activated_candidate_set_a_new_password(candidate):
    candidate.user.set_password("old-password-that-was-forgotten")
    candidate.user.save()
    issued = issue_activation_code(candidate.user, actor=make_staff("exam_officer"))

    activate_account(find_activation_code(candidate.national_id, issued.code), password="brand-new-pass-2569")

    user = User.objects.get(pk=candidate.user_id)
    assert user.check_password("brand-new-pass-2569")
    assert not user.check_password("old-password-that-was-forgotten")
    use = AuditEntry.objects.order_by("-seq").first()
    assert (use.action, use.before, use.actor_id) == (
        "accounts.activation_code.use",
        {"has_usable_password": True},
        user.pk,
    )
    assert issued.code not in str(use.after)


def test_issue_5000_codes_is_fast(db):
    import time

    users = User.objects.bulk_create(
        [User(username=f"bulk{i}", kind=User.Kind.CANDIDATE, password="!x") for i in range(5000)]
    )
    started = time.perf_counter()
    issue_activation_codes([u.pk for u in users])
    assert time.perf_counter() - started < 10
    assert ActivationCode.objects.count() == 5000
