"""The session roster page's search, filters and pages (officer.session_roster).

Entries are listed in Thai name order. The ordered ids of the matching entries come from one query
(ordered in SQL on PostgreSQL with ICU, else sorted in Python from the names alone), and only the
page's 50 rows are then loaded with their candidate, room and position: two queries whatever the
size of the roster.
"""

import re

from django.core.paginator import Paginator
from django.db.models import F, Q

from exam_platform.common.thai_collation import (
    THAI_ICU_COLLATION,
    sort_thai_names,
    thai_icu_collation_available,
)

from .models import RosterEntry

PAGE_SIZE = 50
NAME_FIELDS = ("candidate__first_name_th", "candidate__last_name_th")
_NOT_DIGITS = re.compile(r"[\s\-]")


def _term_filter(term: str) -> Q:
    condition = (
        Q(candidate__first_name_th__icontains=term)
        | Q(candidate__last_name_th__icontains=term)
        | Q(application_number__icontains=term)
        | Q(exam_number__icontains=term)
    )
    digits = _NOT_DIGITS.sub("", term)
    if digits.isdigit():  # a national ID typed with or without its dashes
        condition |= Q(candidate__national_id__contains=digits)
    return condition


def filtered_roster(session, *, q="", room="", checked_in="", seated=""):
    """The session's entries that match every search word (in a name, the application number, the exam
    number or the national ID) and the filters ("yes"/"no"; room: a room id of the session)."""
    entries = RosterEntry.objects.filter(session=session)
    for term in (q or "").split():
        entries = entries.filter(_term_filter(term))
    if room:
        entries = entries.filter(room_id=room)
    if checked_in in ("yes", "no"):
        entries = entries.filter(checked_in_at__isnull=checked_in == "no")
    if seated in ("yes", "no"):
        entries = entries.filter(room__isnull=seated == "no")
    return entries


def _ordered_ids(entries) -> list[int]:
    if thai_icu_collation_available(entries.db):
        from django.db.models.functions import Collate

        ordering = [Collate(F(field), THAI_ICU_COLLATION) for field in NAME_FIELDS]
        return list(entries.order_by(*ordering, "pk").values_list("pk", flat=True))
    rows = entries.order_by("pk").values_list("pk", *NAME_FIELDS)
    return [row[0] for row in sort_thai_names(rows, key=lambda row: (row[1], row[2]))]


def roster_page(entries, page_number):
    """(page, rows): the Paginator page of ordered ids and the page's entries, loaded in that order."""
    page = Paginator(_ordered_ids(entries), PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    loaded = RosterEntry.objects.filter(pk__in=ids).select_related("candidate", "room", "position")
    by_id = {entry.pk: entry for entry in loaded}
    return page, [by_id[pk] for pk in ids if pk in by_id]
