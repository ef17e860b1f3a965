"""Reading .xlsx/.xls/.ods (python-calamine) and .csv (UTF-8, UTF-8 with BOM, GBK/GB18030), finding
the header row under any title rows, and streaming the data rows with the row numbers Excel shows."""

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from .columns import header_index, normalize_header

HEADER_SCAN_ROWS = 30
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数")


class UnreadableFile(ValueError):
    pass


def col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Sheet:
    name: str
    header_row: int  # as Excel numbers it
    columns: dict  # cell index -> key
    headers: dict  # key -> (header text as in the file, column letter)
    unknown: list = field(default_factory=list)
    header_cells: list = field(default_factory=list)  # the header as the file shows it, cell by cell
    rows: object = None  # iterator of (excel row number, list of cells)
    height: int = 0


def _find_header(buffer, index):
    """The (row offset, {cell index: key}, rows used) that best matches the known headers.

    A header may span two rows (merged group cells such as 联系方式 above 手机/座机); the
    sub-header row then names the column where it names a known one.
    """

    def mapped(row):
        return {i: index[h] for i, v in enumerate(row) if (h := normalize_header(v)) in index}

    def unique(mapping):
        seen, clean = set(), {}
        for i in sorted(mapping):  # the same key twice: the first column wins
            if mapping[i] not in seen:
                seen.add(mapping[i])
                clean[i] = mapping[i]
        return clean

    best, best_score = (None, {}, 1), (1, 0)
    for r, row in enumerate(buffer):
        single = unique(mapped(row))
        if len(single) < 2:
            continue
        candidates = [(single, 1)]
        below = mapped(buffer[r + 1]) if r + 1 < len(buffer) else {}
        if below:
            candidates.append((unique({**mapped(row), **below}), 2))
        for mapping, used in candidates:
            score = (len(mapping), used)
            if score > best_score:
                best, best_score = (r, mapping, used), score
    return best


def _make_sheet(name, rows_iter, first_row_number, start_col, kind):
    index = header_index(kind)
    buffer = list(itertools.islice(rows_iter, HEADER_SCAN_ROWS))
    r, mapping, used = _find_header(buffer, index)
    if r is None or len(mapping) < 2:
        return None
    top = buffer[r]
    below = buffer[r + 1] if used == 2 else []
    header_cells = []
    for i in range(max(len(top), len(below))):
        a = top[i] if i < len(top) else ""
        b = below[i] if i < len(below) else ""
        header_cells.append(str(b if (used == 2 and normalize_header(b) in index) or a in ("", None) else a).strip())
    headers, unknown = {}, []
    for i, key in mapping.items():
        headers[key] = (header_cells[i], col_letter(start_col + i))
    for i, v in enumerate(header_cells):
        if i not in mapping and normalize_header(v) and normalize_header(v) not in ("序号", "编号", "NO", "No"):
            unknown.append(v)
    data_start = r + used
    numbered = ((first_row_number + k, row) for k, row in enumerate(itertools.chain(buffer, rows_iter)))
    rows = itertools.islice(numbered, data_start, None)
    return Sheet(name=name, header_row=first_row_number + r, columns=mapping, headers=headers, unknown=unknown,
                 rows=rows, header_cells=header_cells)


def read_sheets(path: str | Path, kind: str) -> list[Sheet]:
    """Every sheet of the file that has a recognisable header for this kind."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [s for s in [_csv_sheet(path, kind)] if s]
    if suffix not in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise UnreadableFile(f"不支持的文件类型“{suffix}”，请上传 .xlsx、.xls 或 .csv 文件")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise UnreadableFile(f"无法读取该文件（{exc.__class__.__name__}）：文件可能已损坏，或不是 Excel 文件") from None
    sheets = []
    for i, meta in enumerate(book.sheets_metadata):
        if str(getattr(meta, "visible", "Visible")).lower().endswith("hidden"):
            continue
        sheet = book.get_sheet_by_index(i)
        start = sheet.start or (0, 0)
        # iter_rows yields rows from the sheet's first row, cells from its first used column.
        made = _make_sheet(sheet.name, sheet.iter_rows(), 1, start[1], kind)
        if made:
            made.height = sheet.height
            sheets.append(made)
    return sheets


def decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别 CSV 文件的编码（支持 UTF-8 与 GBK/GB18030）")


def _csv_sheet(path, kind):
    text = decode_csv(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    made = _make_sheet(path.stem, reader, 1, 0, kind)
    if made:
        made.height = text.count("\n") + 1
    return made


def is_blank(cells) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


def is_total(cells) -> bool:
    for v in cells[:4]:
        if isinstance(v, str) and v.strip():
            s = v.replace(" ", "").replace("\u3000", "")
            return s.startswith(TOTAL_WORDS)
    return False
