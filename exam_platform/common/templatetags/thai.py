"""Thai display filters: `{% load thai %}`.

    {{ exam.date|thai_date }}                  21 พฤศจิกายน 2569
    {{ exam.date|thai_date:"short" }}          21 พ.ย. 2569
    {{ exam.date|thai_date:"long,thai" }}      ๒๑ พฤศจิกายน ๒๕๖๙      (options: long|short, thai, weekday)
    {{ session.starts_at|thai_datetime }}      21 พฤศจิกายน 2569 เวลา 09.30 น.
    {{ session.starts_at|local_datetime }}     the same in the Thai UI; "21 November 2026, 09:30" otherwise
    {{ exam.date|local_date }}                 Thai in the Thai UI, "21 November 2026" in the English UI
    {{ score|thai_digits }}                    ๘๗
    {{ score|thai_digits:flag }}               ๘๗ only when flag is true
    {% numerals score %}                       ๘๗ or 87: follows the visitor's preference (below)
    {{ forloop.counter0|choice_label }}        ก ข ค ง จ   ({{ i|choice_label:"en" }}: A B C D E)
    {{ candidate.national_id|national_id }}    1-2345-67890-12-3   (:"masked" → x-xxxx-xxxx0-12-3)

Thai numerals preference: dates and numbers come out in Arabic digits unless asked. Ask per value
("long,thai", |thai_digits), or follow the visitor's preference with the `numerals` tag, which reads
the `thai_numerals` flag that exam_platform.common.context_processors.ui_preferences puts in every
request's context (a view or render_to_string may pass it too; missing means Arabic digits):
`{% numerals exam.date|thai_date:"short" %}`. (A filter argument cannot default a missing variable:
`|thai_digits:thai_numerals` raises when the flag is absent, so prefer the tag.)
"""

import datetime as dt

from django import template
from django.utils import dateformat
from django.utils.translation import get_language

from exam_platform.common import national_id as national_id_module
from exam_platform.common.choice_labels import choice_label as _choice_label
from exam_platform.common.thai_dates import format_thai_date, to_thai_digits

register = template.Library()

_STYLES = {"long", "short"}
_FLAGS = {"thai", "weekday"}


def _options(arg) -> tuple[str, set[str]]:
    words = {word.strip().lower() for word in str(arg or "").split(",") if word.strip()}
    unknown = words - _STYLES - _FLAGS
    if unknown or len(words & _STYLES) > 1:
        raise template.TemplateSyntaxError(
            f"thai date options are long|short, thai, weekday (comma-separated), not {arg!r}"
        )
    style = next(iter(words & _STYLES), "long")
    return style, words & _FLAGS


def _format(value, arg, with_time: bool) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    style, flags = _options(arg)
    return format_thai_date(
        value, style=style, thai_digits="thai" in flags, with_time=with_time, with_weekday="weekday" in flags
    )


@register.filter(expects_localtime=True)
def thai_date(value, arg="long"):
    """A date (or datetime, shown as its local date) in the Buddhist era with Thai month names."""
    return _format(value, arg, with_time=False)


@register.filter(expects_localtime=True)
def thai_datetime(value, arg="long"):
    """Like thai_date, followed by the local time: 21 พฤศจิกายน 2569 เวลา 09.30 น."""
    return _format(value, arg, with_time=True)


def _local(value, arg, kind: type, with_time: bool) -> str:
    if (get_language() or "th").startswith("th") or not isinstance(value, kind):
        return _format(value, arg, with_time=with_time)
    style, flags = _options(arg)
    day = "j F Y" if style == "long" else "j M Y"
    if "weekday" in flags:
        day = f"l {day}"
    return dateformat.format(value, f"{day}, H:i" if with_time else day)


@register.filter(expects_localtime=True)
def local_date(value, arg="long"):
    """thai_date in the Thai UI; in other languages the Gregorian date, "21 November 2026" / "21 Nov 2026"."""
    return _local(value, arg, dt.date, with_time=False)


@register.filter(expects_localtime=True)
def local_datetime(value, arg="long"):
    """thai_datetime in the Thai UI; in other languages "21 November 2026, 09:30" (local time)."""
    return _local(value, arg, dt.datetime, with_time=True)


@register.filter(is_safe=True)
def thai_digits(value, enabled=True):
    """0-9 → ๐-๙. With an argument, only when it is true: `|thai_digits:thai_numerals`."""
    if value is None:
        return ""
    return to_thai_digits(value) if enabled else value


@register.simple_tag(takes_context=True)
def numerals(context, value):
    """`value` with Thai digits when the context's `thai_numerals` flag is true, as it is otherwise."""
    if value is None:
        return ""
    return to_thai_digits(value) if context.get("thai_numerals") else value


@register.filter
def choice_label(index, language="th"):
    """Zero-based choice position → ก ข ค ง จ; "en" (or any English language code) → A B C D E."""
    try:
        return _choice_label(int(index), str(language or "th"))
    except (TypeError, ValueError):
        return ""


@register.filter
def national_id(value, mode=""):
    """1-2345-67890-12-3; with "masked", only the last four digits show: x-xxxx-xxxx0-12-3."""
    if not value:
        return ""
    if mode == "masked":
        return national_id_module.mask_national_id(str(value))
    return national_id_module.format_national_id(str(value))
