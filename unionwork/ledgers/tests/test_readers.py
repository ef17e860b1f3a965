"""Large worksheets read in parts give the rows a whole-sheet read gives, with shared strings cut per part."""

import datetime
import zipfile

import pytest
import xlsxwriter

from unionwork.ledgers import readers
from unionwork.ledgers.readers import _SharedStrings, read_sheets

HEADER = ["姓名", "身份证号", "性别", "出生日期", "手机号", "所在工会", "入会日期", "备注"]


def shared_strings_book(path, rows=6000):
    """A member sheet as Excel saves it (every text in xl/sharedStrings.xml), under a title row, with
    blank rows, rich text, numbers that are also valid string indices, and texts repeated far apart."""
    book = xlsxwriter.Workbook(path)  # not constant_memory: xlsxwriter then writes shared strings, as Excel does
    ws = book.add_worksheet("会员")
    bold, date = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "天运社区会员名册")
    ws.write_row(1, 0, HEADER)
    r = 2
    for i in range(rows):
        if i % 97 == 0:
            r += 3  # blank rows, some of them falling between parts
        ws.write_string(r, 0, f"会员{i:05d}")
        ws.write_string(r, 1, f"11010519800101{i:04d}")
        ws.write_string(r, 2, "男" if i % 2 else "女")
        ws.write_datetime(r, 3, datetime.datetime(1980, 1, 1) + datetime.timedelta(days=i), date)
        ws.write_number(r, 4, i % 50)  # numbers that are also indices of strings the part does not use
        ws.write_string(r, 5, "天运社区第一联合基层工会委员会" if i % 3 else f"工会{i % 7}")
        if i % 11 == 0:
            ws.write_rich_string(r, 7, "重点", bold, "帮扶", "对象")
        elif i % 5 == 0:
            ws.write_string(r, 7, HEADER[i % len(HEADER)] + "备注")  # a text first seen at the top, used late
        r += 1
    book.close()
    return path


def rows_of(path, split):
    out = []
    for sheet in read_sheets(path, "members", split=split):
        out.extend((number, list(cells)) for number, cells in sheet.rows)
        if sheet.width:
            for _, cells in out:
                sheet.widen(cells)
    return out


@pytest.mark.parametrize("cut_shared", [True, False])
def test_sheet_read_in_parts_is_the_sheet_read_whole(tmp_path, monkeypatch, cut_shared):
    path = shared_strings_book(tmp_path / "会员.xlsx")
    whole = rows_of(path, split=False)
    given = []
    monkeypatch.setattr(readers, "SPLIT_BYTES", 0)
    monkeypatch.setattr(readers, "FIRST_PART_BYTES", 4000)
    monkeypatch.setattr(readers, "PART_BYTES", 50_000)
    monkeypatch.setattr(readers, "SHARED_CUT_BYTES", 0 if cut_shared else 10**9)
    for_part = _SharedStrings.for_part
    monkeypatch.setattr(_SharedStrings, "for_part", lambda self, part: given.append(for_part(self, part)) or given[-1])
    parts = rows_of(path, split=True)
    assert len(whole) > 6000 and parts == whole
    number, cells = next((number, cells) for number, cells in whole if cells[0])  # after three blank rows
    assert number == 6 and cells[:3] == ["会员00000", "110105198001010000", "女"]
    assert any(cells[7] == "重点帮扶对象" for _, cells in whole)
    if cut_shared:  # each part was given the strings it names, not the whole table
        assert len(given) > 5
        full = zipfile.ZipFile(path).read("xl/sharedStrings.xml")
        assert all(len(table) < len(full) for table in given)
    else:
        assert not given


def table(entries):
    return (b'<?xml version="1.0"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="9" uniqueCount="%d">' % len(entries) + b"".join(entries) + b"</sst>")


PLAIN = [b"<si><t>a</t></si>", b"<si><t>b</t></si>", b'<si><r><t>c</t></r><r><t xml:space="preserve"> d</t></r></si>',
         b"<si><t>e</t></si>", b"<si><t>f</t></si>"]


@pytest.mark.parametrize("entries", [PLAIN, [b"<si/>", *PLAIN[1:3], b'<si foo="1"><t>e</t></si>', b"<si>\n<t>f</t></si>"]])
def test_a_part_is_given_the_entries_it_names_and_empty_ones_in_between(entries):
    shared = _SharedStrings.parse(table(entries))
    part = b'<sheetData><row r="1"><c r="A1" t="s"><v>2</v></c><c r="B1"><v>7</v></c><c r="C1" t="s"><v>4</v></c>' \
           b'<c r="D1"><v>2.5</v></c></row></sheetData>'
    assert shared.for_part(part) == table([b"<si/>", b"<si/>", entries[2], b"<si/>", entries[4]])
    assert shared.for_part(b"<sheetData/>") == table([b"<si/>"] * 5)


@pytest.mark.parametrize("xml", [
    table([b"<x:si><x:t>a</x:t></x:si>"]),  # a namespace prefix
    table([]),  # no entries
    table([b"<si><t>a</t></si>", b"<si><t>b</t>"]),  # an entry never closed
])
def test_a_table_it_cannot_cut_with_certainty_is_given_whole(xml):
    assert _SharedStrings.parse(xml) is None
