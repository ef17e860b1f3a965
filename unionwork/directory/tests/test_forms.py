"""Create forms answer in Chinese, on the field at fault, and save nothing when they refuse."""

import re

import pytest
from django.utils import timezone

from conftest import enterprise_post, gb11643_check, make_id, member_post, union_post
from unionwork.directory.models import Enterprise, Member, Union

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    resp = client.post(url, data)
    assert resp.status_code == 200, f"expected the form again, got {resp.status_code}"
    return resp, resp.context["form"]


def _marked_invalid(html, field):
    """Whether the field's widget is marked invalid (red, with its message under it)."""
    widget = re.search(rf'<(input|select|textarea)[^>]*name="{field}"[^>]*>', html)
    assert widget, f"no widget for {field}"
    return "is-invalid" in widget.group(0)


# ---------------------------------------------------------------- members


@pytest.mark.parametrize("typed,fragment", [
    ("36042619910102009X", "校验位错误"),
    ("1.10105E+17", "科学计数法"),
    ("110105194902300018", "不是真实日期"),
    ("11010519491231", "应为18位"),
])
def test_member_form_bad_id_number_error_on_the_field(world, login, typed, fragment):
    before = Member.objects.count()
    resp, form = _post(login(world.cadre_a), "/directory/members/new/", member_post(world.union_a2, typed))
    assert list(form.errors) == ["id_number"]
    assert fragment in form.errors["id_number"][0]
    html = resp.content.decode()
    assert fragment in html
    assert _marked_invalid(html, "id_number")
    assert not _marked_invalid(html, "name")
    assert "请按提示修改标红的项目后再保存" in html
    assert Member.objects.count() == before


def test_member_form_check_digit_message_names_the_right_digit(world, login):
    _, form = _post(login(world.cadre_a), "/directory/members/new/", member_post(world.union_a2, "36042619910102009X"))
    assert f"应为 {gb11643_check('36042619910102009')}" in form.errors["id_number"][0]


def test_member_form_bad_phone(world, login):
    resp, form = _post(login(world.cadre_a), "/directory/members/new/",
                       member_post(world.union_a2, make_id("19900101", 60), phone="1381234"))
    assert list(form.errors) == ["phone"]
    assert "不是有效的大陆手机号" in form.errors["phone"][0]
    assert _marked_invalid(resp.content.decode(), "phone")
    assert not Member.objects.filter(name="钱七").exists()


def test_member_form_birth_date_contradicting_id_number(world, login):
    _, form = _post(login(world.cadre_a), "/directory/members/new/",
                    member_post(world.union_a2, make_id("19900101", 61), birth_date="1990-02-01"))
    assert "出生日期与身份证号不一致" in form.errors["birth_date"][0]
    assert "1990-01-01" in form.errors["birth_date"][0]


def test_member_form_joined_in_the_future(world, login):
    future = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    _, form = _post(login(world.cadre_a), "/directory/members/new/",
                    member_post(world.union_a2, make_id("19900101", 62), joined_on=future))
    assert "不能晚于今天" in form.errors["joined_on"][0]


def test_member_form_required_fields_in_chinese(world, login):
    _, form = _post(login(world.cadre_a), "/directory/members/new/",
                    member_post(None, "", name=""))
    for field in ("name", "id_number", "union"):
        assert "必填" in form.errors[field][0], form.errors


def test_member_form_employer_of_another_union(world, login):
    _, form = _post(login(world.cadre_a), "/directory/members/new/",
                    member_post(world.union_a2, make_id("19900101", 63), enterprise=world.ent_a))
    assert world.union_a.name in form.errors["enterprise"][0]


def _id_ending_in_x(birth="19800101"):
    for seq in range(1000):
        first17 = f"110105{birth}{seq:03d}"
        if gb11643_check(first17) == "X":
            return first17 + "X"
    raise AssertionError("no number ends in X")


def test_member_form_accepts_lower_case_x_and_stores_it_upper_case(world, login):
    number = _id_ending_in_x()
    resp = login(world.cadre_a).post("/directory/members/new/", member_post(world.union_a2, number.lower(), name="王小"))
    assert resp.status_code == 302, resp.context["form"].errors
    assert Member.objects.get(name="王小").id_number == number


def test_member_form_converts_legacy_fifteen_digit_numbers(world, login):
    legacy = "120101781010131"
    first17 = "120101" + "19" + "781010131"
    resp = login(world.cadre_a).post("/directory/members/new/", member_post(world.union_a2, legacy, name="旧号"))
    assert resp.status_code == 302, resp.context["form"].errors
    member = Member.objects.get(name="旧号")
    assert member.id_number == first17 + gb11643_check(first17)
    assert member.gender == "M"
    assert str(member.birth_date) == "1978-10-10"


# ---------------------------------------------------------------- enterprises


@pytest.mark.parametrize("typed,fragment", [
    ("91110000600037341N", "校验位错误"),
    ("91350100M000100Y4Z", "91350100M000100Y4Z"),
    ("9111000060003734", "应为18位"),
])
def test_enterprise_form_bad_uscc_error_on_the_field(world, login, typed, fragment):
    before = Enterprise.objects.count()
    resp, form = _post(login(world.cadre_a), "/directory/enterprises/new/", enterprise_post(world.comm_a, uscc=typed))
    assert list(form.errors) == ["uscc"]
    assert fragment in form.errors["uscc"][0]
    assert "统一社会信用代码" in form.errors["uscc"][0]
    assert _marked_invalid(resp.content.decode(), "uscc")
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "121200004013590816",
                                  "91310115ma1k3btp2b"])
def test_enterprise_form_accepts_valid_uscc(world, login, code):
    resp = login(world.cadre_a).post("/directory/enterprises/new/", enterprise_post(world.comm_a, uscc=code,
                                                                                    name=f"企业{code}"))
    assert resp.status_code == 302
    assert Enterprise.objects.get(name=f"企业{code}").uscc == code.upper()


def test_enterprise_form_duplicate_uscc_names_the_holder(world, login):
    _, form = _post(login(world.cadre_a), "/directory/enterprises/new/",
                    enterprise_post(world.comm_a, uscc=world.ent_b.uscc))
    assert world.ent_b.name in form.errors["uscc"][0]


def test_enterprise_form_counts(world, login):
    _, form = _post(login(world.cadre_a), "/directory/enterprises/new/",
                    enterprise_post(world.comm_a, employees="10", female_employees="11", migrant_workers="12"))
    assert "不能多于职工人数" in form.errors["female_employees"][0]
    assert "不能多于职工人数" in form.errors["migrant_workers"][0]


def test_enterprise_form_bad_contact_phone(world, login):
    _, form = _post(login(world.cadre_a), "/directory/enterprises/new/",
                    enterprise_post(world.comm_a, contact_phone="12345"))
    assert "不是有效的手机号或固定电话" in form.errors["contact_phone"][0]


def test_enterprise_form_required_in_chinese(world, login):
    _, form = _post(login(world.cadre_a), "/directory/enterprises/new/", enterprise_post(None, name="", uscc=" "))
    assert "必填" in form.errors["name"][0]
    assert "必填" in form.errors["node"][0]


# ---------------------------------------------------------------- unions


def test_union_form_errors_on_fields(world, login):
    resp, form = _post(login(world.cadre_a), "/directory/unions/new/", union_post(
        world.comm_a, chair_phone="999", term_start="2024-06-01", term_end="2023-06-01"))
    assert "chair_phone" in form.errors
    assert "届满日期不能早于本届起始日期" in form.errors["term_end"][0]
    assert _marked_invalid(resp.content.decode(), "term_end")
    assert not Union.objects.filter(name="新建工会委员会").exists()


def test_union_form_single_union_covers_one_enterprise(world, login, api):
    from conftest import add_enterprise

    e1 = add_enterprise(world.cadre_a, world.comm_a, "天津甲有限公司")
    _, form = _post(login(world.cadre_a), "/directory/unions/new/",
                    union_post(world.comm_a, enterprises=[e1, world.ent_a2], kind="single"))
    assert "单独建会的工会只能覆盖一家企业" in " ".join(form.errors["enterprises"])
    e1.refresh_from_db()
    assert e1.union_id is None


def test_union_covering_an_already_covered_enterprise_is_refused(world, api):
    resp = api(world.cadre_a).post("/api/v1/unions", {"name": "重复覆盖工会", "parent_id": world.comm_a.pk,
                                                      "kind": "single", "enterprise_ids": [world.ent_a.pk]},
                                   content_type="application/json")
    assert resp.status_code == 422
    assert world.union_a.name in " ".join(resp.json()["errors"]["enterprises"])
    assert not Union.objects.filter(name="重复覆盖工会").exists()


def test_union_on_closed_enterprise_is_refused(world, api):
    from unionwork.directory import services

    services.change_enterprise_status(world.cadre_a, world.ent_a2, "cancelled", timezone.localdate())
    resp = api(world.cadre_a).post("/api/v1/unions", {"name": "注销企业工会", "parent_id": world.comm_a.pk,
                                                      "kind": "single", "enterprise_ids": [world.ent_a2.pk]},
                                   content_type="application/json")
    assert resp.status_code == 422
    assert "注销" in " ".join(resp.json()["errors"]["enterprises"])


# ---------------------------------------------------------------- API validation answers


def test_api_validation_errors_are_per_field_in_chinese(world, api):
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "钱七", "id_number": "36042619910102009X",
                                                       "union_id": world.union_a2.pk, "phone": "12"},
                                   content_type="application/json")
    assert resp.status_code == 422
    body = resp.json()
    assert body["detail"] == "数据校验未通过"
    assert "校验位错误" in body["errors"]["id_number"][0]
    assert "手机号" in body["errors"]["phone"][0]
    assert not Member.objects.filter(name="钱七").exists()


def test_api_enterprise_bad_uscc(world, api):
    resp = api(world.cadre_a).post("/api/v1/enterprises", {"uscc": "91110000600037341N", "name": "坏代码",
                                                           "node_id": world.comm_a.pk},
                                   content_type="application/json")
    assert resp.status_code == 422
    assert "校验位错误" in resp.json()["errors"]["uscc"][0]


def test_api_unknown_reference_is_a_field_error(world, api):
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "钱七", "id_number": make_id("19900101", 70),
                                                       "union_id": 999999}, content_type="application/json")
    assert resp.status_code == 422
    assert "999999" in resp.json()["errors"]["union_id"][0]


def test_api_creates_member_with_normalised_numbers(world, api):
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "钱七", "id_number": "120101781010131",
                                                       "union_id": world.union_a2.pk, "phone": "+86 137-1111-2222"},
                                   content_type="application/json")
    assert resp.status_code == 201, resp.content
    m = Member.objects.get(name="钱七")
    first17 = "12010119781010131"
    assert m.id_number == first17 + gb11643_check(first17)
    assert m.phone == "13711112222"
    assert resp.json()["phone"] == "137****2222"
