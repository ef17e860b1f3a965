"""Files that once crashed the importer (found by test_import_fuzz.py): each ends in a clear Chinese message."""

import io
import sys
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from conftest import make_id, make_uscc
from unionwork.activities.models import TrainingSession
from unionwork.core.uploads import check_upload
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.ledgers import readers, services
from unionwork.ledgers.choices import JobStatus
from unionwork.ledgers.cleaning import CellError, count

from .conftest import write_csv, write_xlsx


@pytest.fixture(autouse=True)
def _own_files(settings, tmp_path):
    # Progress files and stored uploads of this run only: other test runs use var/ at the same time.
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


def run(world, path, kind="members", mode="all-or-nothing"):
    job = services.create_job(world.cadre_a, node=world.comm_a, kind=kind, source=path, file_name=path.name, mode=mode)
    return services.run_job(job, commit=True)


def member_rows(world, n):
    return [["姓名", "身份证号", "所在工会"],
            *[[f"会员{i}", make_id("19800101", 400 + i), world.union_a.name] for i in range(n)]]


# ------------------------------------------------------------------ CSV: a cell over csv's field limit


@pytest.mark.parametrize("mode", ["all-or-nothing", "valid-rows"])
def test_csv_with_a_quote_never_closed_fails_with_the_line(world, tmp_path, mode):
    """Was: _csv.Error: field larger than field limit (131072), raised out of run_job. The row is past the
    rows read for the header, so the error comes while rows are being written: nothing may stay."""
    path = write_csv(tmp_path / "会员.csv", member_rows(world, 40))
    path.write_bytes(path.read_bytes() + ('孙二,"' + "长" * 140_000 + "\n").encode("utf-8"))
    before = Member.objects.count()
    job = run(world, path, mode=mode)
    assert job.status == JobStatus.FAILED
    assert "第 42 行" in job.error and "引号" in job.error and "会员.csv" in job.error
    assert Member.objects.count() == before


def test_csv_field_limit_in_the_header_rows(world, tmp_path):
    path = tmp_path / "企业.csv"
    path.write_bytes(("统一社会信用代码,单位名称\n" + '"' + "a" * 200_000).encode("gbk"))
    job = run(world, path, kind="enterprises")
    assert job.status == JobStatus.FAILED and "第 2 行" in job.error


# ------------------------------------------------------------------ counts: huge numbers and odd digits


@pytest.mark.parametrize("cell", ["9" * 5000, "𐩀", "2147483648", 1e12, 2**31, float(sys.float_info.max)])
def test_count_refuses_what_an_integer_column_cannot_hold(cell):
    """Was: ValueError (int() of 5000 digits, or of "𐩀", which str.isdigit() accepts)."""
    with pytest.raises(CellError) as exc:
        count(cell)
    assert len(str(exc.value)) < 100  # the cell is quoted cut short


def test_count_still_reads_counts():
    assert count("26人") == 26 and count("２６") == 26 and count("①") == 1 and count("٣") == 3
    assert count(2147483647) == 2147483647 and count(30.0) == 30


def test_huge_employee_count_is_a_problem_on_its_cell(world, tmp_path):
    rows = [["统一社会信用代码", "单位名称", "职工人数"], [make_uscc(), "巨大有限公司", "9" * 5000]]
    job = run(world, write_xlsx(tmp_path / "企业.xlsx", rows), kind="enterprises")
    assert job.status == JobStatus.REJECTED
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "职工人数（C列）")]
    assert "过大" in job.problems[0]["reason"] and len(job.problems[0]["reason"]) < 100


# ------------------------------------------------------------------ the file of rejected rows


def test_rejected_row_with_an_infinite_number_is_returned_as_text(world, tmp_path):
    """Was: TypeError from xlsxwriter (NAN/INF not supported) while writing the rejected rows: the
    largest double, written with 16 digits, reads back as inf."""
    rows = [["统一社会信用代码", "单位名称", "职工人数"], [make_uscc(), "无穷有限公司", sys.float_info.max],
            [make_uscc(), "正常有限公司", 10]]
    job = run(world, write_xlsx(tmp_path / "企业.xlsx", rows), kind="enterprises", mode="valid-rows")
    assert job.status == JobStatus.DONE and (job.created, job.rejected) == (1, 1)
    returned = list(openpyxl.load_workbook(job.rejected_path).active.iter_rows(values_only=True))
    assert returned[1][1] == 2 and "inf" in returned[1]
    assert Enterprise.objects.filter(name="正常有限公司").exists()


# ------------------------------------------------------------------ damaged .xlsx


def damaged_sheet_xlsx(path, world):
    """A valid workbook whose first worksheet's deflate stream is broken (the zip itself reads)."""
    good = write_xlsx(path, member_rows(world, 3)).read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(good)
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start:start + 8] = b"\xff" * 8  # block type 11: an invalid deflate block
    path.write_bytes(bytes(data))
    return path


def test_damaged_worksheet_fails_with_the_sheet_name(world, tmp_path):
    """Was: python_calamine.XmlError (incomplete deflate stream) out of get_sheet_by_index."""
    job = run(world, damaged_sheet_xlsx(tmp_path / "会员.xlsx", world))
    assert job.status == JobStatus.FAILED
    assert "无法读取工作表“Sheet1”" in job.error and "损坏" in job.error


def test_damaged_worksheet_read_in_parts_fails_the_same_way(world, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "SPLIT_BYTES", 0)  # every worksheet is read in parts
    job = run(world, damaged_sheet_xlsx(tmp_path / "会员.xlsx", world))
    assert job.status == JobStatus.FAILED
    assert "无法读取工作表" in job.error and "损坏" in job.error


def test_upload_check_of_a_broken_deflate_stream_is_a_validation_error(world, tmp_path):
    """Was: zlib.error out of check_upload (a 500 on the upload page)."""
    with pytest.raises(ValidationError) as exc:
        check_upload(damaged_sheet_xlsx(tmp_path / "会员.xlsx", world), "ledger")
    assert "已损坏" in exc.value.messages[0]


# ------------------------------------------------------------------ members: text longer than its column


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_member_text_longer_than_its_column_is_a_problem_not_a_database_error(world, tmp_path, fmt):
    """Was: a 51-character name went into the raw INSERT of members: stored as is on SQLite, and
    'value too long for type character varying(50)' (a crash) on PostgreSQL."""
    rows = [["姓名", "身份证号", "所在工会", "技能特长", "备注"],
            ["长" * 51, make_id("19800101", 450), world.union_a.name, "", ""],
            ["孙一", make_id("19800101", 451), world.union_a.name, "电" * 201, "备" * 501],
            ["周二", make_id("19800101", 452), world.union_a.name, "电工", "备" * 500]]
    write = write_xlsx if fmt == "xlsx" else write_csv
    job = run(world, write(tmp_path / f"会员.{fmt}", rows), mode="valid-rows")
    assert job.status == JobStatus.DONE and (job.created, job.rejected) == (1, 2), job.problems
    assert sorted((p["row"], p["column"], p["reason"]) for p in job.problems) == sorted([
        (2, "姓名（A列）", "最多 50 个字符，此格有 51 个"),
        (3, "技能特长（D列）", "最多 200 个字符，此格有 201 个"),
        (3, "备注（E列）", "最多 500 个字符，此格有 501 个")])
    assert list(Member.objects.filter(name__in=["孙一", "周二"]).values_list("name", flat=True)) == ["周二"]


def test_member_text_limits_are_the_model_columns():
    from unionwork.ledgers.columns import MEMBER_COLUMNS

    for col in MEMBER_COLUMNS:
        if hasattr(col.parse, "max_length"):
            assert col.parse.max_length == Member._meta.get_field(col.key).max_length, col.key


def test_long_id_number_is_quoted_cut_short(world, tmp_path):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", "1" * 5000, world.union_a.name]]
    job = run(world, write_xlsx(tmp_path / "会员.xlsx", rows, text_cols=(1,)))
    assert job.status == JobStatus.REJECTED and len(job.problems[0]["reason"]) < 200


# ------------------------------------------------------------------ NUL characters


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["members", "enterprises", "unions", "trainings"])
def test_nul_characters_are_dropped_not_a_database_error(world, tmp_path, kind, fmt):
    """Was, on PostgreSQL: 'PostgreSQL text fields cannot contain NUL (0x00) bytes' for every kind, out
    of run_job: from the row's values, and from the job's problems quoting the cell."""
    bad, good = "2019-02-30\x00", "2019-03-05"
    rows = {"members": [["姓名", "身份证号", "所在工会", "入会日期"],
                        ["周\x00二", make_id("19800101", 461), world.union_a.name, bad],
                        ["孙\x00一", make_id("19800101", 460), world.union_a.name, good]],
            "enterprises": [["统一社会信用代码", "单位名称", "成立日期"], [make_uscc(), "乙\x00公司", bad],
                            [make_uscc(), "甲\x00公司", good]],
            "unions": [["工会名称", "成立日期"], ["乙\x00工会", bad], ["甲\x00工会", good]],
            "trainings": [["培训名称", "日期", "学时", "参训人数"], ["乙\x00培训", bad, 2, 3],
                          ["甲\x00培训", good, 2, 3]]}[kind]
    write = write_xlsx if fmt == "xlsx" else write_csv
    job = run(world, write(tmp_path / f"台帐.{fmt}", rows), kind=kind, mode="valid-rows")
    assert job.status == JobStatus.DONE and (job.created, job.rejected) == (1, 1), job.problems
    assert "\x00" not in job.problems[0]["value"] and "不是真实的日期" in job.problems[0]["reason"]
    model = {"members": Member, "enterprises": Enterprise, "unions": Union, "trainings": TrainingSession}[kind]
    field = "title" if kind == "trainings" else "name"
    assert model.objects.filter(**{f"{field}__startswith": "孙一" if kind == "members" else "甲"}).count() == 1
    assert not any("\x00" in v for v in model.objects.values_list(field, flat=True))


# ------------------------------------------------------------------ the header: a data row taken for a sub-header


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_first_data_row_with_a_header_word_is_not_a_second_header_row(world, tmp_path, fmt):
    """Was: a first data row with a header word in a cell (“工会” under 所在工会, “电话” under 备注) was
    taken for the lower half of a two-row header: the row vanished, counted nowhere, and “电话” even
    turned the 备注 column into the phone column for the whole sheet."""
    rows = [["姓名", "身份证号", "所在工会", "备注"],
            ["孙一", make_id("19800101", 470), "工会", "电话"],
            ["周二", make_id("19800101", 471), world.union_a.name, "电话不详"]]
    write = write_xlsx if fmt == "xlsx" else write_csv
    job = run(world, write(tmp_path / f"会员.{fmt}", rows), mode="valid-rows")
    assert (job.rows_total, job.created, job.rejected) == (2, 1, 1), job.problems
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "所在工会（C列）")]
    assert Member.objects.get(name="周二").note == "电话不详"
