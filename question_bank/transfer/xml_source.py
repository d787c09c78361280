"""Parsing untrusted XML (Moodle XML, QTI): the stdlib ElementTree behind defusedxml, with lines.

defusedxml refuses entity expansion bombs, external entities and DTD tricks. Its parser is the
pure-Python ElementTree parser over expat, so each element can be stamped with the line it starts
on (`element.sourceline`), which error messages name.
"""

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.utils.translation import gettext as _

from .model import UTF8_BOM, Position, TransferFileError

_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class _LineParser(DefusedXMLParser):
    def _start(self, tag, attrs):
        element = super()._start(tag, attrs)
        element.sourceline = self.parser.CurrentLineNumber
        return element


def parse_xml(data: bytes, *, file: str = "") -> Element:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    declared = _ENCODING.match(data)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise TransferFileError(
            _("ไฟล์ XML ต้องเข้ารหัส UTF-8 (The XML must be UTF-8 encoded)."), Position("line", 1, file)
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TransferFileError(
            _("ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8 (The file is not UTF-8 encoded)."), Position("line", line, file)
        ) from None
    parser = _LineParser()
    try:
        parser.feed(data)
        return parser.close()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise TransferFileError(
            _("XML ไม่ถูกต้อง (Malformed XML): %s") % exc, Position("line", line, file)
        ) from None
    except DefusedXmlException as exc:
        raise TransferFileError(
            _("XML มีโครงสร้างที่ไม่อนุญาต (Forbidden XML construct): %s") % type(exc).__name__,
            Position("line", 1, file),
        ) from None


def line_of(element: Element, file: str = "") -> Position:
    return Position("line", getattr(element, "sourceline", 0) or 0, file)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
