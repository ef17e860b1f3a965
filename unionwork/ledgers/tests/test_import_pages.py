"""The import pages: upload, check in the background, preview, confirm; scoped like everything else."""

import io

import openpyxl

from conftest import make_id
from unionwork.directory.models import Member
from unionwork.ledgers.models import ImportJob

from .conftest import write_xlsx


def upload(client, path, node, kind="members", mode="all-or-nothing"):
    with open(path, "rb") as f:
        return client.post("/ledgers/", {"kind": kind, "node": node.pk, "mode": mode, "file": f})


def test_upload_check_preview_confirm(world, login, tmp_path):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", make_id("19800101", 51), world.union_a.name],
            ["周二", "110105194912310021", world.union_a.name]]
    client = login(world.cadre_a)
    response = upload(client, write_xlsx(tmp_path / "m.xlsx", rows), world.comm_a)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledgers/jobs/{job.pk}/"
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "问题清单" in page and "校验位" in page and "将新增" in page
    assert not Member.objects.filter(name="孙一").exists()  # checked, not written
    # The fragment the progress poll swaps in.
    fragment = client.get(f"/ledgers/jobs/{job.pk}/", headers={"HX-Request": "true", "HX-Target": "job-status"})
    assert fragment.content.decode().lstrip().startswith('<div id="job-status"')
    client.post(f"/ledgers/jobs/{job.pk}/confirm/", {"mode": "valid-rows"})
    job.refresh_from_db()
    assert job.status == "done" and job.created == 1 and job.rejected == 1
    assert Member.objects.filter(name="孙一").exists() and not Member.objects.filter(name="周二").exists()
    rejected = client.get(f"/ledgers/jobs/{job.pk}/rejected.xlsx")
    assert rejected.status_code == 200


def test_other_community_cannot_see_or_confirm_a_job(world, login, tmp_path):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", make_id("19800101", 52), world.union_a.name]]
    upload(login(world.cadre_a), write_xlsx(tmp_path / "m.xlsx", rows), world.comm_a)
    job = ImportJob.objects.get()
    other = login(world.cadre_b)
    assert other.get(f"/ledgers/jobs/{job.pk}/").status_code == 404
    assert other.post(f"/ledgers/jobs/{job.pk}/confirm/", {"mode": "valid-rows"}).status_code == 404
    assert other.get(f"/ledgers/jobs/{job.pk}/rejected.xlsx").status_code == 404
    listing = other.get("/ledgers/").content.decode()
    assert f"/ledgers/jobs/{job.pk}/" not in listing
    job.refresh_from_db()
    assert job.status == "checked"
    assert not Member.objects.filter(name="孙一").exists()


def test_upload_into_another_community_is_refused(world, login, tmp_path):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", make_id("19800101", 53), world.union_b.name]]
    response = upload(login(world.cadre_a), write_xlsx(tmp_path / "m.xlsx", rows), world.comm_b)
    assert response.status_code == 200  # the form says the choice is not valid
    assert not ImportJob.objects.exists()


def test_viewer_cannot_import(world, login, tmp_path):
    rows = [["姓名", "身份证号", "所在工会"], ["孙一", make_id("19800101", 54), world.union_a.name]]
    response = upload(login(world.viewer), write_xlsx(tmp_path / "m.xlsx", rows), world.street1)
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_new_user_journey_template_rejected_rows_fixed_and_imported(world, login, tmp_path):
    """As a cadre does it the first time: the template filled in as Excel would save it, imported keeping the
    good rows, the rejected rows downloaded, the bad cell corrected in that file, and that file imported."""
    client = login(world.cadre_a)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/ledgers/templates/members.xlsx").content))
    sheet = book.worksheets[0]
    column = {cell.value: cell.column for cell in sheet[1]}
    people = [
        {"姓名": "孙 一", "身份证号": make_id("19800101", 61), "所在工会": world.union_a.name, "入会日期": "2019.3.5",
         "手机号": "138 0000 0061"},
        {"姓名": "周二", "身份证号": make_id("19810202", 62, female=True)[:17] + "0", "所在工会": world.union_a.name},
        {"姓名": "吴三", "身份证号": make_id("19820303", 63).lower(), "所在工会": world.union_a.name,
         "入会日期": "2020年1月1日", "农民工": "√"},
    ]
    for r, person in enumerate(people, start=2):
        for header, value in person.items():
            sheet.cell(r, column[header], value)
    filled = tmp_path / "会员台帐导入模板.xlsx"
    book.save(filled)

    first = upload(client, filled, world.comm_a, mode="valid-rows")
    job = ImportJob.objects.get()
    assert first["Location"] == f"/ledgers/jobs/{job.pk}/"
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "将新增" in page and "<td>3</td><td>身份证号（B列）</td>" in page and "校验位" in page
    client.post(f"/ledgers/jobs/{job.pk}/confirm/", {"mode": "valid-rows"})
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 2, 1), job.problems
    assert [(p["row"], p["column"]) for p in job.problems] == [(3, "身份证号（B列）")]
    sun = Member.objects.get(name="孙一")
    assert (sun.joined_on.isoformat(), sun.phone) == ("2019-03-05", "13800000061")
    assert Member.objects.get(name="吴三").is_migrant

    # The rejected rows: the original row number and the reason beside the row as it was; the cadre corrects
    # the 身份证号 in that file and imports it as it is.
    returned = openpyxl.load_workbook(io.BytesIO(client.get(f"/ledgers/jobs/{job.pk}/rejected.xlsx").getvalue()))
    ws = returned.active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["原工作表", "原行号"] and header[-1] == "错误原因"
    assert ws.cell(2, 2).value == 3 and "校验位" in ws.cell(2, len(header)).value
    ws.cell(2, header.index("身份证号") + 1, make_id("19810202", 62, female=True))
    fixed = tmp_path / "退回行-改正.xlsx"
    returned.save(fixed)
    upload(client, fixed, world.comm_a)
    second = ImportJob.objects.latest("pk")
    second_page = client.get(f"/ledgers/jobs/{second.pk}/").content.decode()
    assert second.status == "checked" and "将新增" in second_page and "问题清单" not in second_page
    client.post(f"/ledgers/jobs/{second.pk}/confirm/", {"mode": "all-or-nothing"})
    second.refresh_from_db()
    assert (second.status, second.created, second.rejected, second.problem_count) == ("done", 1, 0, 0), \
        second.problems
    assert Member.objects.get(name="周二").union == world.union_a

    # The first file again: the two rows it wrote are unchanged, the corrected person is not touched.
    upload(client, filled, world.comm_a, mode="valid-rows")
    again = ImportJob.objects.latest("pk")
    client.post(f"/ledgers/jobs/{again.pk}/confirm/", {"mode": "valid-rows"})
    again.refresh_from_db()
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)
