"""Data scope ("本级及以下"): what a cadre of community A may not see or touch of community B.

Every channel is tried: list page, htmx fragment, detail, reveal fragment, export, API list and detail,
edit (page and API), archive, transfer and create (page and API).
"""

import datetime

import pytest

from conftest import (
    HTMX,
    KINDS,
    add_member,
    api_url,
    detail_url,
    edit_post,
    enterprise_post,
    make_id,
    member_post,
    row_of,
    union_post,
    xlsx_rows,
)
from unionwork.core.models import ChangeLog, RevealLog
from unionwork.directory.models import Enterprise, Member, Membership, Union
from unionwork.directory.selectors import with_id_number

pytestmark = pytest.mark.django_db

ALL_KINDS = list(KINDS)


def names_in_api(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


# ---------------------------------------------------------------- reads


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_list_page_shows_only_own_community(world, login, kind):
    page = login(world.cadre_a).get(KINDS[kind][0])
    html = page.content.decode()
    assert page.status_code == 200
    assert row_of(world, kind, "a").name in html
    assert row_of(world, kind, "b").name not in html
    assert row_of(world, kind, "c").name not in html


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_htmx_fragment_shows_only_own_community(world, login, kind):
    resp = login(world.cadre_a).get(KINDS[kind][0], headers=HTMX)
    html = resp.content.decode()
    assert resp.status_code == 200
    # Only the results are swapped: no page around them.
    assert 'id="results"' in html
    assert "<html" not in html and "<nav" not in html
    assert row_of(world, kind, "a").name in html
    assert row_of(world, kind, "b").name not in html


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_htmx_fragment_cannot_be_steered_to_other_community(world, login, kind):
    resp = login(world.cadre_a).get(KINDS[kind][0], {"node": world.comm_b.pk}, headers=HTMX)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert row_of(world, kind, "b").name not in html


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_cannot_open_other_community_detail(world, login, kind):
    client = login(world.cadre_a)
    assert client.get(detail_url(kind, row_of(world, kind, "a").pk)).status_code == 200
    other = client.get(detail_url(kind, row_of(world, kind, "b").pk))
    assert other.status_code == 404
    assert row_of(world, kind, "b").name not in other.content.decode()


def test_community_cadre_cannot_fetch_reveal_fragment_of_other_community(world, login):
    client = login(world.cadre_a)
    resp = client.get(f"/directory/members/{world.lisi.pk}/reveal/", headers={"HX-Request": "true"})
    assert resp.status_code == 404
    assert world.lisi.id_number not in resp.content.decode()
    assert not RevealLog.objects.exists()
    # The same fragment of a member of their own community works (the test above is not vacuous).
    own = client.get(f"/directory/members/{world.zhangsan.pk}/reveal/", headers={"HX-Request": "true"})
    assert own.status_code == 200
    assert world.zhangsan.id_number in own.content.decode()


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("reveal", ["", "1"])
def test_community_cadre_export_contains_only_own_community(world, login, kind, reveal):
    page_url, _, name_col = KINDS[kind]
    rows = xlsx_rows(login(world.cadre_a).get(page_url, {"export": "xlsx", "reveal": reveal}))
    names = {r[name_col] for r in rows}
    expected = {
        "enterprise": {world.ent_a.name, world.ent_a2.name},
        "union": {world.union_a.name, world.union_a2.name},
        "member": {world.zhangsan.name, world.wangfang.name},
    }[kind]
    assert names == expected


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_api_export_contains_only_own_community(world, api, kind):
    _, api_list, name_col = KINDS[kind]
    client = api(world.cadre_a)
    names = {r[name_col] for r in xlsx_rows(client.get(f"{api_list}/export.xlsx"))}
    assert row_of(world, kind, "a").name in names
    assert row_of(world, kind, "b").name not in names
    assert row_of(world, kind, "c").name not in names
    # Another community is no valid node filter: a 400 naming it, never a workbook.
    steered = client.get(f"{api_list}/export.xlsx", {"node": world.comm_b.pk})
    assert steered.status_code == 400 and "组织（node）" in steered.json()["detail"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_export_cannot_be_steered_to_other_community(world, login, kind):
    page_url, _, _ = KINDS[kind]
    rows = xlsx_rows(login(world.cadre_a).get(page_url, {"export": "xlsx", "node": world.comm_b.pk}))
    assert rows == []


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_api_list_and_detail_are_scoped(world, api, kind):
    client = api(world.cadre_a)
    names = names_in_api(client.get(KINDS[kind][1]))
    assert row_of(world, kind, "a").name in names
    assert row_of(world, kind, "b").name not in names
    assert row_of(world, kind, "c").name not in names
    assert client.get(api_url(kind, row_of(world, kind, "a").pk)).status_code == 200
    other = client.get(api_url(kind, row_of(world, kind, "b").pk))
    assert other.status_code == 404
    assert row_of(world, kind, "b").name not in other.content.decode()


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_area_choice_of_a_wider_scope_is_no_choice_for_the_next_user(world, login, kind):
    """The filter form's class is kept between requests (core.filters.KeptFormFilterSet): its area field
    must still be the scope of whoever asks, not of the first user who filtered."""
    url = KINDS[kind][0]
    street = login(world.street_cadre).get(url, {"node": world.comm_b.pk})
    assert row_of(world, kind, "b").name in street.content.decode()
    page = login(world.cadre_a).get(url, {"node": world.comm_b.pk})
    html = page.content.decode()
    assert page.status_code == 200 and "筛选条件有误" in html
    assert row_of(world, kind, "b").name not in html
    assert f'<option value="{world.comm_b.pk}"' not in html  # nor offered in the select
    own = login(world.cadre_a).get(url, {"node": world.comm_a.pk})
    assert row_of(world, kind, "a").name in own.content.decode()


def test_api_members_of_other_community_by_filter_or_reveal(world, api):
    client = api(world.cadre_a)
    # Another community is no valid choice of the node filter: the same answer as a node that does not exist.
    outside, missing = (client.get("/api/v1/members", {"node": pk}) for pk in (world.comm_b.pk, 987654321))
    assert outside.status_code == missing.status_code == 400 and "组织（node）" in outside.json()["detail"]
    assert outside.json()["detail"] == missing.json()["detail"].replace("987654321", str(world.comm_b.pk))
    assert client.get("/api/v1/members", {"union": world.union_b.pk}).json()["count"] == 0
    assert client.get("/api/v1/members", {"q": world.lisi.id_number}).json()["count"] == 0
    assert client.get(f"/api/v1/members/{world.lisi.pk}/reveal").status_code == 404
    assert not RevealLog.objects.exists()


def test_member_found_by_full_id_number_only_within_scope(world, login):
    client = login(world.cadre_a)
    own = client.get("/directory/members/", {"q": world.zhangsan.id_number}).content.decode()
    assert world.zhangsan.name in own
    other = client.get("/directory/members/", {"q": world.lisi.id_number}).content.decode()
    assert world.lisi.name not in other


# ---------------------------------------------------------------- writes on rows of community B


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_cannot_edit_other_community_row_on_page(world, login, kind):
    obj = row_of(world, kind, "b")
    client = login(world.cadre_a)
    assert client.get(f"{detail_url(kind, obj.pk)}edit/").status_code == 404
    resp = client.post(f"{detail_url(kind, obj.pk)}edit/", edit_post(kind, obj, name="被改掉的名字"))
    assert resp.status_code == 404
    obj.refresh_from_db()
    assert obj.name != "被改掉的名字"
    assert not ChangeLog.objects.filter(object_id=obj.pk, action="update").exists()


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_cannot_patch_other_community_row_by_api(world, api, kind):
    obj = row_of(world, kind, "b")
    resp = api(world.cadre_a).patch(api_url(kind, obj.pk), {"name": "被改掉的名字"}, content_type="application/json")
    assert resp.status_code == 404
    obj.refresh_from_db()
    assert obj.name != "被改掉的名字"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_community_cadre_cannot_archive_other_community_row(world, login, api, kind):
    obj = row_of(world, kind, "b")
    assert login(world.cadre_a).post(f"/directory/{kind}/{obj.pk}/archive/").status_code == 404
    assert api(world.cadre_a).post(f"{api_url(kind, obj.pk)}/archive").status_code == 404
    obj.refresh_from_db()
    assert obj.archived_at is None


def test_community_cadre_cannot_transfer_member_of_other_community(world, login, api):
    data = {"to_union": world.union_a2.pk, "on": datetime.date.today().isoformat(), "note": ""}
    assert login(world.cadre_a).post(f"/directory/members/{world.lisi.pk}/transfer/", data).status_code == 404
    resp = api(world.cadre_a).post(f"/api/v1/members/{world.lisi.pk}/transfer",
                                   {"to_union_id": world.union_a2.pk, "on": datetime.date.today().isoformat()},
                                   content_type="application/json")
    assert resp.status_code == 404
    world.lisi.refresh_from_db()
    assert world.lisi.union_id == world.union_b.pk
    assert Membership.objects.filter(member=world.lisi).count() == 1


def test_community_cadre_cannot_transfer_own_member_into_other_community(world, login, api):
    on = datetime.date.today().isoformat()
    page = login(world.cadre_a).post(f"/directory/members/{world.zhangsan.pk}/transfer/",
                                     {"to_union": world.union_b.pk, "on": on, "note": ""})
    assert page.status_code in (200, 403)
    if page.status_code == 200:
        assert "to_union" in page.context["form"].errors
    resp = api(world.cadre_a).post(f"/api/v1/members/{world.zhangsan.pk}/transfer",
                                   {"to_union_id": world.union_b.pk, "on": on}, content_type="application/json")
    assert resp.status_code == 403
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.union_id == world.union_a.pk
    assert world.zhangsan.node_id == world.union_a.node_id
    assert Membership.objects.filter(member=world.zhangsan).count() == 1


def _refused_page(resp, field):
    """A page post that was refused: no redirect to the new row, the form says why (or 403)."""
    assert resp.status_code in (200, 403), resp.status_code
    if resp.status_code == 200:
        assert field in resp.context["form"].errors


def test_community_cadre_cannot_create_enterprise_in_other_community(world, login, api):
    before = Enterprise.objects.count()
    _refused_page(login(world.cadre_a).post("/directory/enterprises/new/", enterprise_post(world.comm_b)), "node")
    resp = api(world.cadre_a).post("/api/v1/enterprises", {"uscc": enterprise_post(None)["uscc"], "name": "越权企业",
                                                           "node_id": world.comm_b.pk},
                                   content_type="application/json")
    assert resp.status_code == 403
    assert Enterprise.objects.count() == before


def test_community_cadre_cannot_found_union_in_other_community(world, login, api):
    before = Union.objects.count()
    _refused_page(login(world.cadre_a).post("/directory/unions/new/", union_post(world.comm_b)), "parent")
    resp = api(world.cadre_a).post("/api/v1/unions", {"name": "越权工会", "parent_id": world.comm_b.pk, "kind": "joint"},
                                   content_type="application/json")
    assert resp.status_code == 403
    assert Union.objects.count() == before


def test_community_cadre_cannot_cover_other_community_enterprise(world, api):
    resp = api(world.cadre_a).post("/api/v1/unions", {"name": "越权工会", "parent_id": world.comm_a.pk, "kind": "single",
                                                      "enterprise_ids": [world.ent_c.pk]},
                                   content_type="application/json")
    assert resp.status_code in (403, 422)
    assert not Union.objects.filter(name="越权工会").exists()
    world.ent_c.refresh_from_db()
    assert world.ent_c.union_id == world.union_c.pk


def test_community_cadre_cannot_create_member_in_other_community(world, login, api):
    before = Member.objects.count()
    new_id = make_id("19920202", 7)
    _refused_page(login(world.cadre_a).post("/directory/members/new/", member_post(world.union_b, new_id)), "union")
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "越权会员", "id_number": new_id,
                                                       "union_id": world.union_b.pk},
                                   content_type="application/json")
    assert resp.status_code == 403
    assert Member.objects.count() == before


def test_community_cadre_cannot_employ_member_at_other_community_enterprise(world, login, api):
    new_id = make_id("19920202", 8)
    _refused_page(login(world.cadre_a).post("/directory/members/new/",
                                            member_post(world.union_a2, new_id, enterprise=world.ent_b)), "enterprise")
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "越权会员", "id_number": new_id,
                                                       "union_id": world.union_a2.pk, "enterprise_id": world.ent_b.pk},
                                   content_type="application/json")
    assert resp.status_code in (403, 422)
    assert not with_id_number(Member.objects, new_id).exists()


def test_community_cadre_cannot_move_own_enterprise_to_other_community(world, login, api):
    _refused_page(login(world.cadre_a).post(f"/directory/enterprises/{world.ent_a2.pk}/edit/",
                                            edit_post("enterprise", world.ent_a2, node=world.comm_b.pk)), "node")
    resp = api(world.cadre_a).patch(f"/api/v1/enterprises/{world.ent_a2.pk}", {"node_id": world.comm_b.pk},
                                    content_type="application/json")
    assert resp.status_code == 403
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.node_id == world.comm_a.pk


def test_community_cadre_can_do_all_of_it_in_own_community(world, login, api):
    """The positive control: the same requests inside the scope succeed."""
    client = login(world.cadre_a)
    resp = client.post("/directory/enterprises/new/", enterprise_post(world.comm_a, name="天津自家企业有限公司"))
    assert resp.status_code == 302
    ent = Enterprise.objects.get(name="天津自家企业有限公司")
    assert ent.node_id == world.comm_a.pk
    resp = client.post("/directory/unions/new/", union_post(world.comm_a, name="自家企业工会", enterprises=[ent]))
    assert resp.status_code == 302
    union = Union.objects.get(name="自家企业工会")
    resp = client.post("/directory/members/new/", member_post(union, make_id("19930303", 9), enterprise=ent))
    assert resp.status_code == 302
    resp = api(world.cadre_a).post("/api/v1/members", {"name": "接口会员", "id_number": make_id("19930303", 10),
                                                       "union_id": union.pk}, content_type="application/json")
    assert resp.status_code == 201


# ---------------------------------------------------------------- street cadre, no node, union chair


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_street_cadre_sees_both_communities_but_not_other_street(world, login, api, kind):
    html = login(world.street_cadre).get(KINDS[kind][0]).content.decode()
    assert row_of(world, kind, "a").name in html
    assert row_of(world, kind, "b").name in html
    assert row_of(world, kind, "c").name not in html
    names = names_in_api(api(world.street_cadre).get(KINDS[kind][1]))
    assert {row_of(world, kind, "a").name, row_of(world, kind, "b").name} <= names
    assert row_of(world, kind, "c").name not in names
    rows = xlsx_rows(login(world.street_cadre).get(KINDS[kind][0], {"export": "xlsx"}))
    exported = {r[KINDS[kind][2]] for r in rows}
    assert {row_of(world, kind, "a").name, row_of(world, kind, "b").name} <= exported
    assert row_of(world, kind, "c").name not in exported


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_street_cadre_opens_both_communities_not_other_street(world, login, kind):
    client = login(world.street_cadre)
    assert client.get(detail_url(kind, row_of(world, kind, "a").pk)).status_code == 200
    assert client.get(detail_url(kind, row_of(world, kind, "b").pk)).status_code == 200
    assert client.get(detail_url(kind, row_of(world, kind, "c").pk)).status_code == 404


def test_street_cadre_may_change_rows_of_both_communities(world, api):
    client = api(world.street_cadre)
    for ent in (world.ent_a, world.ent_b):
        resp = client.patch(f"/api/v1/enterprises/{ent.pk}", {"address": "新地址88号"}, content_type="application/json")
        assert resp.status_code == 200
        ent.refresh_from_db()
        assert ent.address == "新地址88号"
    resp = client.patch(f"/api/v1/enterprises/{world.ent_c.pk}", {"address": "新地址88号"},
                        content_type="application/json")
    assert resp.status_code == 404


def test_district_admin_sees_everything(world, api):
    names = names_in_api(api(world.district_admin).get("/api/v1/members"))
    assert {"张三", "王芳", "李四", "赵六"} <= names


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_user_without_node_sees_nothing(world, login, api, kind):
    client = login(world.nobody)
    html = client.get(KINDS[kind][0]).content.decode()
    for community in "abc":
        assert row_of(world, kind, community).name not in html
        assert client.get(detail_url(kind, row_of(world, kind, community).pk)).status_code == 404
    assert api(world.nobody).get(KINDS[kind][1]).json()["count"] == 0
    assert xlsx_rows(client.get(KINDS[kind][0], {"export": "xlsx"})) == []


def test_user_without_node_cannot_create(world, api):
    resp = api(world.nobody).post("/api/v1/enterprises", {"uscc": enterprise_post(None)["uscc"], "name": "无主企业",
                                                          "node_id": world.comm_a.pk}, content_type="application/json")
    assert resp.status_code == 403
    assert not Enterprise.objects.filter(name="无主企业").exists()


def test_union_chair_sees_only_own_union_members(world, login, api):
    other_in_same_community = add_member(world.district_admin, world.union_a2, "孙八", make_id("19880808", 11))
    html = login(world.chair_a).get("/directory/members/").content.decode()
    assert "张三" in html and "王芳" in html
    for name in ("李四", "赵六", other_in_same_community.name):
        assert name not in html
    names = names_in_api(api(world.chair_a).get("/api/v1/members"))
    assert names == {"张三", "王芳"}
    assert login(world.chair_a).get(detail_url("member", other_in_same_community.pk)).status_code == 404
    unions = names_in_api(api(world.chair_a).get("/api/v1/unions"))
    assert unions == {world.union_a.name}


def test_union_chair_cannot_register_member_in_sibling_union(world, api):
    new_id = make_id("19900909", 12)
    resp = api(world.chair_a).post("/api/v1/members", {"name": "越权会员", "id_number": new_id,
                                                       "union_id": world.union_a2.pk}, content_type="application/json")
    assert resp.status_code == 403
    ok = api(world.chair_a).post("/api/v1/members", {"name": "本会会员", "id_number": new_id,
                                                     "union_id": world.union_a.pk}, content_type="application/json")
    assert ok.status_code == 201


def test_anonymous_is_sent_to_login_and_api_answers_401(world, client):
    resp = client.get("/directory/members/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    assert client.get("/api/v1/members").status_code == 401
    bad = client.get("/api/v1/members", headers={"Authorization": "Bearer uw_not-a-token"})
    assert bad.status_code == 401
