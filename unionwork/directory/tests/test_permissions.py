"""Role permissions: 只读 and 经审 read but change nothing (403), on pages and API."""

import pytest
from django.utils import timezone

from conftest import KINDS, api_url, detail_url, edit_post, enterprise_post, make_id, member_post, union_post
from unionwork.accounts.choices import ROLE_PERMS, Perm, Role
from unionwork.core.models import ChangeLog
from unionwork.directory.models import Enterprise, Member, Union

pytestmark = pytest.mark.django_db

READ_ONLY = ["viewer", "auditor"]


def _obj(world, kind):
    return {"enterprise": world.ent_a2, "union": world.union_a2, "member": world.zhangsan}[kind]


def test_role_table():
    writers = {Role.DISTRICT_ADMIN, Role.STREET_CADRE, Role.COMMUNITY_CADRE, Role.UNION_CHAIR}
    for role in Role.values:
        perms = ROLE_PERMS[role]
        assert Perm.VIEW in perms
        for perm in (Perm.CREATE, Perm.CHANGE, Perm.ARCHIVE, Perm.REVEAL):
            assert (perm in perms) == (role in writers), (role, perm)
    assert Perm.VIEW_FUNDS in ROLE_PERMS[Role.AUDITOR]


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_can_read(world, login, api, who):
    user = getattr(world, who)
    for kind, (page, api_list, _) in KINDS.items():
        assert login(user).get(page).status_code == 200
        assert login(user).get(detail_url(kind, _obj(world, kind).pk)).status_code == 200
        assert api(user).get(api_list).json()["count"] > 0


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_see_no_write_buttons(world, login, who):
    client = login(getattr(world, who))
    html = client.get("/directory/enterprises/").content.decode()
    assert "/directory/enterprises/new/" not in html
    html = client.get(f"/directory/members/{world.zhangsan.pk}/").content.decode()
    assert f"/directory/members/{world.zhangsan.pk}/edit/" not in html
    assert f"/directory/member/{world.zhangsan.pk}/archive/" not in html


def test_writer_sees_write_buttons(world, login):
    client = login(world.cadre_a)
    assert "/directory/enterprises/new/" in client.get("/directory/enterprises/").content.decode()
    html = client.get(f"/directory/members/{world.zhangsan.pk}/").content.decode()
    assert f"/directory/members/{world.zhangsan.pk}/edit/" in html
    assert f"/directory/member/{world.zhangsan.pk}/archive/" in html


@pytest.mark.parametrize("who", READ_ONLY)
@pytest.mark.parametrize("kind", list(KINDS))
def test_read_only_roles_cannot_open_or_post_create_pages(world, login, who, kind):
    client = login(getattr(world, who))
    url = f"/directory/{kind}s/new/"
    assert client.get(url).status_code == 403
    data = {
        "enterprise": enterprise_post(world.comm_a, name="只读新建"),
        "union": union_post(world.comm_a, name="只读新建"),
        "member": member_post(world.union_a2, make_id("19950505", 50), name="只读新建"),
    }[kind]
    resp = client.post(url, data)
    assert resp.status_code == 403
    assert "无权" in resp.content.decode()
    model = {"enterprise": Enterprise, "union": Union, "member": Member}[kind]
    assert not model.objects.filter(name="只读新建").exists()


@pytest.mark.parametrize("who", READ_ONLY)
@pytest.mark.parametrize("kind", list(KINDS))
def test_read_only_roles_cannot_edit_or_archive_on_pages(world, login, who, kind):
    obj = _obj(world, kind)
    client = login(getattr(world, who))
    assert client.get(f"{detail_url(kind, obj.pk)}edit/").status_code == 403
    assert client.post(f"{detail_url(kind, obj.pk)}edit/", edit_post(kind, obj, name="只读改名")).status_code == 403
    assert client.post(f"/directory/{kind}/{obj.pk}/archive/").status_code == 403
    obj.refresh_from_db()
    assert obj.name != "只读改名"
    assert obj.archived_at is None
    assert not ChangeLog.objects.filter(user=getattr(world, who)).exists()


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_cannot_restore(world, login, api, who):
    from unionwork.directory import services

    services.archive(world.cadre_a, world.ent_a2)
    assert login(getattr(world, who)).post(f"/directory/enterprise/{world.ent_a2.pk}/archive/").status_code == 403
    assert api(getattr(world, who)).post(f"/api/v1/enterprises/{world.ent_a2.pk}/restore").status_code == 403
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.archived_at is not None


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_cannot_transfer_end_or_change_status(world, login, who):
    client = login(getattr(world, who))
    today = timezone.localdate().isoformat()
    m = world.zhangsan
    assert client.get(f"/directory/members/{m.pk}/transfer/").status_code == 403
    assert client.post(f"/directory/members/{m.pk}/transfer/",
                       {"to_union": world.union_a2.pk, "on": today}).status_code == 403
    assert client.post(f"/directory/members/{m.pk}/end/", {"status": "left", "on": today}).status_code == 403
    assert client.post(f"/directory/enterprises/{world.ent_a2.pk}/status/",
                       {"status": "suspended", "on": today}).status_code == 403
    m.refresh_from_db()
    world.ent_a2.refresh_from_db()
    assert (m.union_id, m.membership_status) == (world.union_a.pk, "active")
    assert world.ent_a2.status == "operating"


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_roles_cannot_write_by_api(world, api, who):
    client = api(getattr(world, who))
    json = "application/json"
    creates = {
        "/api/v1/enterprises": {"uscc": enterprise_post(None)["uscc"], "name": "只读新建", "node_id": world.comm_a.pk},
        "/api/v1/unions": {"name": "只读新建", "parent_id": world.comm_a.pk, "kind": "joint"},
        "/api/v1/members": {"name": "只读新建", "id_number": make_id("19950505", 51), "union_id": world.union_a2.pk},
    }
    for url, body in creates.items():
        resp = client.post(url, body, content_type=json)
        assert resp.status_code == 403, (url, resp.content)
        assert "无权" in resp.json()["detail"]
    for kind in KINDS:
        obj = _obj(world, kind)
        assert client.patch(api_url(kind, obj.pk), {"note": "只读备注"}, content_type=json).status_code == 403
        assert client.post(f"{api_url(kind, obj.pk)}/archive").status_code == 403
        obj.refresh_from_db()
        assert obj.note != "只读备注" and obj.archived_at is None
    resp = client.post(f"/api/v1/members/{world.zhangsan.pk}/transfer",
                       {"to_union_id": world.union_a2.pk, "on": timezone.localdate().isoformat()}, content_type=json)
    assert resp.status_code == 403
    assert not Enterprise.objects.filter(name="只读新建").exists()
    assert not Union.objects.filter(name="只读新建").exists()
    assert not Member.objects.filter(name="只读新建").exists()


def test_union_chair_cannot_register_enterprises_but_can_keep_members(world, api):
    client = api(world.chair_a)
    resp = client.post("/api/v1/enterprises", {"uscc": enterprise_post(None)["uscc"], "name": "主席登记企业",
                                               "node_id": world.comm_a.pk}, content_type="application/json")
    assert resp.status_code == 403
    resp = client.patch(f"/api/v1/members/{world.zhangsan.pk}", {"honours": "劳模"}, content_type="application/json")
    assert resp.status_code == 200
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.honours == "劳模"


def test_inactive_user_loses_everything(world, api):
    client = api(world.cadre_a)
    world.cadre_a.is_active = False
    world.cadre_a.save()
    assert client.get("/api/v1/members").status_code == 401
