"""The CSV and HTML twins of a published PDF table: the same rows, in formats people and programs can reuse.

Every published PDF (rank lists, rosters) ships with both, so the data stays usable without the PDF.
"""

import csv
import io
from collections.abc import Sequence
from html import escape

# Spreadsheet formula injection: a cell that starts with one of these is prefixed with an apostrophe in
# the CSV (OWASP "CSV injection"), unless it is a plain number such as -1.5.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    return "" if value is None else str(value)


def _csv_safe(text: str) -> str:
    if text.startswith(_FORMULA_STARTS):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def table_to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads Thai correctly), CRLF line ends, RFC 4180 quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_safe(_cell(h)) for h in headers])
    for row in rows:
        writer.writerow([_csv_safe(_cell(value)) for value in row])
    return out.getvalue().encode("utf-8-sig")


def table_to_html(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[object]], *, note: str = ""
) -> str:
    """A standalone, accessible HTML page (lang="th") with the table; every value is escaped."""
    head = "".join(f'<th scope="col">{escape(_cell(h))}</th>' for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows)
    note_html = f"<p>{escape(note)}</p>\n" if note else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:Sarabun,'TH Sarabun New',Tahoma,sans-serif;margin:1.5rem}"
        "table{border-collapse:collapse}th,td{border:1px solid #444;padding:.25rem .5rem;text-align:left}"
        "th{background:#e6e6e6}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n{note_html}"
        f"<table>\n<caption>{escape(title)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>\n</body>\n</html>\n"
    )
