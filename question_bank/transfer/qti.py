"""QTI 3.0 choice items in an IMS content package (zip: imsmanifest.xml + one XML file per item).

Only what a choice interaction can hold travels: single choice (cardinality single) and multiple
response (cardinality multiple; a <qti-mapping> means the per_choice partial-credit rule, none means
all_or_nothing). The stem is the interaction's <qti-prompt> plus any body content before the
interaction; points are the MAXSCORE outcome's default value; the category rides in the item's
`label` attribute ("subject/topic"), the language in xml:lang. Reading uses defusedxml
(xml_source); a package is checked for size and member paths before anything is read.
"""

import html
import io
import posixpath
import zipfile
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from django.utils.translation import gettext as _

from .model import ParsedChoice, ParsedItem, ParseResult, Position, TransferFileError
from .xml_source import line_of, local_name, parse_xml

NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_TYPE = "imsqti_item_xmlv3p0"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAP_RESPONSE = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
MAX_MEMBERS = 50_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
EXPORTABLE_TYPES = ("single", "multiple")
_VOID = {"br", "hr", "img", "col", "wbr"}


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


# --- reading ---------------------------------------------------------------------------------


def parse(data: bytes) -> ParseResult:
    if not data.startswith(b"PK"):
        result = ParseResult()
        _parse_item(data, "", result)
        return result
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TransferFileError(_("ไม่ใช่ไฟล์ zip ที่อ่านได้ (Not a readable zip package).")) from None
    with package:
        members = package.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
            raise TransferFileError(_("แพ็กเกจใหญ่เกินไป (The package is too large)."))
        names = {m.filename for m in members}
        if "imsmanifest.xml" not in names:
            raise TransferFileError(_("ไม่พบ imsmanifest.xml ในแพ็กเกจ (imsmanifest.xml is missing)."))
        manifest = parse_xml(package.read("imsmanifest.xml"), file="imsmanifest.xml")
        result = ParseResult()
        for resource in manifest.iter():
            if local_name(resource.tag) != "resource" or not resource.get("type", "").startswith(ITEM_TYPE):
                continue
            href = posixpath.normpath(resource.get("href", ""))
            if href.startswith(("..", "/")) or href not in names:
                result.error(
                    line_of(resource, "imsmanifest.xml"),
                    _("ไม่พบไฟล์ข้อสอบ '%(h)s' ในแพ็กเกจ (Item file missing from the package).")
                    % {"h": resource.get("href", "")},
                )
                continue
            try:
                _parse_item(package.read(href), href, result)
            except TransferFileError as exc:
                result.errors.append(exc.error)
        if not result.items and not result.errors:
            result.error(None, _("แพ็กเกจไม่มีข้อสอบ QTI (No QTI items in the package)."))
    return result


def _parse_item(data: bytes, href: str, result: ParseResult) -> None:
    root = parse_xml(data, file=href)
    position = line_of(root, href)
    if root.tag != q("qti-assessment-item"):
        result.error(
            position,
            _("ต้องเป็น <qti-assessment-item> ของ QTI 3.0 (A QTI 3.0 qti-assessment-item is expected)."),
        )
        return
    body = root.find(q("qti-item-body"))
    interaction = body.find(f".//{q('qti-choice-interaction')}") if body is not None else None
    if interaction is None:
        result.error(
            position,
            _("รองรับเฉพาะ qti-choice-interaction (Only choice interactions are supported)."),
        )
        return
    declaration = next(
        (
            d
            for d in root.findall(q("qti-response-declaration"))
            if d.get("identifier") == interaction.get("response-identifier")
        ),
        None,
    )
    if declaration is None:
        result.error(position, _("ไม่พบ qti-response-declaration ของคำตอบ (Response declaration missing)."))
        return
    correct = {v.text.strip() for v in declaration.iter(q("qti-value")) if v.text}
    multiple = declaration.get("cardinality") == "multiple"
    prompt = interaction.find(q("qti-prompt"))
    stem_parts = [
        _to_html(child) for child in body if child is not interaction and interaction not in child.iter()
    ]
    if prompt is not None:
        stem_parts.append(_inner_html(prompt))
    choices = [
        ParsedChoice(_inner_html(c).strip(), c.get("identifier") in correct)
        for c in interaction.iter(q("qti-simple-choice"))
    ]
    points = None
    for outcome in root.findall(q("qti-outcome-declaration")):
        if outcome.get("identifier") == "MAXSCORE":
            value = outcome.find(f"{q('qti-default-value')}/{q('qti-value')}")
            points = value.text.strip() if value is not None and value.text else None
    subject, _slash, topic = (root.get("label") or "").partition("/")
    item = ParsedItem(
        position=position,
        item_type="multiple" if multiple else "single",
        stem="".join(stem_parts).strip(),
        choices=choices,
        points=points,
        language=root.get(XML_LANG) or None,
        subject=subject.strip(),
        topic=topic.strip(),
        identifier=root.get("identifier", ""),
    )
    if multiple:
        has_mapping = declaration.find(q("qti-mapping")) is not None
        item.answer_spec = {"partial_credit": "per_choice" if has_mapping else "all_or_nothing"}
    result.items.append(item)


def _inner_html(element: Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        parts.append(_to_html(child))
    return "".join(parts)


def _to_html(element: Element) -> str:
    """XHTML inside a QTI body → HTML (QTI-only elements keep just their content)."""
    name = local_name(element.tag)
    tail = html.escape(element.tail or "", quote=False)
    if name.startswith("qti-"):
        return _inner_html(element) + tail
    attrs = "".join(f' {local_name(k)}="{html.escape(v)}"' for k, v in element.attrib.items())
    if name in _VOID:
        return f"<{name}{attrs}>{tail}"
    return f"<{name}{attrs}>{_inner_html(element)}</{name}>{tail}"


# --- writing ---------------------------------------------------------------------------------


class _HtmlToXml(HTMLParser):
    """Our sanitised HTML → elements in the QTI namespace (QTI bodies are XHTML)."""

    def __init__(self, parent: Element):
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.last: Element | None = None  # where text goes: .tail of `last`, or .text of the top

    def handle_starttag(self, tag, attrs):
        element = SubElement(self.stack[-1], q(tag), {k: v or "" for k, v in attrs})
        if tag in _VOID:
            self.last = element
        else:
            self.stack.append(element)
            self.last = None

    def handle_startendtag(self, tag, attrs):
        self.last = SubElement(self.stack[-1], q(tag), {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == q(tag):
                self.last = self.stack[depth]
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if self.last is not None:
            self.last.tail = (self.last.tail or "") + data
        else:
            top = self.stack[-1]
            top.text = (top.text or "") + data


def _fill_html(parent: Element, markup: str) -> None:
    parser = _HtmlToXml(parent)
    parser.feed(markup)
    parser.close()


def item_xml(item: ParsedItem, identifier: str) -> bytes:
    register_namespace("", NS)
    correct = [f"C{i + 1}" for i, c in enumerate(item.choices) if c.is_correct]
    multiple = item.item_type == "multiple"
    attrs = {
        "identifier": identifier,
        "title": identifier,
        "adaptive": "false",
        "time-dependent": "false",
        XML_LANG: item.language or "th",
    }
    if item.subject or item.topic:
        attrs["label"] = f"{item.subject}/{item.topic}"
    root = Element(q("qti-assessment-item"), attrs)
    declaration = SubElement(
        root,
        q("qti-response-declaration"),
        {
            "identifier": "RESPONSE",
            "cardinality": "multiple" if multiple else "single",
            "base-type": "identifier",
        },
    )
    values = SubElement(declaration, q("qti-correct-response"))
    for identifier_ in correct:
        SubElement(values, q("qti-value")).text = identifier_
    per_choice = multiple and item.answer_spec.get("partial_credit") in ("per_choice", "proportional")
    if per_choice:
        share = 1 / (len(correct) or 1)
        mapping = SubElement(
            declaration, q("qti-mapping"), {"lower-bound": "0", "upper-bound": "1", "default-value": "0"}
        )
        for i, choice in enumerate(item.choices):
            SubElement(
                mapping,
                q("qti-map-entry"),
                {"map-key": f"C{i + 1}", "mapped-value": f"{share if choice.is_correct else -share:.5f}"},
            )
    SubElement(
        root,
        q("qti-outcome-declaration"),
        {"identifier": "SCORE", "cardinality": "single", "base-type": "float"},
    )
    maximum = SubElement(
        root,
        q("qti-outcome-declaration"),
        {"identifier": "MAXSCORE", "cardinality": "single", "base-type": "float"},
    )
    SubElement(SubElement(maximum, q("qti-default-value")), q("qti-value")).text = item.points or "1"
    body = SubElement(root, q("qti-item-body"))
    interaction = SubElement(
        body,
        q("qti-choice-interaction"),
        {
            "response-identifier": "RESPONSE",
            "max-choices": "0" if multiple else "1",
            "min-choices": "0",
            "shuffle": "false",
        },
    )
    _fill_html(SubElement(interaction, q("qti-prompt")), item.stem)
    for i, choice in enumerate(item.choices):
        _fill_html(SubElement(interaction, q("qti-simple-choice"), {"identifier": f"C{i + 1}"}), choice.text)
    SubElement(
        root, q("qti-response-processing"), {"template": MAP_RESPONSE if per_choice else MATCH_CORRECT}
    )
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def manifest_xml(entries: list[tuple[str, str]]) -> bytes:
    register_namespace("", CP_NS)
    manifest = Element(f"{{{CP_NS}}}manifest", {"identifier": "MANIFEST-qb-export"})
    metadata = SubElement(manifest, f"{{{CP_NS}}}metadata")
    SubElement(metadata, f"{{{CP_NS}}}schema").text = "QTI Package"
    SubElement(metadata, f"{{{CP_NS}}}schemaversion").text = "3.0.0"
    SubElement(manifest, f"{{{CP_NS}}}organizations")
    resources = SubElement(manifest, f"{{{CP_NS}}}resources")
    for identifier, href in entries:
        resource = SubElement(
            resources, f"{{{CP_NS}}}resource", {"identifier": identifier, "type": ITEM_TYPE, "href": href}
        )
        SubElement(resource, f"{{{CP_NS}}}file", {"href": href})
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        manifest, encoding="utf-8", xml_declaration=False
    )


def write(items: list[ParsedItem]) -> bytes:
    out = io.BytesIO()
    entries = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for number, item in enumerate(items, 1):
            identifier = f"item-{item.identifier or number}"
            href = f"items/{identifier}.xml"
            package.writestr(href, item_xml(item, identifier))
            entries.append((identifier, href))
        package.writestr("imsmanifest.xml", manifest_xml(entries))
    return out.getvalue()


__all__ = ["EXPORTABLE_TYPES", "Position", "parse", "write"]
