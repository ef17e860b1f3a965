"""Streaming .xlsx export of exactly the rows a list shows."""

import tempfile
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone

from unionwork.accounts.choices import Perm

from . import audit
from .masking import MASKERS


@dataclass
class Column:
    header: str
    get: Any  # callable(row) -> value
    sensitive: str = ""  # key into MASKERS when the value is personal information
    width: int = 14
    sort: str = ""  # ordering key of the list's filter, when the column can be sorted


def wants_reveal(request) -> bool:
    return request.GET.get("reveal") == "1" and request.user.has_role_perm(Perm.REVEAL)


def xlsx_response(request, queryset, columns: list[Column], filename: str, sheet: str = "Sheet1"):
    """Write with xlsxwriter's constant_memory mode to a temp file and stream it back.

    Memory stays flat however many rows; personal fields are masked unless the role may reveal
    them and asked to (then the export is logged).
    """
    reveal = wants_reveal(request)
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    book = xlsxwriter.Workbook(tmp, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    for c, col in enumerate(columns):
        ws.set_column(c, c, col.width)
        ws.write_string(0, c, col.header, head)
    ws.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(queryset.iterator(chunk_size=2000), start=1):
        for c, col in enumerate(columns):
            value = col.get(row)
            if value is None:
                continue
            if col.sensitive and not reveal:
                value = MASKERS[col.sensitive](str(value))
            if isinstance(value, bool):
                ws.write_string(n, c, "是" if value else "否")
            elif isinstance(value, int | float):
                ws.write_number(n, c, value)
            else:
                # Codes stay text, so Excel never turns an ID into 1.10105E+17.
                ws.write_string(n, c, str(value), text)
    if n:
        ws.autofilter(0, 0, n, len(columns) - 1)
    book.close()
    if reveal:
        audit.log_reveal(request.user, None, fields=[c.sensitive for c in columns if c.sensitive],
                         channel="export", detail=f"{filename}：{n}行")
    tmp.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(tmp, as_attachment=True, filename=f"{filename}-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
