import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from exam_platform.accounts.access import get_candidate_for, get_own_candidate, require_staff_role
from exam_platform.accounts.roles import Role
from tests.factories import make_candidate, make_staff

pytestmark = pytest.mark.django_db


def test_get_candidate_for_candidate_reaches_own_record():
    me = make_candidate()
    assert get_candidate_for(me.user, me.pk) == me


def test_get_candidate_for_candidate_cannot_reach_another_candidate():
    me, other = make_candidate(), make_candidate()
    with pytest.raises(Http404):
        get_candidate_for(me.user, other.pk)


def test_get_candidate_for_exam_officer_reaches_any_candidate():
    officer = make_staff(Role.EXAM_OFFICER)
    someone = make_candidate()
    assert get_candidate_for(officer, someone.pk) == someone


@pytest.mark.parametrize("role", [Role.EXAMINER, Role.INTERVIEWER, Role.PANEL_CHAIR, Role.AUDITOR])
def test_get_candidate_for_staff_without_permission_is_refused(role):
    staff = make_staff(role)
    with pytest.raises(PermissionDenied):
        get_candidate_for(staff, make_candidate().pk)


def test_get_candidate_for_anonymous_is_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        get_candidate_for(AnonymousUser(), make_candidate().pk)


def test_get_own_candidate_refuses_staff():
    with pytest.raises(PermissionDenied):
        get_own_candidate(make_staff(Role.EXAM_OFFICER))


def test_require_staff_role_checks_role_and_lets_administrators_through():
    proctor = make_staff(Role.PROCTOR)
    require_staff_role(proctor, Role.PROCTOR)
    with pytest.raises(PermissionDenied):
        require_staff_role(proctor, Role.EXAM_OFFICER)
    require_staff_role(make_staff(Role.ADMINISTRATOR), Role.EXAM_OFFICER)
    with pytest.raises(PermissionDenied):
        require_staff_role(make_candidate().user, Role.PROCTOR)


def test_role_groups_exist_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    expected = {"candidate", "examiner", "exam_officer", "proctor", "interviewer", "panel_chair", "auditor"}
    assert expected | {"administrator"} <= names


def test_candidate_str_never_shows_the_national_id():
    from exam_platform.accounts.models import User

    anonymous_name = User(username="1101700203450", kind=User.Kind.CANDIDATE)
    assert str(anonymous_name) == "ผู้สมัครสอบ"
    assert str(make_candidate(first_name_th="สมหญิง", last_name_th="ใจงาม").user) == "นายสมหญิง ใจงาม"
