"""ThaiParagraph: a reportlab flowable that wraps Thai text at word boundaries.

Thai has no spaces between words, so reportlab's Paragraph sees a whole sentence as one word and, when it is
too wide, cuts it anywhere, which tears shaped clusters apart (tone marks drawn as empty boxes). Here we:

1. parse the (reportlab mini-HTML) markup into fragments, so ``<b>``, ``<i>``, ``<u>``, ``<font>`` and
   ``<br/>`` keep working;
2. segment the plain text into words with pythainlp (``newmm``), gluing pieces that must not be separated
   (``ๆ``/``ฯ``/closing punctuation to the word before, opening brackets to the word after, runs of
   latin letters and digits such as ``1/2569`` or a URL);
3. measure every word's *shaped* width (HarfBuzz, the same routine reportlab draws with) and fill lines
   greedily; a word wider than a whole line (a long URL, a narrow table column) is cut between syllables,
   or failing that between Thai character clusters (TCC), never inside a cluster;
4. check each line with reportlab itself (it must lay out as exactly one line) and draw it as a one-line
   Paragraph with shaping on.

The flowable splits across frames and pages between lines. Lines are laid out greedily from any line start,
so a split part lays out exactly as the lines it took from the whole.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.platypus.flowables import Flowable

from .digits import convert_digit_runs, effective_digits
from .styles import thai_style

_EPS = 1e-6
_NO_LINE_START = frozenset("ๆฯ)]}>.,:;!?%”’»…")
_NO_LINE_END = frozenset("([{<“‘«")
_AFTER_NUMBER = frozenset(("น.", "%", "บาท", "คน", "คะแนน", "นาที", "ชั่วโมง", "ปี", "เดือน", "ข้อ", "ราย"))

_WORD, _SPACE, _BREAK = "word", "space", "break"


def _is_thai_letter(ch: str) -> bool:
    """Thai letters, vowels and marks; not the Thai digits ๐-๙, which glue to numbers like latin ones."""
    return "\u0e00" <= ch <= "\u0e7f" and not "\u0e50" <= ch <= "\u0e59"


def _glued_across_space(before: str, word: str) -> bool:
    if word[0] in _NO_LINE_START:
        return True
    if word[0].isdigit() and before.endswith(".") and any(_is_thai_letter(ch) for ch in before):
        return True  # an abbreviation and its number: พ.ศ. 2569, ม.ค. ๒๕๖๙
    return word in _AFTER_NUMBER and before[-1].isdigit()


def _word_ranges(text: str) -> list[tuple[int, int]]:
    """pythainlp word tokens of ``text`` as (start, end) offsets; whitespace runs are their own tokens."""
    from pythainlp.tokenize import word_tokenize

    tokens = word_tokenize(text, engine="newmm", keep_whitespace=True)
    if "".join(tokens) != text:  # never seen, but offsets must be exact
        tokens = _clusters(text)
    ranges, pos = [], 0
    for token in tokens:
        ranges.append((pos, pos + len(token)))
        pos += len(token)
    return ranges


def _finer_pieces(text: str) -> list[str]:
    """A word too wide for a whole line: its syllables, or failing that its character clusters."""
    from pythainlp.tokenize import syllable_tokenize

    pieces = syllable_tokenize(text, engine="dict", keep_whitespace=True)
    if len(pieces) > 1 and "".join(pieces) == text:
        return pieces
    return _clusters(text)


def _clusters(text: str) -> list[str]:
    """Thai character clusters: the smallest pieces that can be drawn apart without breaking shaping."""
    from pythainlp.tokenize import subword_tokenize

    pieces = subword_tokenize(text, engine="tcc")
    return pieces if "".join(pieces) == text else list(text)


@dataclass
class _Line:
    start: int
    end: int
    para: object | None  # a one-line reportlab Paragraph, None for an empty line


class _Source:
    """The parsed text of one paragraph: characters, the fragment each came from, and the break units."""

    def __init__(self, frags, *, digits: str | None):
        chars: list[str] = []
        owners: list[int] = []
        plain = [
            i for i, f in enumerate(frags) if not getattr(f, "lineBreak", False) and not hasattr(f, "cbDefn")
        ]
        texts = dict(zip(plain, convert_digit_runs([frags[i].text for i in plain], digits), strict=True))
        for index, frag in enumerate(frags):
            if getattr(frag, "lineBreak", False):
                while chars and chars[-1] == " ":
                    chars.pop()
                    owners.pop()
                chars.append("\n")
                owners.append(index)
                continue
            if hasattr(frag, "cbDefn"):  # inline images / anchors are not supported in Thai lines
                continue
            text = texts[index]
            for ch in text:
                if ch.isspace():
                    if not chars or chars[-1] in " \n":
                        continue
                    ch = " "
                chars.append(ch)
                owners.append(index)
        while chars and chars[-1] == " ":
            chars.pop()
            owners.pop()
        self.frags = frags
        self.text = "".join(chars)
        self.owners = owners
        self._unit_cache: list[tuple[int, int, str]] | None = None
        self._widths: dict[tuple[int, int], float] = {}

    @property
    def units(self) -> list[tuple[int, int, str]]:
        """Break units, found on first need: a paragraph that fits on one line never segments words
        (pythainlp is most of the cost of a table cell)."""
        if self._unit_cache is None:
            self._unit_cache = self._units()
        return self._unit_cache

    def _units(self) -> list[tuple[int, int, str]]:
        units: list[list] = []
        seg_start = 0
        text = self.text
        for pos in [*(i for i, ch in enumerate(text) if ch == "\n"), len(text)]:
            segment: list[list] = []
            for a, b in _word_ranges(text[seg_start:pos]) if pos > seg_start else []:
                a, b = a + seg_start, b + seg_start
                if text[a:b].isspace():
                    segment.append([a, b, _SPACE])
                    continue
                last = segment[-1] if segment else None
                if last and last[2] == _WORD:
                    glue = (
                        text[a] in _NO_LINE_START
                        or text[last[1] - 1] in _NO_LINE_END
                        or not (_is_thai_letter(text[a]) or _is_thai_letter(text[last[1] - 1]))
                    )
                    if glue:
                        last[1] = b
                        continue
                elif last and len(segment) > 1 and segment[-2][2] == _WORD:
                    before = text[segment[-2][0] : segment[-2][1]]
                    if _glued_across_space(before, text[a:b]):
                        segment.pop()  # "เด็ก ๆ", "พ.ศ. 2569", "09.00 น.": the space does not break
                        segment[-1][1] = b
                        continue
                segment.append([a, b, _WORD])
            units.extend(segment)
            if pos < len(text):
                units.append([pos, pos + 1, _BREAK])
            seg_start = pos + 1
        return [tuple(u) for u in units]

    def pieces(self, start: int, end: int):
        """(fragment, text) runs of text[start:end]."""
        runs = []
        for i in range(start, end):
            owner = self.owners[i]
            if runs and runs[-1][0] == owner:
                runs[-1][1].append(self.text[i])
            else:
                runs.append((owner, [self.text[i]]))
        return [(self.frags[owner], "".join(chars)) for owner, chars in runs]

    def width(self, start: int, end: int) -> float:
        """Shaped width of text[start:end] as reportlab measures it: space-free runs shaped, plus spaces."""
        key = (start, end)
        if key not in self._widths:
            from reportlab.pdfbase.pdfmetrics import stringWidth
            from reportlab.pdfbase.ttfonts import shapeFragWord

            total = 0.0
            run_start = start
            for i in range(start, end + 1):
                if i < end and self.text[i] != " ":
                    continue
                if i > run_start:
                    word = [0.0]
                    for frag, text in self.pieces(run_start, i):
                        word[0] += stringWidth(text, frag.fontName, frag.fontSize)
                        word.append((frag, text))
                    total += shapeFragWord(word)[0]
                if i < end:
                    frag = self.frags[self.owners[i]]
                    total += stringWidth(" ", frag.fontName, frag.fontSize)
                run_start = i + 1
            self._widths[key] = total
        return self._widths[key]

    def line_frags(self, start: int, end: int):
        return [frag.clone(text=text) for frag, text in self.pieces(start, end)]


class ThaiParagraph(Flowable):
    """A flowable paragraph of Thai (and mixed) text, wrapped at word boundaries.

    ``text`` is reportlab paragraph markup (escape user data, or pass ``markup=False``). ``style`` defaults
    to ``thai_style()``; shaping is always on. Digits follow the document being built (see digits.py):
    the text is converted when it is first laid out; ``digits=AS_WRITTEN`` keeps them as written, and
    outside a document ``thai_digits`` turns 0-9 into ๐-๙.
    """

    def __init__(
        self,
        text: str,
        style=None,
        *,
        thai_digits: bool = False,
        markup: bool = True,
        digits: str | None = None,
    ):
        from reportlab.platypus.paraparser import ParaParser

        super().__init__()
        style = style or thai_style()
        if not style.shaping:
            style = _with(style, shaping=1)
        if not markup:
            text = escape(text)
        _style, frags, _bullet = ParaParser().parse(text, style)
        if frags is None:
            raise ValueError(f"Bad paragraph markup in {text[:40]!r}")
        self._frags, self._digits, self._thai_digits = frags, digits, thai_digits
        self._init_part(None, style, 0, None, first=True)

    @property
    def _src(self) -> _Source:
        """The text with its digits converted, built on first layout (inside the document's build, so
        that the document's digit kind applies)."""
        if self._source is None:
            kind = effective_digits(self._digits, thai_digits=self._thai_digits)
            self._source = _Source(self._frags, digits=kind)
            if self._stop is None:
                self._stop = len(self._source.text)
        return self._source

    def _init_part(self, source: _Source | None, style, start: int, stop: int | None, *, first: bool):
        self._source = source
        self.style = style
        self._start = start
        self._stop = stop
        self._first = first
        self._lines: list[_Line] | None = None
        self._wrap_width: float | None = None
        self.width = self.height = 0

    def _part(self, start: int, stop: int | None, *, first: bool) -> ThaiParagraph:
        part = object.__new__(type(self))
        Flowable.__init__(part)
        part._init_part(self._src, self.style, start, stop, first=first)
        return part

    # -- layout ---------------------------------------------------------------------------------------

    def _limits(self, width: float) -> tuple[float, float]:
        style = self.style
        later = width - style.leftIndent - style.rightIndent
        return later - (style.firstLineIndent if self._first else 0), later

    def _line_para(self, start: int, end: int, limit: float):
        from reportlab.platypus import Paragraph

        para = Paragraph("", self._line_style, frags=self._src.line_frags(start, end))
        para.wrap(limit, 1e9)
        return para

    @property
    def _line_style(self):
        style = getattr(self, "_line_style_cache", None)
        if style is None:
            style = _with(
                self.style, firstLineIndent=0, leftIndent=0, rightIndent=0, spaceBefore=0, spaceAfter=0
            )
            self._line_style_cache = style
        return style

    def _one_line(self, limit: float) -> list[_Line] | None:
        """The whole paragraph as one line when it fits (the common case in table cells), else None."""
        src = self._src
        end = len(src.text)
        if self._start != 0 or self._stop != end or not end or "\n" in src.text:
            return None
        if src.width(0, end) > limit + _EPS:
            return None
        para = self._line_para(0, end, limit)
        return [_Line(0, end, para)] if len(para.blPara.lines) <= 1 else None

    def _layout(self, width: float) -> list[_Line]:
        src = self._src
        first_limit, later_limit = self._limits(width)
        single = self._one_line(first_limit)
        if single is not None:
            return single
        lines: list[_Line] = []
        queue = deque(
            (max(a, self._start), min(b, self._stop), kind)
            for a, b, kind in src.units
            if b > self._start and a < self._stop
        )
        current: list[tuple[int, int]] = []
        current_width = gap = 0.0

        def limit() -> float:
            return first_limit if not lines else later_limit

        def close_line():
            nonlocal current, current_width, gap
            while True:
                start, end = current[0][0], current[-1][1]
                para = self._line_para(start, end, limit())
                if len(para.blPara.lines) <= 1:
                    break
                if len(current) == 1:  # a lone cluster wider than the line: never let reportlab cut it
                    para = self._line_para(start, end, src.width(start, end) + 1)
                    break
                a, b = current.pop()
                queue.appendleft((a, b, _WORD))
            lines.append(_Line(start, end, para))
            current, current_width, gap = [], 0.0, 0.0

        while queue:
            a, b, kind = queue.popleft()
            if kind == _BREAK:
                if current:
                    close_line()
                else:
                    lines.append(_Line(a, a, None))
                continue
            if kind == _SPACE:
                if current:
                    gap = src.width(a, b)
                continue
            w = src.width(a, b)
            if not current:
                if w > limit() + _EPS:
                    finer = _finer_pieces(src.text[a:b])
                    if len(finer) > 1:
                        pos, pieces = a, []
                        for piece in finer:
                            pieces.append((pos, pos + len(piece), _SPACE if piece.isspace() else _WORD))
                            pos += len(piece)
                        queue.extendleft(reversed(pieces))
                        continue
                current, current_width, gap = [(a, b)], w, 0.0
            elif current_width + gap + w > limit() + _EPS:
                queue.appendleft((a, b, kind))
                close_line()
            else:
                current.append((a, b))
                current_width += gap + w
                gap = 0.0
        if current:
            close_line()
        return lines

    # -- Flowable protocol ----------------------------------------------------------------------------

    def wrap(self, availWidth, availHeight):
        if self._lines is None or self._wrap_width != availWidth:
            self._lines = self._layout(availWidth)
            self._wrap_width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = int((availHeight + _EPS) // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        boundary = self._lines[fit].start
        head = self._part(self._start, boundary, first=self._first)
        tail = self._part(boundary, self._stop, first=False)
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self):
        style = self.style
        y = self.height
        for index, line in enumerate(self._lines or []):
            y -= style.leading
            if line.para is None:
                continue
            x = style.leftIndent + (style.firstLineIndent if index == 0 and self._first else 0)
            line.para.drawOn(self.canv, x, y)

    def minWidth(self):
        style = self.style
        widest = max((self._src.width(a, b) for a, b, kind in self._src.units if kind == _WORD), default=0)
        return widest + style.leftIndent + style.rightIndent + max(style.firstLineIndent, 0)

    # -- inspection -----------------------------------------------------------------------------------

    def line_texts(self, width: float | None = None) -> list[str]:
        """The text of each laid-out line (wrap first, or pass the width)."""
        if width is not None:
            self.wrap(width, 1e9)
        return [self._src.text[line.start : line.end] for line in self._lines or []]

    def line_runs(self, width: float | None = None) -> list[list[tuple[str, str]]]:
        """Each line as (font name, text) runs, e.g. [[("Sarabun-Bold", "ตัวหนา"), ("Sarabun", "ปกติ")]]."""
        if width is not None:
            self.wrap(width, 1e9)
        return [
            [(frag.fontName, text) for frag, text in self._src.pieces(line.start, line.end)]
            for line in self._lines or []
        ]

    def line_widths(self, width: float | None = None) -> list[float]:
        """Drawn width of each line, as reportlab laid it out."""
        if width is not None:
            self.wrap(width, 1e9)
        widths = []
        for line in self._lines or []:
            if line.para is None:
                widths.append(0.0)
                continue
            bl = line.para.blPara
            extra = bl.lines[0].extraSpace if bl.kind == 1 else bl.lines[0][0]
            widths.append(line.para.width - extra)
        return widths

    def getPlainText(self) -> str:
        return self._src.text[self._start : self._stop]

    def __repr__(self):
        return f"<ThaiParagraph {self.getPlainText()[:30]!r}>"


def _with(style, **changes):
    from reportlab.lib.styles import ParagraphStyle

    new = ParagraphStyle(name=f"{style.name}*", parent=style)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def layout_lines(text: str, width: float, style=None, **kwargs) -> list[str]:
    """Lay ``text`` out at ``width`` points and return the lines' text."""
    return ThaiParagraph(text, style, **kwargs).line_texts(width)
