"""The item editor: create and edit through the views, validation, permissions, and the live preview
that shows the candidate's view without ever carrying the key."""

import re

import pytest
from django.template.loader import get_template, render_to_string

from question_bank.models import Choice, Item, ItemVersion
from question_bank.services.items import ChoiceData
from tests.factories import log_in, make_bank, make_candidate, make_examiner, make_item, topic_of

pytestmark = pytest.mark.django_db


def editor_post(bank, *, stem="ข้อใดสะกดถูกต้อง", choices=(), correct=0, item_type="single", **fields):
    """The editor's POST data: choices is a list of texts (or (uid, text) pairs), padded to 5 rows."""
    data = {
        "item_type": item_type,
        "category": topic_of(bank).pk,
        "stem": stem,
        "default_points": "1",
        "difficulty": "medium",
        "language": "th",
        "partial_credit": "all_or_nothing",
        "numeric_tolerance": "0",
        "tags": "",
        "change_note": "",
        "choices-TOTAL_FORMS": "5",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "5",
    }
    for i, choice in enumerate(choices):
        uid, text = choice if isinstance(choice, tuple) else ("", choice)
        data[f"choices-{i}-uid"] = uid
        data[f"choices-{i}-text"] = text
        if i == correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(fields)
    return data


CHOICES = ["กะเพรา", "กระเพรา", "กะเพา", "กระเพา"]


@pytest.fixture
def author():
    return make_examiner(username="author.editor")


@pytest.fixture
def reviewer():
    return make_examiner(username="reviewer.editor")


@pytest.fixture
def bank(author, reviewer):
    return make_bank(members={author: "author", reviewer: "reviewer"})


# --- create ---------------------------------------------------------------------------------------


def test_item_new_creates_a_draft_with_version_one_and_its_choices(client, author, bank):
    log_in(client, author)
    post = editor_post(bank, choices=CHOICES, correct=0, tags="สะกดคำ, ปี 2569", change_note="เขียนใหม่")
    response = client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    item = Item.objects.get(bank=bank)
    assert response.status_code == 302
    assert response["Location"] == f"/qb/items/{item.pk}/"
    version = item.current_version
    assert (item.status, version.number, version.stem, version.created_by) == (
        "draft",
        1,
        "ข้อใดสะกดถูกต้อง",
        author,
    )
    assert [(c.text, c.is_correct) for c in version.choices.all()] == [
        ("กะเพรา", True),
        ("กระเพรา", False),
        ("กะเพา", False),
        ("กระเพา", False),
    ]
    assert sorted(item.tags.values_list("name", flat=True)) == ["ปี 2569", "สะกดคำ"]
    assert version.change_note == "เขียนใหม่"


def test_item_new_sanitises_the_stem_html(client, author, bank):
    log_in(client, author)
    post = editor_post(
        bank, stem='<p onclick="x()">ข้อ <strong>ใด</strong><script>alert(1)</script></p>', choices=CHOICES
    )
    client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    assert Item.objects.get(bank=bank).current_version.stem == "<p>ข้อ <strong>ใด</strong></p>"


def test_item_new_numeric_item_stores_value_and_tolerance(client, author, bank):
    log_in(client, author)
    post = editor_post(
        bank, item_type="numeric", numeric_value="3.5", numeric_tolerance="0.05", choices=CHOICES
    )
    client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    version = Item.objects.get(bank=bank).current_version
    assert version.answer_spec == {"value": "3.5", "tolerance": "0.05"}
    assert version.choices.count() == 0  # the hidden choice rows are ignored for this type


def test_item_new_short_answer_takes_one_accepted_answer_per_line(client, author, bank):
    log_in(client, author)
    post = editor_post(bank, item_type="short", short_accepted="กรุงเทพมหานคร\r\n  กทม.  \r\n\r\n")
    client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    version = Item.objects.get(bank=bank).current_version
    assert version.answer_spec == {"accepted": ["กรุงเทพมหานคร", "กทม."], "case_sensitive": False}


def test_item_new_validation_errors_are_rendered_in_thai_and_english(client, author, bank):
    log_in(client, author)
    post = editor_post(bank, choices=CHOICES, correct=99)  # no correct choice
    response = client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    assert response.status_code == 400
    assert "ต้องมีคำตอบที่ถูกต้องหนึ่งข้อพอดี (Exactly one choice must be correct)." in response.content.decode()
    assert Item.objects.filter(bank=bank).count() == 0


def test_item_new_refuses_a_category_of_another_bank(client, author, bank):
    other = make_bank()
    log_in(client, author)
    post = editor_post(bank, choices=CHOICES, category=topic_of(other).pk)
    response = client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    assert response.status_code == 400
    assert "หมวดไม่อยู่ในคลังนี้ (Choose a topic of this bank)." in response.content.decode()
    assert Item.objects.count() == 0


def test_item_new_non_member_gets_404(client, bank):
    outsider = make_examiner(username="outsider.editor")
    log_in(client, outsider)
    assert client.get(f"/qb/banks/{bank.pk}/items/new/").status_code == 404
    assert (
        client.post(f"/qb/banks/{bank.pk}/items/new/", editor_post(bank, choices=CHOICES)).status_code == 404
    )
    assert Item.objects.count() == 0


def test_item_new_reviewer_cannot_create_items(client, reviewer, bank):
    log_in(client, reviewer)
    assert client.get(f"/qb/banks/{bank.pk}/items/new/").status_code == 403
    assert (
        client.post(f"/qb/banks/{bank.pk}/items/new/", editor_post(bank, choices=CHOICES)).status_code == 403
    )
    assert Item.objects.count() == 0


def test_item_new_candidate_and_anonymous_are_refused(client, bank):
    assert client.get(f"/qb/banks/{bank.pk}/items/new/").status_code == 302  # to the login page
    client.force_login(make_candidate().user)
    assert client.get(f"/qb/banks/{bank.pk}/items/new/").status_code == 403


def test_item_new_preview_button_renders_the_preview_without_saving(client, author, bank):
    log_in(client, author)
    post = editor_post(bank, stem="โจทย์ที่ยังไม่บันทึก", choices=CHOICES, preview="1")
    response = client.post(f"/qb/banks/{bank.pk}/items/new/", post)
    assert response.status_code == 200
    assert 'class="candidate-item-stem" id="q-1-stem">โจทย์ที่ยังไม่บันทึก</div>' in response.content.decode()
    assert Item.objects.count() == 0


# --- edit ---------------------------------------------------------------------------------------


def test_item_edit_form_is_prefilled_with_the_current_version(client, author, bank):
    item = make_item(bank, actor=author, stem="โจทย์เดิม")
    log_in(client, author)
    response = client.get(f"/qb/items/{item.pk}/edit/")
    assert response.status_code == 200
    formset = response.context["formset"]
    uids = [str(c.uid) for c in item.current_version.choices.all()]
    assert [f.initial.get("uid") for f in formset.forms[:4]] == uids
    assert response.context["form"].initial["stem"] == "โจทย์เดิม"


def test_item_edit_creates_version_two_and_keeps_choice_uids(client, author, bank):
    item = make_item(bank, actor=author, correct=1)
    old = list(item.current_version.choices.all())
    log_in(client, author)
    # drop the last choice, reword the first, keep the correct one (index 1) correct
    choices = [
        (str(old[0].uid), "กะเพรา (ใบ)"),
        (str(old[1].uid), old[1].text),
        (str(old[2].uid), old[2].text),
    ]
    post = editor_post(bank, stem="ข้อใดสะกดถูก", choices=choices, correct=1, change_note="ตัดตัวเลือก ง")
    response = client.post(f"/qb/items/{item.pk}/edit/", post)
    assert response.status_code == 302
    item.refresh_from_db()
    new = list(item.current_version.choices.all())
    assert item.current_version.number == 2
    assert item.versions.count() == 2
    assert [c.uid for c in new] == [old[0].uid, old[1].uid, old[2].uid]
    assert [(c.text, c.is_correct) for c in new] == [
        ("กะเพรา (ใบ)", False),
        (old[1].text, True),
        (old[2].text, False),
    ]
    assert item.current_version.change_note == "ตัดตัวเลือก ง"


def test_item_edit_ignores_a_uid_that_is_not_this_items(client, author, bank):
    item = make_item(bank, actor=author)
    foreign = make_item(bank, actor=author).current_version.choices.first()
    log_in(client, author)
    post = editor_post(bank, choices=[(str(foreign.uid), "ก"), ("", "ข")], correct=0)
    client.post(f"/qb/items/{item.pk}/edit/", post)
    item.refresh_from_db()
    assert foreign.uid not in set(item.current_version.choices.values_list("uid", flat=True))


def test_item_edit_of_a_retired_item_is_refused(client, author, bank):
    item = make_item(bank, actor=author, status="retired")
    log_in(client, author)
    response = client.post(f"/qb/items/{item.pk}/edit/", editor_post(bank, choices=CHOICES), follow=True)
    assert response.redirect_chain == [(f"/qb/items/{item.pk}/", 302)]
    assert "ข้อสอบที่เลิกใช้แล้วแก้ไขไม่ได้ (A retired item cannot be edited)." in response.content.decode()
    assert item.versions.count() == 1
    assert client.get(f"/qb/items/{item.pk}/edit/").status_code == 302


def test_item_edit_reviewer_gets_403_and_outsider_404(client, author, reviewer, bank):
    item = make_item(bank, actor=author)
    log_in(client, reviewer)
    assert client.post(f"/qb/items/{item.pk}/edit/", editor_post(bank, choices=CHOICES)).status_code == 403
    log_in(client, make_examiner(username="outsider.edit"))
    assert client.get(f"/qb/items/{item.pk}/edit/").status_code == 404
    assert item.versions.count() == 1


# --- item page ------------------------------------------------------------------------------------


def test_item_page_shows_candidate_view_key_and_explanation_to_members(client, author, reviewer, bank):
    item = make_item(bank, actor=author, correct=2, explanation="<p>เพราะสะกดตามพจนานุกรม</p>")
    log_in(client, reviewer)
    response = client.get(f"/qb/items/{item.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="qb-key-choice">ค.</strong> กะเพา' in html
    assert "เพราะสะกดตามพจนานุกรม" in html
    assert f'href="/qb/items/{item.pk}/history/"' in html


def test_item_page_outsider_gets_404(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, make_examiner(username="outsider.page"))
    assert client.get(f"/qb/items/{item.pk}/").status_code == 404


# --- preview ------------------------------------------------------------------------------------


def _choice_markup(html: str) -> list[str]:
    """Each choice's <li> with its uid value and position-dependent id/label blanked out."""
    items = re.findall(r'<li class="candidate-choice">.*?</li>', html, flags=re.S)
    shapes = []
    for li in items:
        li = re.sub(r'value="[^"]*"', 'value=""', li)
        li = re.sub(r"q-1-c\d", "q-1-cN", li)
        li = re.sub(r'candidate-choice-label">[^<]*<', 'candidate-choice-label">L<', li)
        li = re.sub(r'candidate-choice-text">[^<]*<', 'candidate-choice-text">T<', li)
        shapes.append(li)
    return shapes


def test_item_preview_returns_the_candidate_fragment_without_writing(client, author, bank):
    log_in(client, author)
    post = editor_post(
        bank, stem='<p>ข้อใด<b>ถูก</b><img src="https://evil.example/x.png"></p>', choices=CHOICES
    )
    response = client.post(f"/qb/banks/{bank.pk}/items/preview/", post)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<fieldset class="candidate-item candidate-item-single"')
    assert '<div class="candidate-item-stem" id="q-1-stem"><p>ข้อใด<b>ถูก</b><img></p></div>' in html
    assert [t for t in re.findall(r'candidate-choice-text">([^<]*)<', html)] == CHOICES
    assert [t for t in re.findall(r'candidate-choice-label">([^<]*)<', html)] == ["ก.", "ข.", "ค.", "ง."]
    assert Item.objects.count() == 0 and ItemVersion.objects.count() == 0


def test_item_preview_never_contains_the_key(client, author, bank):
    log_in(client, author)
    post = editor_post(bank, choices=CHOICES, correct=2, explanation="เฉลยลับมาก", short_accepted="ลับ")
    html = client.post(f"/qb/banks/{bank.pk}/items/preview/", post).content.decode()
    assert "correct" not in html.lower()
    assert "checked" not in html
    assert "เฉลยลับมาก" not in html
    shapes = _choice_markup(html)
    assert len(shapes) == 4
    assert len(set(shapes)) == 1  # the correct choice looks exactly like the others


def test_item_preview_multiple_response_uses_checkboxes_and_numeric_a_number_input(client, author, bank):
    log_in(client, author)
    html = client.post(
        f"/qb/banks/{bank.pk}/items/preview/", editor_post(bank, item_type="multiple", choices=CHOICES)
    ).content.decode()
    assert html.count('type="checkbox"') == 4 and 'type="radio"' not in html
    html = client.post(
        f"/qb/banks/{bank.pk}/items/preview/", editor_post(bank, item_type="numeric", choices=CHOICES)
    ).content.decode()
    assert '<input class="candidate-answer" type="number" step="any"' in html
    assert "candidate-choice" not in html


def test_item_preview_reviewer_403_outsider_404_and_get_405(client, reviewer, bank):
    log_in(client, reviewer)
    assert client.post(f"/qb/banks/{bank.pk}/items/preview/", editor_post(bank)).status_code == 403
    log_in(client, make_examiner(username="outsider.preview"))
    assert client.post(f"/qb/banks/{bank.pk}/items/preview/", editor_post(bank)).status_code == 404
    assert client.get(f"/qb/banks/{bank.pk}/items/preview/").status_code == 405


# --- the shared candidate partial -----------------------------------------------------------------


def test_candidate_item_template_never_refers_to_the_key():
    source = get_template("question_bank/_candidate_item.html").template.source
    body = re.sub(r"{% comment %}.*?{% endcomment %}", "", source, flags=re.S)
    assert "is_correct" not in body
    assert "answer_spec.value" not in body and "accepted" not in body and "explanation" not in body


def test_candidate_item_renders_saved_choices_identically_whatever_their_correctness(author, bank):
    item = make_item(bank, actor=author, correct=3)
    version = item.current_version
    html = render_to_string(
        "question_bank/_candidate_item.html",
        {"version": version, "choices": list(version.choices.all()), "number": 1},
    )
    assert len(set(_choice_markup(html))) == 1
    assert html.count(" disabled") == 4
    assert Choice.objects.get(version=version, is_correct=True).text in html


def test_candidate_item_true_false_shows_two_radios(author, bank):
    item = make_item(
        bank,
        actor=author,
        item_type="true_false",
        choices=[ChoiceData("ถูก", True), ChoiceData("ผิด", False)],
    )
    version = item.current_version
    html = render_to_string(
        "question_bank/_candidate_item.html",
        {"version": version, "choices": list(version.choices.all()), "number": 7, "interactive": True},
    )
    assert html.count('type="radio"') == 2
    assert 'id="q-7-c1"' in html and 'for="q-7-c1"' in html
    assert " disabled" not in html
