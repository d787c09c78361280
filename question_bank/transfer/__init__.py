"""Import and export of items: GIFT, Aiken, Moodle XML, CSV, Excel (Thai template) and QTI 3.0.

One module per format, each with `parse(bytes) -> ParseResult` (items with their line/row, and
errors) and `write(list[ParsedItem]) -> bytes`:

| format     | module        | parser                                                                    |
|------------|---------------|---------------------------------------------------------------------------|
| GIFT       | gift.py       | our own (see below)                                                       |
| Aiken      | aiken.py      | our own (a dozen lines of grammar)                                        |
| Moodle XML | moodle_xml.py | stdlib ElementTree behind defusedxml (xml_source.py: line numbers)        |
| CSV        | csv_file.py   | stdlib csv, over the shared item table (table.py: Thai/English headers)   |
| Excel      | excel.py      | openpyxl (read_only for import; the Thai template on export)              |
| QTI 3.0    | qti.py        | stdlib zipfile + ElementTree behind defusedxml; choice interactions only  |

Why our own GIFT and Aiken parsers: the PyPI candidates were evaluated. `pygiftparser` (last
release 2017) and `pygiftparserrgmf` (0.0.5, 2022) are unmaintained, report no line numbers and
have no tests for non-Latin text; `gift-to-moodlexml` converts GIFT to Moodle XML text rather than
parsing into a model (we would lose positions again); `gift-wrapper` only writes GIFT. No Aiken
parser exists on PyPI. Both grammars are small, and all-or-nothing imports need every error with
its line, so we parse them ourselves (tests/question_bank/test_transfer_*.py cover the grammar).
For XML, ElementTree is maintained with Python and defusedxml (the standard hardening, also used by
Django's own docs' advice) closes entity-expansion and external-entity attacks on uploads. QTI
packages on PyPI (`qti-package-maker`, `citolab-qti-convert`) convert between QTI versions or
build Canvas/Blackboard packages; none reads QTI 3.0 into a plain item model, so qti.py reads the
few elements a choice item needs (qti-assessment-item, qti-response-declaration,
qti-correct-response, qti-choice-interaction, qti-prompt, qti-simple-choice).

Flow: model.py (ParsedItem with its Position; UTF-8/BOM decoding) → importer.py (categories,
validation with ItemData.cleaned(), duplicates by stem_key, one transaction + one audit entry) and
exporter.py (current versions → ParsedItem → a format's writer; audited "items.exported").
What a format cannot carry is documented in its module; GIFT and Moodle XML carry our extras in
comments/elements their other readers ignore, so our own files round-trip completely.
"""

from .exporter import ExportFile, blank_template, export_bank_items, export_items
from .importer import FORMAT_LABELS, FORMATS, ImportReport, format_for_filename, import_items

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "ExportFile",
    "ImportReport",
    "blank_template",
    "export_bank_items",
    "export_items",
    "format_for_filename",
    "import_items",
]
