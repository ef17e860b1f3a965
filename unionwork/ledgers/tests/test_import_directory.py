"""Enterprise and union ledgers, the downloadable templates, and the command."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from conftest import make_uscc
from unionwork.directory.models import Enterprise, Union
from unionwork.ledgers import services
from unionwork.ledgers.choices import JobStatus

from .conftest import write_xlsx


def run(user, node, path, kind, mode="all-or-nothing"):
    job = services.create_job(user, node=node, kind=kind, source=path, file_name=path.name, mode=mode)
    return services.run_job(job, commit=True)


def test_enterprises_import_upsert_by_uscc(world, tmp_path):
    new = make_uscc()
    rows = [
        ["企业名录"],
        ["统一社会信用代码", "企业名称", "社区", "单位性质", "职工数", "其中女职工", "成立时间"],
        [new.lower(), "天津新开物流有限公司", "天运", "私营", "26人", 10, "2015.6.1"],
        [world.ent_a.uscc, world.ent_a.name, "天运社区", "170 私营", 300, 100, None],
        ["91110000600037341N", "校验错误有限公司", "天运社区", "私营", 5, 1, None],
    ]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "e.xlsx", rows), "enterprises", mode="valid-rows")
    assert job.status == JobStatus.DONE
    assert (job.created, job.updated, job.rejected) == (1, 1, 1)
    ent = Enterprise.objects.get(uscc=new)
    assert ent.node == world.comm_a and ent.employees == 26 and ent.unit_category == "170"
    world.ent_a.refresh_from_db()
    assert world.ent_a.employees == 300
    assert any(p["row"] == 5 and "校验位" in p["reason"] for p in job.problems)
    again = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "e2.xlsx", rows[:4]), "enterprises")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_enterprise_in_another_community_is_rejected(world, tmp_path):
    rows = [["统一社会信用代码", "单位名称", "所属社区"], [make_uscc(), "外社区公司", "鹿源春社区"]]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "e.xlsx", rows), "enterprises")
    assert job.status == JobStatus.REJECTED
    assert "管辖范围" in job.problems[0]["reason"]
    assert not Enterprise.objects.filter(name="外社区公司").exists()


def test_unions_import_founds_and_links_enterprises(world, tmp_path):
    rows = [
        ["工会名称", "所在社区", "建会方式", "成立日期", "工会主席", "工会亮牌子", "主席亮身份", "覆盖企业信用代码"],
        ["天津宏达商贸有限公司工会委员会", "天运社区", "单独建会", "2024-05-01", "王主席", "√", "否", world.ent_a2.uscc],
        [world.union_a.name, "天运社区", "单独", None, "新主席", None, None, None],
    ]
    job = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "u.xlsx", rows), "unions")
    assert job.status == JobStatus.DONE, job.problems
    assert (job.created, job.updated) == (1, 1)
    union = Union.objects.get(name="天津宏达商贸有限公司工会委员会")
    assert union.sign_shown and not union.chair_shown and union.node.parent == world.comm_a
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.union == union
    world.union_a.refresh_from_db()
    assert world.union_a.chair_name == "新主席"
    again = run(world.cadre_a, world.comm_a, write_xlsx(tmp_path / "u2.xlsx", rows), "unions")
    assert again.unchanged == 2 and again.created == again.updated == 0


@pytest.mark.parametrize("kind,required", [("members", "身份证号"), ("enterprises", "统一社会信用代码"),
                                           ("unions", "工会名称")])
def test_template_download_has_columns_dropdowns_and_notes(world, login, kind, required):
    response = login(world.cadre_a).get(f"/ledgers/templates/{kind}.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert required in headers
    assert ws.data_validations.dataValidation, "coded fields should have drop-down lists"
    notes = book["填写说明"]
    assert any(required == row[0] and row[1] == "是" for row in notes.iter_rows(values_only=True))
    # The template itself imports (no rows) without a header problem.


def test_template_lists_only_own_communities(world, login):
    response = login(world.cadre_a).get("/ledgers/templates/enterprises.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = {c.value for row in book["选项"].iter_rows() for c in row}
    assert "天运社区" in values and "鹿源春社区" not in values


def test_command_imports_and_prints_counts(world, tmp_path, capsys):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", "110105194912310021", world.union_a.name]]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    with pytest.raises(SystemExit):
        call_command("import_ledger", str(path), "--kind", "members", "--into", world.comm_a.code,
                     "--user", world.cadre_a.username, "--no-progress")
    out = capsys.readouterr().out
    assert "第2行" in out and "校验位" in out and "没有写入" in out
    rows[1][1] = "11010519491231002X"
    rows[1][0] = "王芳"
    call_command("import_ledger", str(write_xlsx(tmp_path / "m2.xlsx", rows)), "--kind", "members",
                 "--into", world.comm_a.code, "--user", world.cadre_a.username, "--no-progress")
    assert "unchanged 1" in capsys.readouterr().out
