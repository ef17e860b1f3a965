"""The import pages: upload, check in the background, preview, confirm; scoped like everything else."""

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
