"""Member ledgers: messy sheets in, clear problems out, nothing half-written."""

import datetime

import openpyxl
import pytest

from conftest import make_id
from unionwork.core.models import ChangeLog
from unionwork.directory.models import Member, Membership
from unionwork.ledgers import services
from unionwork.ledgers.choices import JobStatus

from .conftest import write_csv, write_xlsx

HEADER = ["序号", "姓名", "身份证号", "性别", "出生日期", "手机号", "所在工会", "入会日期", "农民工"]


def run(user, node, path, mode="all-or-nothing", commit=True, kind="members"):
    job = services.create_job(user, node=node, kind=kind, source=path, file_name=path.name, mode=mode)
    return services.run_job(job, commit=commit)


def problems_by_row(job):
    out = {}
    for p in job.problems:
        out.setdefault(p["row"], []).append(p)
    return out


@pytest.fixture
def clean_rows(world):
    u = world.union_a.name
    return [
        HEADER,
        [1, "孙一", make_id("19800101", 11), "男", None, "13800000001", u, "2019-03-05", "否"],
        [2, "周二", make_id("19810202", 12, female=True), "女", None, "13800000002", u, "2020-01-01", "是"],
    ]


def test_clean_sheet_creates_members_with_history_and_job_record(world, tmp_path, clean_rows):
    path = write_xlsx(tmp_path / "会员.xlsx", clean_rows)
    job = run(world.cadre_a, world.comm_a, path)
    assert job.status == JobStatus.DONE, job.problems
    assert (job.created, job.updated, job.unchanged, job.rejected) == (2, 0, 0, 0)
    assert len(job.file_sha256) == 64 and job.user == world.cadre_a
    sun = Member.objects.get(name="孙一")
    assert sun.union == world.union_a and sun.node == world.union_a.node
    assert sun.is_migrant is False and Member.objects.get(name="周二").is_migrant is True
    assert sun.joined_on == datetime.date(2019, 3, 5)
    assert sun.name_pinyin == "sunyi"
    assert Membership.objects.filter(member=sun, ended_on__isnull=True).count() == 1
    log = ChangeLog.objects.get(object_id=sun.pk, content_type__model="member")
    assert log.source == f"import:{job.pk}" and log.user == world.cadre_a and log.action == "create"


def test_same_file_twice_changes_nothing(world, tmp_path, clean_rows):
    path = write_xlsx(tmp_path / "会员.xlsx", clean_rows)
    run(world.cadre_a, world.comm_a, path)
    before = (Member.objects.count(), ChangeLog.objects.count())
    job = run(world.cadre_a, world.comm_a, path)
    assert (job.created, job.updated, job.unchanged) == (0, 0, 2)
    assert (Member.objects.count(), ChangeLog.objects.count()) == before


def test_changed_cell_updates_and_is_in_history(world, tmp_path, clean_rows):
    run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "a.xlsx", clean_rows))
    clean_rows[1][5] = "13900000009"
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "b.xlsx", clean_rows))
    assert (job.created, job.updated, job.unchanged) == (0, 1, 1)
    sun = Member.objects.get(name="孙一")
    assert sun.phone == "13900000009"
    log = ChangeLog.objects.filter(object_id=sun.pk, action="update").get()
    assert log.source == f"import:{job.pk}" and "phone" in log.changes


def test_messy_sheet_is_understood(world, tmp_path):
    """Title rows, a two-row merged header, synonyms, spaces, full-width digits, lowercase x,
    serial and written dates, √/× — all harmless."""
    u = world.union_a.name
    first = next(make_id("19700101", seq) for seq in range(1, 60) if make_id("19700101", seq).endswith("X"))
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in first[:17]) + "x"  # as typed with a Chinese IME
    rows = [
        ["天运社区会员花名册（2026年）"],
        ["填报单位：天运社区联合工会", None, None, None, None, "填报日期：2026年11月"],
        ["序号", "姓 名", "公民身份号码", "性别", "出生年月", "联系方式", None, "工会名称", "入会时间", "是否农民工"],
        [None, None, None, None, None, "手机", "座机", None, None, None],
        [1, " 孙 一 ", full_width, None, None, " 138 0000 0001 ", "022-1234567", u, 43529, "√"],
        [2, "周二", make_id("19710202", 22, female=True).lower(), "女", datetime.date(1971, 2, 2), None, None, u,
         "2019.3.5", "×"],
        [3, "吴三", make_id("19720303", 23), None, None, None, None, u, "2019年3月5日", "Y"],
        [4, "郑四", make_id("19730404", 24), "男", None, None, None, u, "20190305", "N"],
        [5, "冯五", make_id("19740505", 25), "男", None, None, None, u, "2019/3/5", "是"],
        [None] * 10,
        ["合计", None, None, None, None, None, None, None, None, None],
    ]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "messy.xlsx", rows, text_cols=(2,)))
    assert job.status == JobStatus.DONE, job.problems
    assert job.created == 5 and job.skipped == 2
    sun = Member.objects.get(name="孙一")
    assert sun.id_number == first and sun.phone == "13800000001" and sun.is_migrant
    assert sun.joined_on == datetime.date(2019, 3, 5)
    for name in ("周二", "吴三", "郑四", "冯五"):
        assert Member.objects.get(name=name).joined_on == datetime.date(2019, 3, 5)
    zhou = Member.objects.get(name="周二")
    assert zhou.id_number == make_id("19710202", 22, female=True).upper() and zhou.gender == "F"
    assert Member.objects.get(name="吴三").gender == "M"  # blank gender taken from the ID
    assert Member.objects.get(name="郑四").is_migrant is False
    assert any("座机" in n for n in job.notes)  # unknown columns are named, not silently dropped


def test_problems_name_sheet_row_column_value_and_reason(world, tmp_path):
    u = world.union_a.name
    rows = [
        ["会员名册"],
        HEADER,
        [1, "孙一", 1.10105e17, "男", None, None, u, None, None],
        [2, "周二", make_id("19810202", 12), "女", None, None, u, None, None],
        [3, "吴三", make_id("19820303", 13), "男", datetime.date(1982, 3, 4), "12345", u, "2019-02-30", "也许"],
        [4, "郑四", "36042619910102009X", None, None, None, "不存在的工会", None, None],
    ]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "bad.xlsx", rows, sheet="一月"))
    assert job.status == JobStatus.REJECTED and job.created == 0
    assert Member.objects.filter(name__in=["孙一", "周二", "吴三", "郑四"]).count() == 0
    by_row = problems_by_row(job)
    assert set(by_row) == {3, 4, 5, 6}  # Excel's row numbers: title in 1, header in 2
    sci = by_row[3][0]
    assert sci["sheet"] == "一月" and sci["column"] == "身份证号（C列）"
    assert "无法恢复" in sci["reason"] and "1.10105e+17" in sci["value"]
    assert any("性别" in p["column"] and "不一致" in p["reason"] for p in by_row[4])
    reasons5 = {p["column"].split("（")[0]: p["reason"] for p in by_row[5]}
    assert "出生日期" in reasons5 and "不一致" in reasons5["出生日期"]
    assert "手机号" in reasons5 and "入会日期" in reasons5 and "农民工" in reasons5
    assert "不是真实的日期" in reasons5["入会日期"]
    reasons6 = " ".join(p["reason"] for p in by_row[6])
    assert "校验位" in reasons6 and "不存在的工会" in reasons6


def test_valid_rows_mode_writes_good_rows_and_returns_the_rest(world, tmp_path, clean_rows):
    clean_rows.append([3, "吴三", "110105194912310021", "男", None, None, world.union_a.name, None, None])
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "m.xlsx", clean_rows), mode="valid-rows")
    assert job.status == JobStatus.DONE
    assert (job.created, job.rejected) == (2, 1)
    assert not Member.objects.filter(name="吴三").exists()
    ws = openpyxl.load_workbook(job.rejected_path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原工作表" and rows[0][1] == "原行号" and rows[0][-1] == "错误原因"
    assert rows[1][1] == 4 and "校验位" in rows[1][-1] and "吴三" in rows[1]
    # Fix the rejected row in the returned file and import it again.
    fixed = [list(r) for r in rows]
    fixed[1][fixed[0].index("身份证号")] = make_id("19491231", 31)
    job2 = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "fixed.xlsx", fixed))
    assert job2.status == JobStatus.DONE and job2.created == 1
    assert Member.objects.filter(name="吴三").exists()


def test_member_of_another_union_is_a_conflict_not_a_move(world, tmp_path):
    rows = [HEADER, [1, "张三", world.zhangsan.id_number, "男", None, None, world.union_a2.name, None, None]]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "c.xlsx", rows))
    assert job.status == JobStatus.REJECTED
    assert world.union_a.name in job.problems[0]["reason"] and "转会" in job.problems[0]["reason"]
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.union == world.union_a


def test_rows_outside_scope_are_rejected(world, tmp_path):
    rows = [HEADER + ["所在社区"],
            [1, "孙一", make_id("19800101", 41), "男", None, None, world.union_b.name, None, None, "鹿源春社区"],
            [2, "周二", make_id("19800101", 42), "男", None, None, world.union_c.name, None, None, None]]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "s.xlsx", rows))
    assert job.status == JobStatus.REJECTED and job.problem_count >= 2
    assert Member.objects.filter(name__in=["孙一", "周二"]).count() == 0
    with pytest.raises(Exception, match="管辖范围"):
        services.create_job(world.cadre_a, node=world.comm_b, kind="members", source=tmp_path / "s.xlsx",
                            file_name="s.xlsx")


def test_duplicate_ids_in_one_file(world, tmp_path, clean_rows):
    clean_rows.append([3, "孙一", clean_rows[1][2], "男", None, None, world.union_a.name, None, None])
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "d.xlsx", clean_rows))
    assert job.status == JobStatus.REJECTED
    assert any("第 2 行" in p["reason"] and p["row"] == 4 for p in job.problems)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_writes(world, tmp_path, encoding, clean_rows):
    job = run(world.cadre_a, world.comm_a, write_csv(tmp_path / "m.csv", clean_rows, encoding=encoding))
    assert job.status == JobStatus.DONE, job.problems
    assert job.created == 2 and Member.objects.filter(name="周二").exists()


def test_dry_run_writes_nothing(world, tmp_path, clean_rows):
    path = write_xlsx(tmp_path / "m.xlsx", clean_rows)
    job = services.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path, file_name="m.xlsx",
                              dry_run=True)
    job = services.run_job(job, commit=True)
    assert job.created == 2 and not Member.objects.filter(name="孙一").exists()


def test_masked_export_cannot_be_imported_as_ids(world, tmp_path, login):
    response = login(world.cadre_a).get("/directory/members/?export=xlsx")
    path = tmp_path / "masked.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    job = run(world.cadre_a, world.comm_a, path)
    assert job.status == JobStatus.REJECTED
    assert all("脱敏" in p["reason"] for p in job.problems if "身份证号" in p["column"])


def test_export_with_full_information_reimports_unchanged(world, tmp_path, login):
    response = login(world.cadre_a).get("/directory/members/?export=xlsx&reveal=1")
    path = tmp_path / "full.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    before = list(Member.objects.order_by("pk").values())
    job = run(world.cadre_a, world.comm_a, path)
    assert job.status == JobStatus.DONE, job.problems
    assert job.unchanged == 2 and job.created == job.updated == 0
    assert list(Member.objects.order_by("pk").values()) == before


def test_birth_date_typed_as_a_number_and_same_named_communities(world, tmp_path):
    from unionwork.ledgers.cleaning import date
    from unionwork.org.services import create_node

    assert date(19660619) == datetime.date(1966, 6, 19)
    # A community named like one in another street: the district-wide import must ask which.
    create_node(None, kind="community", name="天运社区", code="D1-S2-X", parent=world.street2)
    rows = [HEADER + ["所在社区"], [1, "孙一", make_id("19800101", 71), "男", None, None, world.union_a.name, None,
                                     None, "天运社区"]]
    job = run(world.district_admin, world.district, write_xlsx(tmp_path / "s.xlsx", rows))
    assert job.status == JobStatus.REJECTED
    assert any("多个" in p["reason"] for p in job.problems)


def test_dates_typed_as_numbers_in_a_column_of_numbers_and_dates(world, tmp_path):
    """A date column holding numbers (20190305 typed as a number, Excel serial days) beside date cells and
    text: each cell read as its own date, and a number that is no date reported on its row."""
    u = world.union_a.name
    rows = [
        HEADER,
        [1, "孙一", make_id("19800101", 81), "男", 19800101, None, u, 43529, "否"],
        [2, "周二", make_id("19810202", 82, female=True), "女", 19810202.0, None, u, 20200101, "否"],
        [3, "吴三", make_id("19820303", 83), "男", datetime.date(1982, 3, 3), None, u, "2021.4.5", "否"],
        [4, "郑四", make_id("19830404", 84), "男", None, None, u, 123456789, "否"],
        [5, "王五", make_id("19840505", 85), "男", 19840506, None, u, 43529.0, "否"],
    ]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "d.xlsx", rows), mode="valid-rows")
    by_row = problems_by_row(job)
    assert sorted(by_row) == [5, 6], job.problems  # the header is row 1
    assert by_row[5][0]["column"].startswith("入会日期") and "不是日期" in by_row[5][0]["reason"]
    assert by_row[6][0]["column"].startswith("出生日期") and "不一致" in by_row[6][0]["reason"]
    joined = dict(Member.objects.filter(name__in=["孙一", "周二", "吴三", "郑四", "王五"])
                  .values_list("name", "joined_on"))
    assert joined == {"孙一": datetime.date(2019, 3, 5), "周二": datetime.date(2020, 1, 1),
                      "吴三": datetime.date(2021, 4, 5)}
    assert Member.objects.get(name="周二").birth_date == datetime.date(1981, 2, 2)
