"""Thai PDFs: Sarabun fonts, shaped Thai text that wraps at word boundaries, tables, page furniture, and the
CSV/HTML twins of every published table.

    from exam_platform.common.pdf import ThaiParagraph, build_pdf, thai_style, thai_table

Names are imported lazily so that importing this package (e.g. only for the twins) does not load reportlab.
"""

import importlib

_EXPORTS = {
    "register_thai_fonts": "fonts",
    "thai_style": "styles",
    "ThaiParagraph": "paragraph",
    "layout_lines": "paragraph",
    "thai_table": "table",
    "build_pdf": "document",
    "page_label": "document",
    "PageFurniture": "document",
    "CONTENT_WIDTH": "document",
    "announcement_heading": "announcement",
    "body_paragraph": "announcement",
    "date_line": "announcement",
    "signature_block": "announcement",
    "table_to_csv": "twins",
    "table_to_html": "twins",
    "qr_code": "qr",
    "identifier": "digits",
    "document_digits": "digits",
    "document_digits_for": "digits",
    "convert_digits": "digits",
    "AS_WRITTEN": "digits",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
