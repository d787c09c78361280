"""CSV (UTF-8, comma separated, one header row): the stdlib csv module over the item table.

Rows are numbered as a spreadsheet shows them (the header is row 1), so an error's row is the row
the examiner sees when the file is opened in Excel or LibreOffice. Written with a BOM so that
Excel opens Thai text correctly.
"""

import csv
import io

from django.utils.translation import gettext as _

from .model import UTF8_BOM, ParseResult, Position, TransferError, decode_text
from .table import header_row, item_from_row, map_headers, row_from_item


def parse(data: bytes) -> ParseResult:
    result = ParseResult()
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    try:
        headers = next(reader, None)
        if headers is None:
            result.error(Position("row", 1), _("ไฟล์ว่าง (The file is empty)."))
            return result
        keys, errors = map_headers(headers, Position("row", 1))
        if errors:
            result.errors += errors
            return result
        for number, cells in enumerate(reader, 2):
            _read_row(keys, cells, Position("row", number), result)
    except csv.Error as exc:
        result.error(Position("line", reader.line_num), _("CSV ไม่ถูกต้อง (Malformed CSV): %s") % exc)
    return result


def _read_row(keys: list, cells: list[str], position: Position, result: ParseResult) -> None:
    if not any(c.strip() for c in cells):
        return  # blank rows are allowed (and common at the end of exported sheets)
    if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
        result.error(position, _("มีข้อมูลเกินจำนวนคอลัมน์ (More cells than columns)."))
        return
    values = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
    parsed = item_from_row(values, position)
    if isinstance(parsed, list):
        result.errors += parsed
    else:
        result.items.append(parsed)


def write(items) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header_row())
    for item in items:
        writer.writerow(row_from_item(item))
    return UTF8_BOM + out.getvalue().encode("utf-8")


__all__ = ["TransferError", "parse", "write"]
