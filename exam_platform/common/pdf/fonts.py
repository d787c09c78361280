"""The Sarabun font family, registered with reportlab once, from the installed ``fontpkg_sarabun`` package.

Nothing is downloaded at run time: the TTF files ship inside the wheel. Registration is lazy (on the first
PDF) and idempotent, and safe to call from several threads.
"""

import threading
from pathlib import Path

FONT_FAMILY = "Sarabun"
REGULAR = "Sarabun"
BOLD = "Sarabun-Bold"
ITALIC = "Sarabun-Italic"
BOLD_ITALIC = "Sarabun-BoldItalic"

FONT_FILES = {
    REGULAR: "Sarabun-Regular.ttf",
    BOLD: "Sarabun-Bold.ttf",
    ITALIC: "Sarabun-Italic.ttf",
    BOLD_ITALIC: "Sarabun-BoldItalic.ttf",
}

_lock = threading.Lock()
_registered = False


def _glyph_text(glyph_name: str) -> str | None:
    """'uni0E49.small' -> '\u0e49', 'uni0E4D0E49' -> '\u0e4d\u0e49'; None if the name says nothing."""
    base = glyph_name.split(".")[0]
    if not base.startswith("uni") or len(base) < 7 or (len(base) - 3) % 4:
        return None
    try:
        return "".join(chr(int(base[i : i + 4], 16)) for i in range(3, len(base), 4))
    except ValueError:
        return None


def _to_unicode_cmap(font_name: str, texts: list[str]) -> str:
    entries = [f"<{i:02X}> <{''.join(f'{ord(ch):04X}' for ch in text)}>" for i, text in enumerate(texts)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo\n<< /Registry ({font_name})\n/Ordering ({font_name})\n/Supplement 0\n>> def",
            f"/CMapName /{font_name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(texts) - 1:02X}>",
            "endcodespacerange",
            f"{len(texts)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def _thai_ttfont_class():
    """TTFont whose ToUnicode map sends HarfBuzz's alternate glyphs back to their characters.

    Shaping picks glyphs such as 'uni0E48.small' (the low tone mark of ที่) that have no code point;
    reportlab gives them private-use ones, so copying or searching the PDF would lose the tone marks
    ("ที่" -> "ที"): a candidate could not find their own name in a published list.
    """
    from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

    class ThaiTTFont(TTFont):
        def addObjects(self, doc):
            state = self.state.get(doc)
            subsets = [list(subset) for subset in state.subsets] if state else []
            super().addObjects(doc)
            private = {code: name for name, code in getattr(self, "_TTFont__hbUnis", {}).items()}
            if not private:
                return
            for n, subset in enumerate(subsets):
                if not any(code in private for code in subset):
                    continue
                base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
                stream = doc.idToObject.get("toUnicodeCMap:" + base)
                if stream is None:
                    continue
                texts = [
                    (_glyph_text(private[code]) or chr(code)) if code in private else chr(code)
                    for code in subset
                ]
                stream.content = _to_unicode_cmap(base, texts)

    return ThaiTTFont


def font_dir() -> Path:
    import fontpkg_sarabun

    return Path(fontpkg_sarabun.ROOT) / "files"


def font_name(*, bold: bool = False, italic: bool = False) -> str:
    if bold:
        return BOLD_ITALIC if italic else BOLD
    return ITALIC if italic else REGULAR


def register_thai_fonts() -> str:
    """Register Sarabun (regular, bold, italic, bold italic) as a family; return the family name."""
    global _registered
    if _registered:
        return FONT_FAMILY
    with _lock:
        if _registered:
            return FONT_FAMILY
        from reportlab.pdfbase import pdfmetrics

        font_class = _thai_ttfont_class()
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in FONT_FILES.items():
            if name not in known:
                pdfmetrics.registerFont(font_class(name, str(font_dir() / filename)))
        pdfmetrics.registerFontFamily(
            FONT_FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
        )
        if not pdfmetrics.getFont(REGULAR).shapable:
            # Without HarfBuzz, Thai tone marks and vowels collide: refuse rather than print garbage.
            raise RuntimeError("uharfbuzz is missing: Thai text cannot be shaped (pip install uharfbuzz)")
        _registered = True
    return FONT_FAMILY
