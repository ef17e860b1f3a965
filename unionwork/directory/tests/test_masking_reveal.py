"""身份证号 and phone are masked everywhere unless a role that may reveal asks; every reveal is logged."""

import pytest

from conftest import xlsx_rows
from unionwork.core.masking import mask_id_number, mask_phone
from unionwork.core.models import RevealLog

pytestmark = pytest.mark.django_db

WANG_ID, WANG_ID_MASKED = "11010519491231002X", "1101**********002X"
WANG_PHONE, WANG_PHONE_MASKED = "13912345678", "139****5678"
ZHANG_ID, ZHANG_ID_MASKED = "110102199101010078", "1101**********0078"
ZHANG_PHONE, ZHANG_PHONE_MASKED = "13812345678", "138****5678"


# ---------------------------------------------------------------- the maskers


def test_mask_id_number_keeps_four_and_four():
    assert mask_id_number(WANG_ID) == WANG_ID_MASKED
    assert mask_id_number("440524188001010014") == "4405**********0014"
    assert mask_id_number("") == ""
    assert mask_id_number("1234") == "****"


def test_mask_phone_keeps_three_and_four():
    assert mask_phone(ZHANG_PHONE) == ZHANG_PHONE_MASKED
    assert mask_phone("022-12345678") == "022*****5678"
    assert mask_phone("") == ""


# ---------------------------------------------------------------- pages and API


def test_member_list_page_is_masked(world, login):
    html = login(world.street_cadre).get("/directory/members/").content.decode()
    assert WANG_ID_MASKED in html and ZHANG_ID_MASKED in html
    assert WANG_PHONE_MASKED in html and ZHANG_PHONE_MASKED in html
    for full in (WANG_ID, ZHANG_ID, WANG_PHONE, ZHANG_PHONE):
        assert full not in html


def test_member_list_fragment_is_masked(world, login, htmx_headers):
    html = login(world.cadre_a).get("/directory/members/", headers=htmx_headers).content.decode()
    assert WANG_ID_MASKED in html and WANG_ID not in html


@pytest.mark.parametrize("who", ["street_cadre", "viewer", "auditor", "cadre_a"])
def test_member_detail_is_masked_for_every_role(world, login, who):
    html = login(getattr(world, who)).get(f"/directory/members/{world.wangfang.pk}/").content.decode()
    assert WANG_ID_MASKED in html and WANG_PHONE_MASKED in html
    assert WANG_ID not in html and WANG_PHONE not in html
    assert not RevealLog.objects.exists()


def test_reveal_button_only_for_roles_that_may_reveal(world, login):
    url = f"/directory/members/{world.wangfang.pk}/reveal/"
    assert url in login(world.cadre_a).get(f"/directory/members/{world.wangfang.pk}/").content.decode()
    assert url not in login(world.viewer).get(f"/directory/members/{world.wangfang.pk}/").content.decode()


def test_enterprise_contact_phone_is_masked_on_pages_and_api(world, login, api):
    html = login(world.cadre_a).get(f"/directory/enterprises/{world.ent_a.pk}/").content.decode()
    assert "136****1111" in html and "13600001111" not in html
    data = api(world.cadre_a).get(f"/api/v1/enterprises/{world.ent_a.pk}").json()
    assert data["contact_phone"] == "136****1111"


def test_api_list_and_detail_are_masked(world, api):
    client = api(world.street_cadre)
    rows = {r["name"]: r for r in client.get("/api/v1/members").json()["results"]}
    assert rows["王芳"]["id_number"] == WANG_ID_MASKED
    assert rows["王芳"]["phone"] == WANG_PHONE_MASKED
    detail = client.get(f"/api/v1/members/{world.zhangsan.pk}")
    assert detail.json()["id_number"] == ZHANG_ID_MASKED
    assert detail.json()["phone"] == ZHANG_PHONE_MASKED
    assert ZHANG_ID not in detail.content.decode()
    assert not RevealLog.objects.exists()


def test_api_answers_after_a_write_are_masked(world, api):
    resp = api(world.cadre_a).patch(f"/api/v1/members/{world.zhangsan.pk}", {"skills": "电工"},
                                    content_type="application/json")
    assert resp.status_code == 200
    assert resp.json()["id_number"] == ZHANG_ID_MASKED


# ---------------------------------------------------------------- reveal


@pytest.mark.parametrize("who", ["cadre_a", "street_cadre", "chair_a", "district_admin"])
def test_reveal_by_a_role_that_may_shows_full_numbers_and_logs(world, login, who):
    user = getattr(world, who)
    resp = login(user).get(f"/directory/members/{world.wangfang.pk}/reveal/", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert WANG_ID in html and WANG_PHONE in html
    assert "<html" not in html  # a fragment for htmx
    log = RevealLog.objects.get()
    assert log.user == user
    assert log.object_id == world.wangfang.pk
    assert "id_number" in log.fields and "phone" in log.fields
    assert log.created_at is not None


def test_each_reveal_is_logged_again(world, login):
    client = login(world.cadre_a)
    for _ in range(3):
        client.get(f"/directory/members/{world.zhangsan.pk}/reveal/")
    assert RevealLog.objects.filter(user=world.cadre_a, object_id=world.zhangsan.pk).count() == 3


@pytest.mark.parametrize("who", ["viewer", "auditor"])
def test_reveal_refused_for_viewer_and_auditor(world, login, api, who):
    user = getattr(world, who)
    resp = login(user).get(f"/directory/members/{world.wangfang.pk}/reveal/", headers={"HX-Request": "true"})
    assert resp.status_code == 403
    assert WANG_ID not in resp.content.decode()
    resp = api(user).get(f"/api/v1/members/{world.wangfang.pk}/reveal")
    assert resp.status_code == 403
    assert WANG_ID not in resp.content.decode()
    assert not RevealLog.objects.exists()


def test_reveal_by_api_logs_the_channel(world, api):
    resp = api(world.cadre_a).get(f"/api/v1/members/{world.wangfang.pk}/reveal")
    assert resp.status_code == 200
    assert resp.json() == {"id_number": WANG_ID, "phone": WANG_PHONE}
    log = RevealLog.objects.get()
    assert log.channel == "api" and log.user == world.cadre_a


# ---------------------------------------------------------------- export


def test_member_export_is_masked_by_default(world, login):
    rows = {r["姓名"]: r for r in xlsx_rows(login(world.cadre_a).get("/directory/members/", {"export": "xlsx"}))}
    assert rows["王芳"]["身份证号"] == WANG_ID_MASKED
    assert rows["王芳"]["手机号"] == WANG_PHONE_MASKED
    assert rows["张三"]["身份证号"] == ZHANG_ID_MASKED
    assert not RevealLog.objects.exists()


def test_member_export_full_with_reveal_for_roles_that_may_and_logged(world, login):
    rows = {r["姓名"]: r for r in xlsx_rows(login(world.cadre_a).get("/directory/members/",
                                                                     {"export": "xlsx", "reveal": "1"}))}
    # Text cells: the number stays a number-as-text, not 1.10105E+17.
    assert rows["王芳"]["身份证号"] == WANG_ID
    assert rows["张三"]["身份证号"] == ZHANG_ID
    assert rows["张三"]["手机号"] == ZHANG_PHONE
    log = RevealLog.objects.get()
    assert log.user == world.cadre_a
    assert log.channel == "export"
    assert "id_number" in log.fields
    assert "2" in log.detail  # how many rows went out


@pytest.mark.parametrize("who", ["viewer", "auditor"])
def test_member_export_with_reveal_stays_masked_for_viewer_and_auditor(world, login, who):
    rows = {r["姓名"]: r for r in xlsx_rows(login(getattr(world, who)).get("/directory/members/",
                                                                           {"export": "xlsx", "reveal": "1"}))}
    assert rows["王芳"]["身份证号"] == WANG_ID_MASKED
    assert rows["李四"]["手机号"] == "137****1111"
    assert not RevealLog.objects.exists()


def test_member_export_has_the_same_rows_as_the_filtered_list(world, login):
    client = login(world.street_cadre)
    rows = xlsx_rows(client.get("/directory/members/", {"export": "xlsx", "union": world.union_b.pk}))
    assert [r["姓名"] for r in rows] == ["李四"]
    assert rows[0]["所在工会"] == world.union_b.name
    assert rows[0]["工作单位"] == world.ent_b.name
    assert rows[0]["会籍状态"] == "已入会"
    assert rows[0]["出生日期"] == "1991-01-01"


def test_enterprise_export_masks_contact_phone(world, login):
    rows = {r["单位名称"]: r for r in xlsx_rows(login(world.cadre_a).get("/directory/enterprises/",
                                                                         {"export": "xlsx"}))}
    assert rows[world.ent_a.name]["联系电话"] == "136****1111"
    assert rows[world.ent_a.name]["统一社会信用代码"] == world.ent_a.uscc
    assert rows[world.ent_a.name]["所属工会"] == world.union_a.name
    assert rows[world.ent_a.name]["职工人数"] == 30


def test_history_never_shows_phones_in_full(world, login, api):
    resp = api(world.cadre_a).patch(f"/api/v1/unions/{world.union_a.pk}", {"chair_phone": "13698765432"},
                                    content_type="application/json")
    assert resp.status_code == 200
    html = login(world.cadre_a).get(f"/directory/unions/{world.union_a.pk}/").content.decode()
    assert "136****5432" in html
    assert "13698765432" not in html
    html = login(world.cadre_a).get(f"/directory/enterprises/{world.ent_a.pk}/").content.decode()
    assert "13600001111" not in html


def test_api_member_export_masked_by_default_and_full_with_reveal_logged(world, api):
    client = api(world.cadre_a)
    rows = {r["姓名"]: r for r in xlsx_rows(client.get("/api/v1/members/export.xlsx"))}
    assert rows["王芳"]["身份证号"] == WANG_ID_MASKED
    assert not RevealLog.objects.exists()
    rows = {r["姓名"]: r for r in xlsx_rows(client.get("/api/v1/members/export.xlsx", {"reveal": "1"}))}
    assert rows["王芳"]["身份证号"] == WANG_ID and rows["王芳"]["手机号"] == WANG_PHONE
    log = RevealLog.objects.get()
    assert log.user == world.cadre_a and log.channel == "export"


def test_api_member_export_with_reveal_stays_masked_for_viewer(world, api):
    rows = {r["姓名"]: r for r in xlsx_rows(api(world.viewer).get("/api/v1/members/export.xlsx", {"reveal": "1"}))}
    assert rows["王芳"]["身份证号"] == WANG_ID_MASKED
    assert not RevealLog.objects.exists()
