"""Property-based tests of the ledger importer: random cells, random encodings, broken files.

Whatever the file holds, an import ends in a clear state (done, rejected or failed with a Chinese
message), every refused cell is a problem naming its row and column, and nothing is half-written.
Each example runs in a savepoint rolled back after it, so the examples do not see each other.
"""

import csv
import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import gb32100_check, make_id
from unionwork.core.kinds import all_kinds
from unionwork.core.models import ChangeLog
from unionwork.core.uploads import check_upload
from unionwork.directory.models import Enterprise, Member, Membership, Union
from unionwork.directory.selectors import members_with_id_numbers
from unionwork.ledgers import services
from unionwork.ledgers.choices import JobStatus
from unionwork.ledgers.columns import columns_for
from unionwork.ledgers.models import ImportJob
from unionwork.ledgers.readers import is_skipped, read_sheets

# Bounded and the same every run. LEDGER_FUZZ_EXAMPLES=500 for a longer, random run by hand.
LONG_RUN = int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=LONG_RUN or 30, deadline=None, derandomize=not LONG_RUN, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


def examples(n):
    return settings(FUZZ, max_examples=LONG_RUN or n)


# The directory's three, and record kinds (core/kinds.py): one plain, one with relations, one of funds.
RECORD_KINDS = ["trainings", "contracts", "dues"]
KINDS = ["members", "enterprises", "unions", *RECORD_KINDS]
CJK = re.compile(r"[\u4e00-\u9fff]")
MODELS = {"Member": Member, "Membership": Membership, "Enterprise": Enterprise, "Union": Union,
          "ChangeLog": ChangeLog, **{slug: all_kinds()[slug].model for slug in RECORD_KINDS}}
FINAL = {JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED}


@pytest.fixture(autouse=True)
def _own_files(settings, tmp_path):
    # Progress files and stored uploads of this run only: other test runs use var/ at the same time.
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


def counts():
    return {name: model.objects.count() for name, model in MODELS.items()}


def delta(before):
    after = counts()
    return {name: after[name] - before[name] for name in before}


# ------------------------------------------------------------------ cells


@dataclass(frozen=True)
class Formula:
    """A real formula cell (xlsx), with the value Excel cached for it."""

    formula: str
    value: object


@dataclass(frozen=True)
class Styled:
    """A number cell shown through a number format (xlsx): a time, a duration, a date, a percentage."""

    number: float
    num_format: str


FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
CONTROL = "".join(chr(c) for c in [*range(0, 32), 0x7F, 0x85, 0xA0, 0x200B, 0x2028, 0x2029, 0xFEFF])
EMOJI = "😀👍🏻👨‍👩‍👧‍👦🇨🇳🀄𠀀"
CHINESE = "张王李赵孙周天运鹿源春社区工会有限公司委员会男女是否有无√×合计汉族群众本科在职"
ALPHABET = st.sampled_from(FULL_WIDTH + CONTROL + EMOJI + CHINESE + "0123456789Xx-./年月日 ,，、\"'*（）()")

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%d/%m/%Y", "%m/%d/%Y",
                "%Y-%m-%d %H:%M:%S", "%Y-%m", "%Y年%m月", "%y-%m-%d", "%Y-%-m-%-d", "%Y.%-m.%-d"]
BAD_DATES = ["2019-02-30", "0000-00-00", "2019-13-01", "9999-99-99", "00000000", "99999", "73051", "1.5",
             "2019年2月29日", "１９８０－０１－０１", "20190305.0", "—", "/", "2099-12-31", "nan", "inf", "-Infinity",
             "1e999", "1E+17", "0x1F", "²", "①", "٣"]
FORMULAS = ["=1+1", "=SUM(A1:A3)", "+1", "-1+1", "@A1", '=HYPERLINK("http://x","x")', '="合计"', "\t=1",
            "=1/0", "#N/A", "#VALUE!", "=CMD|' /C calc'!A0"]
NUMBERS = [1.10105e17, 110105194912310021, 1.10105194912310e17, 43529, 19660619, 20190305, 0, -1, 1e15, 1e308,
           5e-324, -0.0, 0.1, 2 ** 63, 2 ** 70, 73051, 1.5, 3.14159, 99999999999]

dates = st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31))
date_text = st.builds(lambda d, f: d.strftime(f), st.dates(min_value=datetime.date(1000, 1, 1)),
                      st.sampled_from(DATE_FORMATS))
long_text = st.builds(lambda ch, n: ch * n, st.sampled_from(["长", "a", "😀", " ", "１"]),
                      st.sampled_from([300, 5000, 32767, 40000, 140000]))
nasty = st.one_of(
    st.none(),
    st.just(""),
    st.text(ALPHABET, max_size=20),
    st.text(max_size=10),
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    dates,
    st.datetimes(min_value=datetime.datetime(1900, 3, 1)),
    date_text,
    st.sampled_from(BAD_DATES),
    st.sampled_from(FORMULAS),
    st.builds(Formula, st.sampled_from(["=1+1", "=A1", "=1/0", '="是"']),
              st.one_of(st.integers(-5, 5), st.sampled_from(["是", "", "#DIV/0!"]))),
    long_text,
    st.builds(Styled, st.floats(-1e6, 3e6), st.sampled_from(["hh:mm", "[h]:mm:ss", "yyyy-mm-dd", "0.00%", "@"])),
)


def valid_id():
    return st.builds(lambda y, d, s, f: make_id(f"{y}{d:%m%d}", s, female=f), st.integers(1950, 2005),
                     st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2001, 12, 28)),
                     st.integers(0, 499), st.booleans())


def uscc(n):
    first17 = f"91120101{n:08d}Q"
    return first17 + gb32100_check(first17)


def good_cells(kind, world):
    """Valid values per column key, so that the clean rows of a random sheet are accepted."""
    names = st.sampled_from(["孙一", "周 二", "吴三", "ＺＨＡＮＧ", "欧阳娜娜"])
    day = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2025, 12, 31))
    day_cell = st.one_of(day, day.map(lambda d: d.strftime("%Y.%-m.%-d")), day.map(lambda d: d.strftime("%Y年%m月%d日")))
    yn = st.sampled_from(["是", "否", "√", "×", "Y", "N", None])
    community = st.sampled_from(["天运社区", "天运", None])
    common = {"community": community, "note": st.text(CHINESE, max_size=8), "node": community}
    per_kind = {
        "members": {
            "name": names, "id_number": st.one_of(valid_id(), st.just(world.zhangsan.id_number)),
            "gender": st.none(), "birth_date": st.none(),
            "phone": st.sampled_from(["13800000001", "138 0000 0002", None]),
            "union": st.just(world.union_a.name), "joined_on": day_cell, "is_migrant": yn,
            "ethnicity": st.sampled_from(["汉族", "回族", None]), "education": st.sampled_from(["本科", "大专", None]),
            "political_status": st.sampled_from(["群众", None]), "enterprise_name": st.sampled_from([world.ent_a.name, None]),
            "enterprise_uscc": st.sampled_from([world.ent_a.uscc, None]),
            "membership_status": st.sampled_from(["已入会", None]),
        },
        "enterprises": {
            "uscc": st.one_of(st.integers(1000, 1030).map(uscc), st.just(world.ent_a.uscc)),
            "name": names.map(lambda n: n + "有限公司"), "employees": st.integers(20, 500),
            "female_employees": st.integers(0, 10), "migrant_workers": st.integers(0, 10),
            "unit_category": st.sampled_from(["私营", "170", None]), "industry": st.sampled_from(["制造业", "C", None]),
            "established_on": day_cell,
        },
        "unions": {
            "name": names.map(lambda n: n + "有限公司工会委员会"), "kind": st.sampled_from(["联合", None]),
            "founded_on": day_cell, "chair_name": names, "sign_shown": yn, "staff_home": yn,
            "term_start": st.none(), "term_end": st.none(),
        },
        "trainings": {
            "title": st.sampled_from(["工会干部培训", "财务培训"]), "held_on": day_cell,
            "hours": st.sampled_from([2, 1.5, "3", "4.0"]), "attendees": st.integers(0, 60), "trainer": names,
        },
        "contracts": {
            "title": st.sampled_from(["工资专项集体合同", "女职工专项合同"]),
            "kind": st.sampled_from(["综合集体合同", "工资专项集体合同"]), "reach": st.sampled_from(["单个企业", None]),
            "union": st.sampled_from([world.union_a.name, None]),
            "enterprises": st.sampled_from([world.ent_a.uscc, world.ent_a.name, None]),
            "signed_on": st.sampled_from(["2024-01-05", datetime.date(2024, 1, 5)]),
            "effective_from": st.just("2024.1.10"), "effective_to": st.just("2027年1月9日"),
            "covered_employees": st.integers(0, 60), "wage_increase": st.sampled_from(["3.5%", 2, None]),
            "filing_status": st.sampled_from(["未备案", None]), "filed_on": st.none(), "renews": st.none(),
        },
        "dues": {
            "enterprise": st.sampled_from([world.ent_a.uscc, world.ent_a.name]),
            "period": st.sampled_from(["2026-03", "2026Q1"]), "payroll_base": st.sampled_from([100000, "4,943.50"]),
            "collected": st.sampled_from([2000, "98.87元"]), "returned": st.sampled_from([None, 1200]),
        },
    }
    return {**common, **per_kind[kind]}


# Plausible but wrong: out of scope, another union's employer, a landline for a mobile, a header word.
WRONG = ["鹿源春社区", "朝阳里社区", "天津鑫源物流有限公司工会委员会", "天津恒通科技有限公司", "022-1234567",
         "91110000600037341N", "110105194912310021", "360426199101010071", "女", "1949-12-31",
         "工会", "社区", "单位", "电话", "名称", "备注", "日期"]  # header words typed as cells


@st.composite
def sheet_rows(draw, kind, world):
    """The rows of a sheet of `kind`: title rows, the real header (any synonym, with notes), random cells."""
    cols = columns_for(kind)
    required = [c for c in cols if c.required]
    optional = [c for c in cols if not c.required]
    chosen = required + draw(st.lists(st.sampled_from(optional), unique_by=lambda c: c.key, max_size=6))
    if draw(st.integers(0, 9)) == 0 and len(chosen) > 2:  # now and then a required column is missing
        chosen = chosen[1:]
    chosen = draw(st.permutations(chosen))
    header = [draw(st.sampled_from((c.header, *c.synonyms))) + draw(st.sampled_from(["", "", "*", "（必填）", "\n(选填)"]))
              for c in chosen]
    numbered = draw(st.booleans())
    if numbered:
        header = ["序号", *header]
    good = good_cells(kind, world)
    rows = []
    for n in range(draw(st.integers(1, 5))):
        row = [n + 1] if numbered else []
        clean = draw(st.booleans())
        for c in chosen:
            plausible = good.get(c.key, st.text(CHINESE, min_size=1, max_size=6))
            cell = draw(plausible if clean else st.one_of(plausible, nasty, st.sampled_from(WRONG)))
            if isinstance(cell, str) and cell and draw(st.integers(0, 5)) == 0:  # what a valid cell may carry
                at = draw(st.integers(0, len(cell)))
                cell = cell[:at] + draw(st.sampled_from(["\x00", "\u3000", " ", "\n", "\t", "\xa0"])) + cell[at:]
            row.append(cell)
        if not clean and draw(st.integers(0, 3)) == 0:  # a row cut short, or with cells past the header
            row = row[:draw(st.integers(0, len(row)))] + draw(st.lists(nasty, max_size=2))
        rows.append(row)
    titles = draw(st.sampled_from([[], [["天运社区台帐（2026年）"]], [["填报单位：天运社区"], []]]))
    return [*titles, header, *rows], len(titles)


@st.composite
def sheets(draw, kind, world):
    """[(sheet name, rows, title rows, hidden)]: one sheet, or a few (an .xlsx), some hidden."""
    names = draw(st.lists(st.sampled_from(["Sheet1", "一月", "二月 ", "会员😀", "1", "汇总(2)"]), min_size=1, max_size=3,
                          unique=True))
    return [(name, *draw(sheet_rows(kind, world)), i > 0 and draw(st.integers(0, 3)) == 0)
            for i, name in enumerate(names)]


def rows_below_header(table, titles, fmt):
    """How many rows below the header the importer must account for (imported, refused or skipped): in
    an .xlsx, up to the last row with a cell (an empty string too: it extends the sheet's range)."""
    rows = table[titles + 1:]
    if fmt == "csv":
        return len(rows)
    written = [i for i, row in enumerate(rows) if any(v is not None for v in row)]
    return written[-1] + 1 if written else 0


def xlsx_bytes(rows, sheet="Sheet1", more=()):
    """An .xlsx of one sheet of rows, and more (sheet name, rows, hidden)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    book.set_properties({"created": datetime.datetime(2026, 1, 1)})  # the same bytes every time
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    formats = {}
    for name, table, hidden in [(sheet, rows, False), *more]:
        ws = book.add_worksheet(name)
        if hidden:
            ws.hide()
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    ws.write_formula(r, c, value.formula, None, value.value)
                elif isinstance(value, Styled):
                    fmt = formats.get(value.num_format) or formats.setdefault(
                        value.num_format, book.add_format({"num_format": value.num_format}))
                    ws.write_number(r, c, value.number, fmt)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif isinstance(value, datetime.datetime):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, datetime.date):
                    ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
                else:
                    ws.write_string(r, c, value)
    book.close()
    return buf.getvalue()


def csv_text(rows):
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, Formula):
            return value.formula
        if isinstance(value, Styled):
            return str(value.number)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    buf = io.StringIO()
    csv.writer(buf).writerows([[cell(v) for v in row] for row in rows])
    return buf.getvalue()


# ------------------------------------------------------------------ running and checking


def run(world, tmp_path, data, name, kind, mode="all-or-nothing", commit=True):
    path = tmp_path / name
    path.write_bytes(data)
    job = services.create_job(world.cadre_a, node=world.comm_a, kind=kind, source=path, file_name=name, mode=mode)
    return services.run_job(job, commit=commit)


def run_rolled_back(world, tmp_path, data, name, kind, mode="all-or-nothing", commit=True, then=None):
    """run(), checked by then(job, delta) inside a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        before = counts()
        job = run(world, tmp_path, data, name, kind, mode, commit)
        assert_clear(job)
        d = delta(before)
        if not commit or job.dry_run:
            assert d == dict.fromkeys(d, 0), d
        elif mode == "all-or-nothing" and (job.problem_count or job.status != JobStatus.DONE):
            assert d == dict.fromkeys(d, 0), d  # never a partial import
        assert_written_as_reported(job, d, kind)
        if then:
            then(job, d)
        transaction.set_rollback(True)
    return job


def assert_clear(job):
    """The job ended in a clear state, with a Chinese message when it failed."""
    assert job.status in FINAL | {JobStatus.CHECKED}, job.status
    if job.status == JobStatus.FAILED:
        assert CJK.search(job.error) and "Traceback" not in job.error, job.error
        assert not job.error.startswith("导入程序出错"), job.error
    else:
        assert not job.error, job.error
    for p in job.problems:
        assert set(p) >= {"sheet", "row", "column", "value", "reason"}, p
        assert isinstance(p["row"], int) and p["row"] >= 1, p
        assert p["column"] and CJK.search(p["reason"]), p


def assert_written_as_reported(job, d, kind):
    """What the database gained is what the job says it wrote, whole rows or nothing."""
    written = job.status == JobStatus.DONE and not job.dry_run
    created = job.created if written else 0
    changed = job.created + job.updated if written else 0
    others = {name: n for name, n in d.items() if name != "ChangeLog"}
    model = {"members": "Member", "enterprises": "Enterprise", "unions": "Union"}.get(kind, kind)
    expected = {**dict.fromkeys(others, 0), model: created}
    if kind == "members":
        expected["Membership"] = created
        assert not Member.objects.filter(memberships__isnull=True).exists()  # never a member without its stay
    assert others == expected, (d, job.created, job.updated)
    if kind == "unions":  # founding a union also logs what it covers
        assert (d["ChangeLog"] == 0) == (changed == 0), (d, job.created, job.updated)
    else:
        assert d["ChangeLog"] == changed, (d, job.created, job.updated)


def assert_every_bad_cell_reported(job, path, kind):
    """Each cell its column's parser refuses is a problem on that row and column, and the rows with
    problems are the rejected ones."""
    if any(p["column"] == "表头" for p in job.problems):
        return  # the sheet was not read past its header
    cols = {c.key: c for c in columns_for(kind)}
    reported = {(p["sheet"], p["row"], p["column"]) for p in job.problems}
    bad_rows = set()
    for s in read_sheets(path, kind, split=False):
        for number, cells in s.rows:
            if is_skipped(cells):
                continue
            for index, key in s.columns.items():
                raw = cells[index] if index < len(cells) else None
                try:
                    cols[key].parse(raw)
                except Exception as exc:  # noqa: BLE001 - any refusal must be reported
                    header, letter = s.headers[key]
                    column = f"{header}（{letter}列）".replace("\x00", "")  # as the job stores it
                    assert (s.name, number, column) in reported, (number, key, raw, exc)
                    bad_rows.add((s.name, number))
    problem_rows = {(p["sheet"], p["row"]) for p in job.problems}
    assert bad_rows <= problem_rows
    assert job.rejected == len(problem_rows), (job.rejected, problem_rows)
    assert job.rows_total == job.created + job.updated + job.unchanged + job.rejected


def summary(job):
    return (job.status if job.status != JobStatus.CHECKED else "checked", job.rows_total, job.created, job.updated,
            job.unchanged, job.rejected, job.error,
            sorted((p["row"], p["column"], p["reason"]) for p in job.problems))


# ------------------------------------------------------------------ 1. random cells


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_random_cells_never_crash_and_never_half_write(world, tmp_path, kind):
    """The same random sheet checked, imported all-or-nothing, and imported valid rows only."""

    @FUZZ
    @given(sheet=sheets(kind, world), fmt=st.sampled_from(["xlsx", "csv"]))
    def check(sheet, fmt):
        (first, table, titles, _), *more = sheet
        more = [(n, t, hidden) for n, t, _, hidden in more]
        data = xlsx_bytes(table, first, more) if fmt == "xlsx" else csv_text(table).encode("utf-8-sig")
        name = f"台帐.{fmt}"

        def cells_reported(job, d):
            if job.status != JobStatus.FAILED:
                assert_every_bad_cell_reported(job, tmp_path / name, kind)
                if (fmt == "csv" or not more) and not any(p["column"] == "表头" for p in job.problems):
                    # No row is lost: each one below the header is imported, refused or skipped.
                    assert job.rows_total + job.skipped == rows_below_header(table, titles, fmt), job.rows_total
            if job.mode == "valid-rows" and job.rejected and job.status == JobStatus.DONE:
                assert job.rejected_path

        checked = run_rolled_back(world, tmp_path, data, name, kind, commit=False, then=cells_reported)
        whole = run_rolled_back(world, tmp_path, data, name, kind, then=cells_reported)
        valid = run_rolled_back(world, tmp_path, data, name, kind, mode="valid-rows", then=cells_reported)
        assert checked.status in (JobStatus.CHECKED, JobStatus.FAILED)
        assert whole.status == (JobStatus.DONE if not whole.problem_count and not whole.error else
                                JobStatus.FAILED if whole.error else JobStatus.REJECTED)
        # The check said what the import then did: the same counts and the same problems, whatever the mode.
        assert summary(checked)[1:] == summary(whole)[1:] == summary(valid)[1:]

    check()


# ------------------------------------------------------------------ 2. encodings and broken files

ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252",
             "big5", "shift_jis", "utf-32"]


def member_table(world, n=3):
    return [["天运社区会员花名册"], ["序号", "姓名", "身份证号", "性别", "所在工会", "入会日期", "农民工"],
            *[[i + 1, f"会员{i}", make_id("19800101", 300 + i), "男", world.union_a.name,
               datetime.date(2020, 1, 2), "否"] for i in range(n)]]


def rezip(data, edit):
    """The .xlsx `data` with its members passed through edit(name, bytes) -> bytes or None (left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = edit(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


@st.composite
def broken_files(draw, world):
    """(file name, bytes): CSV in any encoding, a damaged .xlsx, random bytes, an empty file."""
    what = draw(st.sampled_from(["csv", "truncated", "flipped", "member", "random", "empty"]))
    good = xlsx_bytes(member_table(world))
    if what == "csv":
        rows = member_table(world)[1:] + draw(st.lists(st.lists(st.text(ALPHABET, max_size=12), max_size=7),
                                                        max_size=3))
        text = csv_text(rows)
        if draw(st.booleans()):  # a stray quote, a lone CR, a NUL
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(['"', "\r", "\x00", '"\n"', "\ufeff"])) + text[at:]
        encoding = draw(st.sampled_from(ENCODINGS))
        return draw(st.sampled_from(["台帐.csv", "台帐.CSV"])), text.encode(encoding, errors="replace")
    if what == "truncated":
        return "台帐.xlsx", good[:draw(st.integers(0, len(good) - 1))]
    if what == "flipped":
        data = bytearray(good)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= draw(st.integers(1, 255))
        return draw(st.sampled_from(["台帐.xlsx", "台帐.xlsm"])), bytes(data)
    if what == "member":
        with zipfile.ZipFile(io.BytesIO(good)) as z:
            names = z.namelist()
        target = draw(st.sampled_from(names))
        how = draw(st.sampled_from(["drop", "cut", "garbage", "empty", "not-xml"]))
        cut = draw(st.integers(0, 400))
        junk = draw(st.binary(max_size=64))

        def edit(name, body):
            if name != target:
                return body
            return {"drop": None, "cut": body[:cut], "garbage": junk, "empty": b"",
                    "not-xml": b"<?xml version='1.0'?><worksheet><sheetData><row r='x'><c r='!!'><v>1"}[how]

        return draw(st.sampled_from(["台帐.xlsx", "台帐.ods", "台帐.xls"])), rezip(good, edit)
    if what == "random":
        head = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]))
        name = draw(st.sampled_from(["台帐.xlsx", "台帐.xls", "台帐.csv", "台帐.ods", "台帐.xlsm"]))
        return name, head + draw(st.binary(max_size=300))
    return draw(st.sampled_from(["台帐.xlsx", "台帐.xls", "台帐.csv", "台帐.ods"])), b""


@pytest.mark.django_db
def test_broken_files_and_encodings_end_with_a_chinese_message(world, tmp_path):
    @examples(80)
    @given(file=broken_files(world), kind=st.sampled_from(["members", "enterprises"]))
    def check(file, kind):
        name, data = file
        path = tmp_path / name
        path.write_bytes(data)
        try:  # what the page and the command check first
            check_upload(path, "ledger")
        except ValidationError as exc:
            assert all(CJK.search(m) for m in exc.messages), exc.messages
        # The importer must cope on its own too (a file stored before a check was added, say).
        job = run_rolled_back(world, tmp_path, data, name, kind)
        if job.status == JobStatus.FAILED:
            assert job.error
        else:
            assert job.status in (JobStatus.DONE, JobStatus.REJECTED)

    check()


@pytest.mark.django_db
def test_broken_upload_on_the_page_is_never_a_500(world, tmp_path, login):
    client = login(world.cadre_a)

    @examples(12)
    @given(file=broken_files(world))
    def check(file):
        name, data = file
        with transaction.atomic():
            response = client.post("/ledgers/", {"kind": "members", "node": world.comm_a.pk, "mode": "valid-rows",
                                                 "file": SimpleUploadedFile(name, data)})
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:  # the form says why
                assert CJK.search(" ".join(response.context["form"].errors.get("file", []))), \
                    response.context["form"].errors
            else:
                job = ImportJob.objects.latest("pk")
                assert_clear(job)
                assert client.get(response["Location"]).status_code == 200
            transaction.set_rollback(True)

    check()


# ------------------------------------------------------------------ 3. never a partial import


@st.composite
def member_sheets(draw, world):
    """Mostly valid new members, some updates, and a few rows that must be refused (a cell, a duplicate,
    a member of another union, a future date, an unknown employer)."""
    seqs = draw(st.lists(st.integers(0, 499), min_size=1, max_size=25, unique=True))
    rows = [[f"新会员{s}", make_id("19850303", s), world.union_a.name, "2020-01-02", "", ""] for s in seqs]
    rows.append(["张三", world.zhangsan.id_number, world.union_a.name, "", "", draw(st.sampled_from(["", "电工"]))])
    bad = [
        ["坏身份证", "110105194912310021", world.union_a.name, "", "", ""],
        ["重号", rows[0][1], world.union_a.name, "", "", ""],
        ["李四", world.lisi.id_number, world.union_a.name, "", "", ""],  # a member of another union
        ["未来", make_id("19850303", 600), world.union_a.name, "2999-01-01", "", ""],
        ["单位", make_id("19850303", 601), world.union_a.name, "", "不存在的单位", ""],
        ["外区", make_id("19850303", 602), world.union_c.name, "", "", ""],
        ["", make_id("19850303", 603), world.union_a.name, "", "", ""],
        ["日期", make_id("19850303", 604), world.union_a.name, "2019-02-30", "", ""],
    ]
    for b in draw(st.lists(st.sampled_from(bad), max_size=3)):
        rows.insert(draw(st.integers(0, len(rows))), b)
    return [["姓名", "身份证号", "所在工会", "入会日期", "工作单位", "技能特长"], *rows]


@pytest.mark.django_db
def test_members_are_imported_whole_or_not_at_all(world, tmp_path):
    """Also into an empty directory (the bulk path that inserts without looking members up), and
    imported twice: the second time changes nothing."""

    @FUZZ
    @given(table=member_sheets(world), fmt=st.sampled_from(["xlsx", "csv"]), empty=st.booleans())
    def check(table, fmt, empty):
        data = xlsx_bytes(table) if fmt == "xlsx" else csv_text(table).encode("gbk")
        name = f"会员.{fmt}"
        ids = {row[1] for row in table[1:]}
        existing = set() if empty else {world.zhangsan.id_number, world.lisi.id_number}

        def whole_or_nothing(job, d):
            if job.problem_count:
                assert job.status == JobStatus.REJECTED
                assert not Member.objects.filter(name__startswith="新会员").exists()

        def only_valid_rows(job, d):
            assert job.status == JobStatus.DONE
            refused = {p["row"] for p in job.problems}
            for number, row in enumerate(table[1:], start=2):
                members = list(members_with_id_numbers(Member.objects, [row[1]]))
                if number in refused and row[1] not in existing and sum(1 for r in table[1:] if r[1] == row[1]) == 1:
                    assert not members, row  # a refused row left nothing behind
                if number not in refused:
                    assert len(members) == 1, row
                    assert members[0].memberships.filter(ended_on__isnull=True).count() == 1
            assert len(ids) >= job.created
            again = run(world, tmp_path, data, name, "members", mode="valid-rows")
            assert (again.created, again.updated, again.rejected) == (0, 0, job.rejected), again.problems
            assert delta(before_all) == d  # the second import wrote nothing

        with transaction.atomic():
            if empty:
                Membership.objects.all().delete()
                Member.objects.all().delete()
            before_all = counts()
            whole = run_rolled_back(world, tmp_path, data, name, "members", then=whole_or_nothing)
            valid = run_rolled_back(world, tmp_path, data, name, "members", mode="valid-rows", then=only_valid_rows)
            transaction.set_rollback(True)
        assert summary(whole)[1:] == summary(valid)[1:]

    check()
