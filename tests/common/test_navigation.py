import pytest
from django.urls import reverse

from exam_platform.accounts.roles import Role
from tests.factories import log_in as verified_client
from tests.factories import make_candidate, make_staff

pytestmark = pytest.mark.django_db


def nav_html(response) -> str:
    html = response.content.decode()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_anonymous_menu_shows_public_lists_and_verification(client):
    nav = nav_html(client.get(reverse("accounts:login")))
    assert reverse("publication:lists") in nav
    assert reverse("publication:verify") in nav
    assert reverse("qb:home") not in nav


def test_candidate_home_redirects_to_own_exams_and_menu_has_only_candidate_areas(client):
    candidate = make_candidate()
    client.force_login(candidate.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:candidate_home")
    nav = nav_html(client.get(reverse("delivery:candidate_home")))
    for name in ("delivery:candidate_home", "publication:results", "eligibility:my_calls"):
        assert reverse(name) in nav
    for name in ("qb:home", "delivery:rounds", "scoring:rounds"):
        assert reverse(name) not in nav


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            Role.EXAMINER,
            ["qb:home", "scoring:essay_rounds"],
            ["delivery:rounds", "publication:officer_index"],
        ),
        (
            Role.EXAM_OFFICER,
            ["delivery:rounds", "scoring:rounds", "publication:officer_index", "eligibility:officer_index"],
            ["qb:home"],
        ),
        (Role.AUDITOR, ["audit:log", "accounts:two_factor_settings"], ["accounts:people", "delivery:rounds"]),
        (Role.ADMINISTRATOR, ["accounts:people", "audit:log", "delivery:rounds"], ["qb:home"]),
        (
            Role.PROCTOR,
            ["delivery:my_rooms", "accounts:two_factor_settings"],
            ["qb:home", "delivery:rounds", "scoring:rounds"],
        ),
    ],
)
def test_staff_menu_follows_roles_and_every_shown_link_opens(client, role, shown, hidden):
    staff = make_staff(role)
    client = verified_client(client, staff)
    home = client.get(reverse("home"))
    nav = nav_html(home)
    for name in shown:
        assert reverse(name) in nav
        assert client.get(reverse(name)).status_code == 200, name
    for name in hidden:
        assert reverse(name) not in nav


def test_menu_is_built_from_each_apps_registered_links():
    from exam_platform.common.navigation import registered

    names = [link.url_name for link in registered()]
    for name in ("qb:home", "delivery:rounds", "scoring:rounds", "publication:lists", "eligibility:my_calls"):
        assert name in names
    assert (
        names.index("qb:home") < names.index("delivery:rounds") < names.index("accounts:two_factor_settings")
    )


def test_a_registered_link_appears_for_the_users_it_is_visible_to(client):
    from exam_platform.common import navigation

    link = navigation.NavLink("ทดสอบ", "publication:verify", 5, lambda user: user.is_authenticated)
    saved = dict(navigation._registry)
    try:
        navigation._registry.pop("publication:verify")
        navigation.register(link)
        candidate = make_candidate()
        client.force_login(candidate.user)
        assert reverse("publication:verify") in nav_html(client.get(reverse("delivery:candidate_home")))
    finally:
        navigation._registry.clear()
        navigation._registry.update(saved)


def test_english_menu_names_the_scoring_area_scoring(client):
    client.cookies["lang"] = "en"
    client = verified_client(client, make_staff(Role.EXAM_OFFICER))
    nav = nav_html(client.get(reverse("home")))
    assert ">Scoring<" in nav and ">Points<" not in nav
