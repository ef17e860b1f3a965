"""Reading .xlsx/.xls/.ods (python-calamine) and .csv (UTF-8, UTF-8 with BOM, GBK/GB18030), finding
the header row under any title rows, and streaming the data rows with the row numbers Excel shows."""

import array
import csv
import io
import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

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
    width: object = None  # read in parts: callable giving the sheet's width in cells, once every row is read
    close: object = None  # read in parts: callable stopping the reading thread (rows not read to the end)

    def widen(self, cells: list):
        """Pad a row of this sheet, in place, to the width a whole-sheet read gives every row (read in
        parts, a row is as wide as its part)."""
        width = self.width() if self.width else 0
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))


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
        under = buffer[r + 1] if r + 1 < len(buffer) else []
        below = mapped(under)
        if below and _sub_header(row, under, below):
            candidates.append((unique({**mapped(row), **below}), 2))
        for mapping, used in candidates:
            score = (len(mapping), used)
            if score > best_score:
                best, best_score = (r, mapping, used), score
    return best


def _sub_header(top, under, below) -> bool:
    """Whether the row under a header row is the lower half of a two-row header (手机/座机 under a merged
    联系方式) rather than the first data row that happens to hold a header word (“工会” under 所在工会):
    each cell it fills is a known header, or stands under a blank cell of the top row."""
    for i, v in enumerate(under):
        if i in below or not normalize_header(v):
            continue
        if i < len(top) and normalize_header(top[i]):
            return False
    return True


def _make_sheet(name, rows_iter, first_row_number, start_col, kind):
    index = header_index(kind)
    buffer = list(itertools.islice(rows_iter, HEADER_SCAN_ROWS))
    if callable(start_col):  # known once the first rows are read (a sheet read in parts)
        start_col = start_col()
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
    numbered = zip(itertools.count(first_row_number), itertools.chain(buffer, rows_iter))
    rows = itertools.islice(numbered, data_start, None)
    return Sheet(name=name, header_row=first_row_number + r, columns=mapping, headers=headers, unknown=unknown,
                 rows=rows, header_cells=header_cells)


def read_sheets(path: str | Path, kind: str, split: bool = True) -> list[Sheet]:
    """Every sheet of the file that has a recognisable header for this kind.

    A large .xlsx worksheet is read in parts (split=False: whole), see _split_sheet.
    """
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
    try:
        return _read_book(path, book, suffix, kind, split, sheets)
    except BaseException:
        for s in sheets:
            if s.close:
                s.close()
        raise


def _damaged(sheet_name, exc) -> str:
    return (f"无法读取工作表“{sheet_name}”（{exc.__class__.__name__}）：文件已损坏或不完整，"
            "请用 Excel 打开后另存为新的 .xlsx 文件再导入")


# What reading a damaged zip member raises: a bad CRC, a broken deflate stream, a cut-off file, an
# unsupported compression method, an encrypted member.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)


def _read_book(path, book, suffix, kind, split, sheets):
    members = _worksheet_members(path, book) if split and suffix in (".xlsx", ".xlsm") else {}
    for i, meta in enumerate(book.sheets_metadata):
        if str(getattr(meta, "visible", "Visible")).lower().endswith("hidden"):
            continue
        member = members.get(i)
        if member is not None and member.file_size > SPLIT_BYTES:
            made = _split_sheet(path, i, member, kind)
            if made is not False:  # False: this sheet cannot be cut into parts, read it whole
                if made:
                    sheets.append(made)
                continue
        try:
            sheet = book.get_sheet_by_index(i)
        except Exception as exc:  # noqa: BLE001 - python-calamine's errors on a damaged sheet vary
            raise UnreadableFile(_damaged(meta.name, exc)) from None
        start = sheet.start or (0, 0)
        # iter_rows yields rows from the sheet's first row, cells from its first used column.
        made = _make_sheet(sheet.name, sheet.iter_rows(), 1, start[1], kind)
        if made:
            made.height = sheet.height
            sheets.append(made)
    return sheets


# ------------------------------------------------------------------ large .xlsx worksheets, in parts
#
# python-calamine reads a whole worksheet into memory before giving the first row: some 1.4 KB a row,
# 1.4 GB for a million rows, and nothing can be checked until it has all been read. A large worksheet
# is therefore cut, at row boundaries, into parts of about PART_BYTES of XML, each written with the
# rest of the workbook (styles, shared strings) as a small workbook of its own and read by
# python-calamine in turn, the next one in a background thread (python-calamine lets go of the GIL
# while it parses) while the rows of the one before are checked and written. The cells are the ones
# python-calamine gives for the whole sheet; the rows are numbered and aligned as a whole-sheet read
# numbers and aligns them (see _split_sheet).

SPLIT_BYTES = 48 << 20  # worksheet XML larger than this is read in parts
PART_BYTES = 12 << 20  # about 15,000 rows of a member ledger
FIRST_PART_BYTES = 2 << 20  # smaller, so that checking starts sooner
SHARED_CUT_BYTES = 24 << 20  # shared strings larger than this are given to each part as it needs them
_STUB_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


class Resplit(Exception):
    """A later part has cells left of the first part's first column: read the sheet whole after all."""


def _worksheet_members(path, book) -> dict:
    """{sheet index: ZipInfo of its XML} as listed in xl/workbook.xml, or {} when unsure."""
    try:
        with zipfile.ZipFile(path) as z:
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            wb = ET.fromstring(z.read("xl/workbook.xml"))
            found = {}
            sheets = [e for e in wb.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
            if [e.get("name") for e in sheets] != [m.name for m in book.sheets_metadata]:
                return {}
            for i, e in enumerate(sheets):
                rid = next((v for k, v in e.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
                name = _part_name(targets.get(rid, ""))
                if name in z.NameToInfo and "worksheets/" in name:
                    found[i] = z.getinfo(name)
            return found
    except (KeyError, ET.ParseError, OSError, *ZIP_ERRORS):
        return {}  # read whole: python-calamine says what is wrong, if anything


def _part_name(target: str) -> str:
    """The zip member a relationship of xl/workbook.xml points to."""
    return target.lstrip("/") if target.startswith("/") else os.path.normpath("xl/" + target)


def _shared_strings_name(z) -> str | None:
    """The zip member holding the workbook's shared strings, if it has them."""
    try:
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, *ZIP_ERRORS):
        return None
    for r in rels:
        if r.get("Type", "").endswith("/sharedStrings"):
            name = _part_name(r.get("Target", ""))
            return name if name in z.NameToInfo else None
    return None


_ROW_R = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr="(\d+)"')


def _split_sheet(path, index, member, kind):
    """A Sheet whose rows come from the worksheet cut into parts; None if it has no header for this
    kind; False if it cannot be cut (rows without row numbers, an unusual layout): read it whole."""
    parts = _Parts(path, index, member)
    try:
        first = parts.first()
        if first is None:
            parts.close()
            return False
    except BaseException:
        parts.close()
        raise
    state = {"origin": None, "right": 0}

    def rows():
        """(row index, cells) as a whole-sheet iter_rows gives them: from the first row of the sheet,
        cells from its first used column (the first part's first: a later part further left is Resplit)."""
        next_row = 0
        try:
            for cells_rows, start, end in parts:
                if start is None:
                    continue
                (r0, c0), c1 = start, end[1]
                if state["origin"] is None:
                    state["origin"] = c0
                pad = c0 - state["origin"]
                if pad < 0:
                    raise Resplit
                state["right"] = max(state["right"], c1 + 1 - state["origin"])
                while next_row < r0:  # empty rows between parts: a whole-sheet read gives them too
                    yield []
                    next_row += 1
                lead = [""] * pad
                for cells in cells_rows:
                    yield lead + cells if pad else cells
                next_row = r0 + len(cells_rows)
        finally:
            parts.close()

    iterator = rows()
    try:
        # The first column is known once the first rows are read: _make_sheet asks for it after them.
        made = _make_sheet(parts.sheet_name, iterator, 1, lambda: state["origin"] or 0, kind)
    except BaseException:
        iterator.close()
        parts.close()
        raise
    if made is None:
        iterator.close()
        parts.close()
        return None
    made.height = parts.height_estimate()
    made.width = lambda: state["right"]
    made.close = parts.close
    return made


class _SharedStrings:
    """A workbook's shared strings (xl/sharedStrings.xml), given to each part with only the entries its
    cells may name, the others written <si/> so that every index still names its string.

    Excel and WPS keep every text cell there, 身份证号 and phones included: about 80 bytes a member, so
    that python-calamine, reading the whole table again for each part, read a 1,000,000-member sheet's
    80 MB table forty times over."""

    EMPTY = b"<si/>"
    _ENTRY = re.compile(rb"<si(?:\s[^>]*)?/>|<si(?:\s[^>]*)?>.*?</si>", re.S)
    # Every whole number in a <v> of the part: the indices its t="s" cells name, and numbers of number
    # cells, whose entries are given too but never read.
    _VALUE = re.compile(rb"<v>(\d+)</v>")

    def __init__(self, xml, starts, end):
        self.xml, self.starts, self.count = xml, starts, len(starts) - 1
        self.head, self.tail = xml[:starts[0]], xml[end:]

    @classmethod
    def parse(cls, xml: bytes):
        """The table, or None when its entries cannot all be told apart with certainty (a namespace
        prefix, an entry this does not recognise): each part then carries the whole table, as it is."""
        if b":si" in xml:  # <x:si>: a namespace prefix (or, rarely, text holding ":si": the whole table then)
            return None
        count = xml.count(b"<si")  # the entries (no other element of the table is named si…)
        if not count:
            return None
        if xml.count(b"<si>") == count:  # every entry opens with a plain <si> (Excel, WPS): cut in C
            lengths = map(len, xml.split(b"<si>"))
            head = next(lengths)
            starts = array.array("q", itertools.accumulate(itertools.chain([head], (n + 4 for n in lengths))))
            end = xml.rfind(b"</si>") + 5
            if end <= starts[-2]:
                return None
            starts[-1] = end  # the last entry ends at its </si>, not at the end of the file
        else:
            starts, end = array.array("q"), None
            for m in cls._ENTRY.finditer(xml):
                starts.append(m.start())
                end = m.end()
            if len(starts) != count:
                return None
            starts.append(end)  # entry i is xml[starts[i]:starts[i + 1]], with any space after it
        return cls(xml, starts, end)

    def for_part(self, part: bytes) -> bytes:
        """The table as the part needs it: each run of consecutive entries its numbers name, cut out whole."""
        xml, starts, count = self.xml, self.starts, self.count
        used = sorted(map(int, set(self._VALUE.findall(part))))
        out, at, i, n = [self.head], 0, 0, len(used)  # at: the first entry not given yet
        while i < n and used[i] < count:
            j = i
            while j + 1 < n and used[j + 1] == used[j] + 1 and used[j + 1] < count:
                j += 1
            out.append(self.EMPTY * (used[i] - at))
            out.append(xml[starts[used[i]]:starts[used[j] + 1]])
            at, i = used[j] + 1, j + 1
        out.append(self.EMPTY * (count - at))
        out.append(self.tail)
        return b"".join(out)


class _Parts:
    """The parts of one worksheet, cut, written and read one ahead in a background thread."""

    def __init__(self, path, index, member):
        self.path, self.index, self.member = path, index, member
        self.dir = tempfile.mkdtemp(prefix="ledger-parts-")
        self.ready = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.thread = None
        self.sheet_name = ""
        self.dimension_rows = None
        self.first_density = 0  # rows per byte of XML in the first part
        self.shared = None  # (zip member, _SharedStrings) when each part is given its own shared strings

    # ----- the background thread

    def _cut(self):
        """Yield the XML of each part: the worksheet's head, some whole rows, the closing tags."""
        with zipfile.ZipFile(self.path) as z, z.open(self.member) as f:
            others = []
            for info in z.infolist():
                if info.filename == self.member.filename or info.filename.startswith("xl/media/"):
                    continue
                data = _STUB_SHEET if "worksheets/" in info.filename and info.filename.endswith(".xml") \
                    else z.read(info)
                others.append((info.filename, data))
            self.others = others
            shared = _shared_strings_name(z)
            buf = b""
            while True:
                block = f.read(1 << 20)
                buf += block
                m = re.search(rb"<([A-Za-z_][\w.-]*:)?sheetData(\s[^>]*)?(/?)>", buf)
                if m or not block:
                    break
            if not m or m.group(3):
                return  # no rows at all, or a layout this does not know: read whole
            prefix = m.group(1) or b""
            sst = dict(others).get(shared, b"")
            # Cells written <c …><v>…</v></c>, as _SharedStrings.for_part reads them; a smaller table costs
            # python-calamine no more to read again than it costs to cut (200,000 members: 16 MB, 0.3 s more).
            if len(sst) > SHARED_CUT_BYTES and not prefix:
                table = _SharedStrings.parse(sst)
                if table is not None:
                    self.others = [(name, data) for name, data in others if name != shared]
                    self.shared = (shared, table)
            root = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?worksheet)[\s>]", buf)
            if not root:
                return
            dim = re.search(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"', buf[:m.start()])
            self.dimension_rows = int(dim.group(1)) if dim else None
            head = re.sub(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>", b"", buf[:m.end()])
            tail = b"</" + prefix + b"sheetData></" + root.group(1) + b">"
            end_tag = b"</" + prefix + b"sheetData>"
            row_tag = b"<" + prefix + b"row"
            buf = buf[m.end():]
            size = FIRST_PART_BYTES
            while True:
                done = end_tag in buf
                if not done and len(buf) < size:
                    block = f.read(4 << 20)
                    if block:
                        buf += block
                        continue
                    done = True
                if done:
                    stop = buf.find(end_tag)
                    yield head + (buf[:stop] if stop >= 0 else buf) + tail
                    return
                cut = self._row_start(buf, row_tag, size)
                if cut is None:  # no numbered row start in what is read: read on
                    block = f.read(4 << 20)
                    if not block:
                        yield head + buf + tail
                        return
                    buf += block
                    continue
                yield head + buf[:cut] + tail
                buf = buf[cut:]
                size = PART_BYTES

    @staticmethod
    def _row_start(buf, row_tag, at):
        """Where the first row at or after `at` begins, if that row carries its number (r="…")."""
        pos = at
        while True:
            j = buf.find(row_tag, pos)
            if j < 0 or j + len(row_tag) >= len(buf):
                return None
            if buf[j + len(row_tag)] in b" \t\r\n>" and _ROW_R.match(buf, j, min(len(buf), j + 400)):
                return j
            pos = j + 1

    def _run(self):
        from python_calamine import CalamineWorkbook

        try:
            for n, xml in enumerate(self._cut()):
                if self.stop.is_set():
                    return
                part = os.path.join(self.dir, f"part{n}.xlsx")
                with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as out:
                    for name, data in self.others:
                        out.writestr(name, data)
                    if self.shared:
                        out.writestr(self.shared[0], self.shared[1].for_part(xml))
                    out.writestr(self.member.filename, xml)
                part_bytes = len(xml)
                del xml
                book = CalamineWorkbook.from_path(part)
                sheet = book.get_sheet_by_index(self.index)
                self.sheet_name = sheet.name
                start, end = sheet.start, sheet.end
                rows = sheet.to_python(skip_empty_area=True) if start is not None else []
                del sheet, book
                os.remove(part)
                if n == 0 and rows:
                    self.first_density = (len(rows) + start[0]) / max(1, part_bytes)
                self._put((rows, start, end))
            self._put(None)
        except (CalamineError, *ZIP_ERRORS) as exc:  # a damaged file: said so, in the reading thread
            self._put(UnreadableFile(_damaged(self.sheet_name or f"第 {self.index + 1} 个工作表", exc)))
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
            self._put(exc)

    def _put(self, item):
        while not self.stop.is_set():
            try:
                self.ready.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    # ----- the reading thread

    def first(self):
        """Start, and wait for the first part; None when the sheet cannot be cut into parts."""
        self.thread = threading.Thread(target=self._run, name="ledger-parts", daemon=True)
        self.thread.start()
        item = self.ready.get()
        if isinstance(item, BaseException):
            raise item
        self.pending = item
        return item

    def __iter__(self):
        item, self.pending = self.pending, None
        while item is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
            item = self.ready.get()

    def height_estimate(self):
        """For the progress bar: the rows <dimension> declares, or as many as the first part suggests."""
        return self.dimension_rows or int(self.member.file_size * self.first_density)

    def close(self):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
        shutil.rmtree(self.dir, ignore_errors=True)


def decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("无法识别 CSV 文件的编码（支持 UTF-8 与 GBK/GB18030）")


def _csv_rows(reader, name):
    """The rows of a csv.reader; what it cannot parse (a cell of more than csv.field_size_limit()
    characters: in practice a quote never closed) is an UnreadableFile naming the line."""
    try:
        yield from reader
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = (f"有一个单元格超过 {csv.field_size_limit():,} 个字符（Excel 的单元格最多 32,767 个字符），"
                      "多半是引号（\"）没有配对，其后的内容都被当成了一个单元格")
        else:
            reason = f"格式有误（{exc}）"
        raise UnreadableFile(f"无法读取 CSV 文件“{name}”：第 {reader.line_num} 行{reason}；"
                             "请用 Excel 打开检查后另存为 CSV 或 .xlsx 再导入") from None


def _csv_sheet(path, kind):
    text = decode_csv(path.read_bytes())
    reader = _csv_rows(csv.reader(io.StringIO(text, newline="")), path.name)
    made = _make_sheet(path.stem, reader, 1, 0, kind)
    if made:
        made.height = text.count("\n") + 1
    return made


def is_skipped(cells) -> bool:
    """is_blank(cells) or is_total(cells), sooner for the usual row: one whose first cell has text."""
    first = cells[0] if cells else None
    if first.__class__ is str and first.strip():  # not blank, and the cell is_total looks at
        return first.replace(" ", "").replace("\u3000", "").startswith(TOTAL_WORDS)
    return is_blank(cells) or is_total(cells)


def is_blank(cells) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


def is_total(cells) -> bool:
    for v in cells[:4]:
        if isinstance(v, str) and v.strip():
            s = v.replace(" ", "").replace("\u3000", "")
            return s.startswith(TOTAL_WORDS)
    return False
