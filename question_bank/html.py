"""The safe HTML subset allowed in stems, choices and explanations, enforced with nh3 (Ammonia).

Allowed: paragraphs and line breaks, emphasis, sub/superscript, lists, tables, code, and images whose
source is a bank media URL (/qb/media/<uuid>/). Everything else (scripts, styles, event handlers,
links to elsewhere, iframes) is removed.
"""

import re

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "div",
    "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "img", "code", "pre", "blockquote", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "type"},
    "span": {"lang"},
    "p": {"lang"},
    "div": {"lang"},
}
MEDIA_SRC = re.compile(r"^/qb/media/[0-9a-f-]{36}/$")
MEDIA_UID = re.compile(r"/qb/media/([0-9a-f-]{36})/")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and not MEDIA_SRC.match(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=set(),
        link_rel=None,
    ).strip()


def media_uids(html: str) -> set[str]:
    """The bank media files an HTML fragment refers to."""
    return set(MEDIA_UID.findall(html or ""))
