import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import BackupCodeDevice, User
from exam_platform.accounts.services import people
from exam_platform.common.audit import verify_chain
from exam_platform.common.models import AuditEntry
from tests.factories import log_in, make_candidate, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return make_staff("administrator", username="admin.one", display_name="ผู้ดูแล หนึ่ง")


@pytest.fixture
def admin_client(client, admin_user):
    return log_in(client, admin_user)


def _roles(user):
    return sorted(user.groups.values_list("name", flat=True))


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["exam_officer", "auditor", "examiner"])
def test_people_list_other_roles_refused(client, role):
    log_in(client, make_staff(role))

    assert client.get(reverse("accounts:people")).status_code == 403


def test_people_list_candidate_refused(client):
    client.force_login(make_candidate().user)

    assert client.get(reverse("accounts:people")).status_code == 403


def test_person_detail_candidate_id_is_404(admin_client):
    candidate = make_candidate()

    assert admin_client.get(reverse("accounts:person", args=[candidate.user.pk])).status_code == 404


# --- list -----------------------------------------------------------------------------------


def test_people_list_search_and_filters(admin_client):
    make_staff("exam_officer", username="somsri.k", display_name="สมศรี ขยัน")
    make_staff("auditor", username="wichai.t", display_name="วิชัย ตรง")
    gone = make_staff("exam_officer", username="old.officer", display_name="เจ้าหน้าที่ เก่า")
    gone.is_active = False
    gone.save()
    make_candidate(first_name_th="สมศรี")

    def names(**params):
        response = admin_client.get(reverse("accounts:people"), params)
        assert response.status_code == 200
        return [p.username for p in response.context["page"].object_list]

    assert names(q="สมศรี") == ["somsri.k"]
    assert names(q="WICHAI") == ["wichai.t"]
    assert names(role="exam_officer") == ["old.officer", "somsri.k"]
    assert names(role="exam_officer", active="yes") == ["somsri.k"]
    assert names(active="no") == ["old.officer"]
    assert names() == ["admin.one", "old.officer", "somsri.k", "wichai.t"]


def test_people_list_paginates_with_constant_queries(admin_client, django_assert_max_num_queries):
    for n in range(30):
        make_staff("examiner", "proctor", username=f"user{n:02d}")

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("accounts:people"), {"page": 2})

    page = response.context["page"]
    assert page.number == 2
    assert len(page.object_list) == 6  # 31 accounts, 25 a page
    assert "ผู้ออกข้อสอบ, กรรมการคุมสอบ" in response.content.decode()


# --- create ---------------------------------------------------------------------------------


def test_person_new_creates_account_with_one_time_password(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:person_new"),
        {
            "username": "new.officer",
            "display_name": "สมหญิง ใหม่",
            "email": "s@example.org",
            "roles": ["exam_officer"],
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    user = User.objects.get(username="new.officer")
    assert user.kind == User.Kind.STAFF and user.is_active
    assert user.check_password(password)
    assert len(password) == 16 and "new" not in password.lower()
    assert _roles(user) == ["exam_officer"]
    assert not TOTPDevice.objects.filter(user=user).exists()
    entries = list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)))
    assert [e.action for e in entries] == ["accounts.staff_created"]  # no second entry from the receiver
    assert entries[0].actor_id == admin_user.pk
    assert entries[0].after["roles"] == ["exam_officer"]
    assert password not in str(entries[0].after)


def test_person_new_first_login_must_enrol_two_factor(admin_client):
    response = admin_client.post(
        reverse("accounts:person_new"),
        {"username": "first.login", "display_name": "ทดลอง", "roles": ["exam_officer"]},
    )
    password = response.context["password"]
    newcomer = Client()

    login = newcomer.post(reverse("accounts:login"), {"username": "first.login", "password": password})
    assert login.status_code == 302
    page = newcomer.get(reverse("delivery:rounds"))

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:otp_setup"))


def test_person_new_duplicate_username_refused(admin_client):
    make_staff(username="taken")

    response = admin_client.post(
        reverse("accounts:person_new"), {"username": "TAKEN", "display_name": "ซ้ำ", "roles": ["auditor"]}
    )

    assert response.status_code == 400
    assert "ชื่อผู้ใช้นี้มีอยู่แล้ว" in response.content.decode()
    assert User.objects.filter(username__iexact="taken").count() == 1


def test_person_new_candidate_role_not_offered(admin_client):
    response = admin_client.post(
        reverse("accounts:person_new"), {"username": "x.y", "display_name": "x", "roles": ["candidate"]}
    )

    assert response.status_code == 400
    assert not User.objects.filter(username="x.y").exists()


# --- roles ----------------------------------------------------------------------------------


def test_grant_and_revoke_role_audited_once_each(admin_client, admin_user):
    person = make_staff("examiner")

    admin_client.post(reverse("accounts:person_role_grant", args=[person.pk]), {"role": "exam_officer"})
    admin_client.post(reverse("accounts:person_role_revoke", args=[person.pk]), {"role": "examiner"})

    assert _roles(person) == ["exam_officer"]
    entries = list(
        AuditEntry.objects.filter(object_id=str(person.pk), action__startswith="accounts.role_").order_by(
            "seq"
        )
    )
    assert [(e.action, e.before, e.after, e.actor_id) for e in entries][-2:] == [
        (
            "accounts.role_granted",
            {"roles": ["examiner"]},
            {"roles": ["exam_officer", "examiner"]},
            admin_user.pk,
        ),
        (
            "accounts.role_revoked",
            {"roles": ["exam_officer", "examiner"]},
            {"roles": ["exam_officer"]},
            admin_user.pk,
        ),
    ]
    assert entries[-1].ip_address == "127.0.0.1"


def test_grant_role_already_held_writes_nothing(admin_user):
    person = make_staff("auditor")
    count = AuditEntry.objects.count()

    assert people.grant_role(person, role="auditor", actor=admin_user) is False
    assert AuditEntry.objects.count() == count


def test_grant_role_to_candidate_refused(admin_user):
    candidate = make_candidate()

    with pytest.raises(people.PeopleError):
        people.grant_role(candidate.user, role="exam_officer", actor=admin_user)
    assert _roles(candidate.user) == ["candidate"]


def test_revoke_own_administrator_role_refused(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:person_role_revoke", args=[admin_user.pk]), {"role": "administrator"}, follow=True
    )

    assert "คุณถอนบทบาทผู้ดูแลระบบของตัวเองไม่ได้" in response.content.decode()
    assert _roles(admin_user) == ["administrator"]


def test_revoke_another_administrators_role_allowed(admin_user):
    other = make_staff("administrator")

    assert people.revoke_role(other, role="administrator", actor=admin_user) is True
    assert _roles(other) == []


def test_grant_role_by_non_administrator_refused():
    officer = make_staff("exam_officer")
    person = make_staff()

    with pytest.raises(people.PermissionDenied):
        people.grant_role(person, role="administrator", actor=officer)


# --- activation -----------------------------------------------------------------------------


def test_deactivate_closes_sockets_and_audits(
    admin_client, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    person = make_staff("proctor")
    closed = []
    monkeypatch.setattr(
        "exam_platform.accounts.sockets.close_user_sockets", lambda uid, reason: closed.append((uid, reason))
    )

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("accounts:person_deactivate", args=[person.pk]))

    person.refresh_from_db()
    assert person.is_active is False
    assert closed == [(person.pk, "deactivated")]
    entry = AuditEntry.objects.get(action="accounts.user_deactivated", object_id=str(person.pk))
    assert (entry.before, entry.after, entry.actor_id) == (
        {"is_active": True},
        {"is_active": False},
        admin_user.pk,
    )

    admin_client.post(reverse("accounts:person_reactivate", args=[person.pk]))

    person.refresh_from_db()
    assert person.is_active is True
    assert (
        AuditEntry.objects.filter(action="accounts.user_reactivated", object_id=str(person.pk)).count() == 1
    )


def test_deactivate_self_refused(admin_client, admin_user):
    response = admin_client.post(reverse("accounts:person_deactivate", args=[admin_user.pk]), follow=True)

    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert "คุณระงับบัญชีของตัวเองไม่ได้" in response.content.decode()
    assert not AuditEntry.objects.filter(action="accounts.user_deactivated").exists()


# --- two-factor -----------------------------------------------------------------------------


def test_reset_two_factor_removes_devices_and_forces_enrolment(admin_client, admin_user):
    person = make_staff("exam_officer")
    person_client = log_in(Client(), person)
    BackupCodeDevice.objects.create(user=person, name="backup", confirmed=True)
    assert person_client.get(reverse("delivery:rounds")).status_code == 200

    admin_client.post(reverse("accounts:person_reset_two_factor", args=[person.pk]))

    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not BackupCodeDevice.objects.filter(user=person).exists()
    page = person_client.get(reverse("delivery:rounds"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:otp_setup"))
    entry = AuditEntry.objects.get(action="accounts.two_factor_reset")
    assert entry.after == {"totp_devices": [], "backup_code_sets": []}
    assert len(entry.before["totp_devices"]) == 1
    assert verify_chain().ok


# --- the admin path and other paths ---------------------------------------------------------


def test_groups_changed_in_shell_are_audited_without_actor():
    person = make_staff()
    group = Group.objects.get(name="auditor")

    group.user_set.add(person)  # the reverse side of the relation
    person.groups.clear()

    entries = list(AuditEntry.objects.filter(object_id=str(person.pk)).order_by("seq"))
    assert [(e.action, e.after["roles"], e.actor_id) for e in entries] == [
        ("accounts.role_granted", ["auditor"], None),
        ("accounts.role_revoked", [], None),
    ]


@pytest.fixture
def superuser_client(client):
    boss = make_staff(username="boss", is_staff=True, is_superuser=True)
    return log_in(client, boss), boss


def _admin_change_form_data(client, user) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if name in ("groups", "user_permissions"):
            data[name] = [getattr(v, "pk", v) for v in (value or [])]
        elif name in ("last_login", "date_joined"):
            if value:
                data[f"{name}_0"] = value.strftime("%Y-%m-%d")
                data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def test_admin_change_form_group_grant_and_revoke_audited(superuser_client):
    client, boss = superuser_client
    person = make_staff("examiner", username="via.admin")
    officer = Group.objects.get(name="exam_officer")
    data = _admin_change_form_data(client, person)
    data["groups"] = [officer.pk]  # examiner out, exam_officer in

    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _roles(person) == ["exam_officer"]
    entries = list(
        AuditEntry.objects.filter(
            object_id=str(person.pk), action__startswith="accounts.role_", actor=boss
        ).order_by("seq")
    )
    assert [(e.action, e.before["roles"], e.after["roles"]) for e in entries] == [
        ("accounts.role_revoked", ["examiner"], []),
        ("accounts.role_granted", [], ["exam_officer"]),
    ]
    assert verify_chain().ok


def test_admin_change_form_deactivation_audited_once(superuser_client):
    client, boss = superuser_client
    person = make_staff("proctor", username="off.via.admin")
    data = _admin_change_form_data(client, person)
    data.pop("is_active")

    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.is_active is False
    actions = list(
        AuditEntry.objects.filter(object_id=str(person.pk), actor=boss).values_list("action", flat=True)
    )
    assert actions == ["accounts.user_deactivated"]  # groups unchanged: no role entry


def test_admin_change_form_without_changes_writes_nothing(superuser_client):
    client, _boss = superuser_client
    person = make_staff("proctor", username="same.via.admin")
    data = _admin_change_form_data(client, person)
    count = AuditEntry.objects.count()

    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AuditEntry.objects.count() == count


def test_deactivated_person_is_logged_out_of_pages(admin_client):
    person = make_staff("exam_officer")
    person_client = log_in(Client(), person)
    assert person_client.get(reverse("delivery:rounds")).status_code == 200

    admin_client.post(reverse("accounts:person_deactivate", args=[person.pk]))

    response = person_client.get(reverse("delivery:rounds"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
