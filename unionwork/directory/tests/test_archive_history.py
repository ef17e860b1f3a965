"""Archive instead of delete, restore, and every change in the history with who and what."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import (
    KINDS,
    add_member,
    add_union,
    api_url,
    detail_url,
    enterprise_post,
    form_as_posted,
    make_id,
    member_post,
    union_post,
)
from unionwork.core.audit import history
from unionwork.directory import services
from unionwork.directory.models import Enterprise, Member, Union

pytestmark = pytest.mark.django_db


def _archivable(world, kind):
    """A row of each kind that may be archived (a union without active members)."""
    return {"enterprise": world.ent_a2, "union": world.union_a2, "member": world.zhangsan}[kind]


@pytest.mark.parametrize("kind", list(KINDS))
def test_archive_hides_row_from_default_list_and_shows_it_with_archived_1(world, login, api, kind):
    obj = _archivable(world, kind)
    client = login(world.cadre_a)
    resp = client.post(f"/directory/{kind}/{obj.pk}/archive/", {"reason": "测试归档"})
    assert resp.status_code == 302
    obj.refresh_from_db()
    assert obj.archived_at is not None
    page_url, api_list, name_col = KINDS[kind]
    assert obj.name not in client.get(page_url).content.decode()
    assert obj.name in client.get(page_url, {"archived": "1"}).content.decode()
    assert obj.name in client.get(page_url, {"archived": "all"}).content.decode()
    # Only archived rows with archived=1.
    other = {"enterprise": world.ent_a, "union": world.union_a, "member": world.wangfang}[kind]
    assert other.name not in client.get(page_url, {"archived": "1"}).content.decode()
    # The API follows the same filter.
    default = {r["name"] for r in api(world.cadre_a).get(api_list).json()["results"]}
    archived = api(world.cadre_a).get(api_list, {"archived": "1"}).json()["results"]
    assert obj.name not in default
    assert [r["name"] for r in archived] == [obj.name] and archived[0]["archived"] is True
    # The detail page still opens (nothing is lost).
    assert client.get(detail_url(kind, obj.pk)).status_code == 200


@pytest.mark.parametrize("kind", list(KINDS))
def test_restore_brings_the_row_back(world, login, kind):
    obj = _archivable(world, kind)
    client = login(world.cadre_a)
    client.post(f"/directory/{kind}/{obj.pk}/archive/")
    resp = client.post(f"/directory/{kind}/{obj.pk}/archive/")  # the same button restores
    assert resp.status_code == 302
    obj.refresh_from_db()
    assert obj.archived_at is None
    assert obj.name in client.get(KINDS[kind][0]).content.decode()
    actions = list(history(obj).values_list("action", "user_id"))
    assert ("archive", world.cadre_a.pk) in actions
    assert ("restore", world.cadre_a.pk) in actions


@pytest.mark.parametrize("kind", list(KINDS))
def test_archive_and_restore_by_api(world, api, kind):
    obj = _archivable(world, kind)
    client = api(world.cadre_a)
    resp = client.post(f"{api_url(kind, obj.pk)}/archive")
    assert resp.status_code == 200 and resp.json()["archived"] is True
    # Archiving twice is refused (an archived union's node is out of the tree: 403 there).
    assert client.post(f"{api_url(kind, obj.pk)}/archive").status_code in ((403, 422) if kind == "union" else (422,))
    resp = client.post(f"{api_url(kind, obj.pk)}/restore")
    assert resp.status_code == 200 and resp.json()["archived"] is False
    assert client.post(f"{api_url(kind, obj.pk)}/restore").status_code == 422
    obj.refresh_from_db()
    assert obj.archived_at is None
    assert list(history(obj).filter(source="api").values_list("action", flat=True)) == ["restore", "archive"]


def test_union_with_active_members_cannot_be_archived(world, login, api):
    client = login(world.cadre_a)
    resp = client.post(f"/directory/union/{world.union_a.pk}/archive/", follow=True)
    html = resp.content.decode()
    assert "2 名在册会员" in html
    world.union_a.refresh_from_db()
    assert world.union_a.archived_at is None
    resp = api(world.cadre_a).post(f"/api/v1/unions/{world.union_a.pk}/archive")
    assert resp.status_code == 422
    assert "在册会员" in str(resp.json()["errors"])
    world.union_a.refresh_from_db()
    assert world.union_a.archived_at is None


def test_union_can_be_archived_once_its_members_have_left(world):
    for m in (world.zhangsan, world.wangfang):
        services.end_membership(world.cadre_a, m, "left", timezone.localdate())
    services.archive(world.cadre_a, world.union_a)
    world.union_a.refresh_from_db()
    assert world.union_a.archived_at is not None


def test_archived_union_node_leaves_the_tree_and_comes_back_on_restore(world):
    services.archive(world.cadre_a, world.union_a2)
    world.union_a2.node.refresh_from_db()
    assert world.union_a2.node.archived_at is not None
    services.restore(world.cadre_a, world.union_a2)
    world.union_a2.node.refresh_from_db()
    assert world.union_a2.node.archived_at is None


def test_archived_union_cannot_take_new_members(world, login):
    services.archive(world.cadre_a, world.union_a2)
    before = Member.objects.count()
    resp = login(world.cadre_a).post("/directory/members/new/", member_post(world.union_a2, make_id("19800101", 30)))
    assert resp.status_code in (200, 403)
    assert Member.objects.count() == before


def test_member_of_archived_union_is_restored_only_after_the_union(world):
    m = add_member(world.cadre_a, world.union_a2, "孙八", make_id("19880808", 11))
    services.archive(world.cadre_a, m)
    services.end_membership(world.cadre_a, m, "left", timezone.localdate())
    services.archive(world.cadre_a, world.union_a2)
    with pytest.raises(ValidationError) as exc:
        services.restore(world.cadre_a, m)
    assert world.union_a2.name in exc.value.messages[0]
    services.restore(world.cadre_a, world.union_a2)
    services.restore(world.cadre_a, m)
    m.refresh_from_db()
    assert m.archived_at is None


def test_archived_enterprise_cannot_be_covered_by_a_new_union(world):
    services.archive(world.cadre_a, world.ent_a2)
    with pytest.raises(ValidationError) as exc:
        add_union(world.cadre_a, world.comm_a, "宏达工会", [world.ent_a2])
    assert "已归档" in str(exc.value.message_dict["enterprises"])


# ---------------------------------------------------------------- history


def test_creation_is_in_history_with_user_and_fields(world):
    log = history(world.zhangsan).get(action="create")
    assert log.user == world.district_admin
    assert log.changes["name"]["new"] == "张三"
    assert log.changes["union"]["new"] == world.union_a.name
    # History never keeps personal information in full.
    assert log.changes["id_number"]["new"] == "1101**********0078"
    assert log.changes["phone"]["new"] == "138****5678"
    assert world.zhangsan.id_number not in str(log.changes)


@pytest.mark.parametrize("kind", list(KINDS))
def test_page_edit_is_in_history_with_old_and_new_values(world, login, kind):
    obj = {"enterprise": world.ent_a, "union": world.union_a, "member": world.zhangsan}[kind]
    old_name = obj.name
    new_name = "张叁" if kind == "member" else obj.name + "（更名）"
    client = login(world.cadre_a)
    url = f"{detail_url(kind, obj.pk)}edit/"
    resp = client.post(url, form_as_posted(client.get(url), name=new_name))
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    obj.refresh_from_db()
    assert obj.name == new_name
    log = history(obj).filter(action="update").get()
    assert log.user == world.cadre_a
    assert log.source == "web"
    assert log.changes["name"] == {"label": "姓名" if kind == "member" else "名称", "old": old_name, "new": new_name}
    # Nothing else changed, nothing else is recorded.
    assert set(log.changes) == {"name"}
    # And the detail page shows it.
    html = login(world.cadre_a).get(detail_url(kind, obj.pk)).content.decode()
    assert old_name in html and new_name in html and "社区A干部" in html


def test_saving_without_changes_records_nothing(world, login):
    client = login(world.cadre_a)
    url = f"/directory/enterprises/{world.ent_a.pk}/edit/"
    resp = client.post(url, form_as_posted(client.get(url)))
    assert resp.status_code == 302
    assert not history(world.ent_a).filter(action="update").exists()


def test_member_edit_with_blank_id_and_phone_keeps_them(world, login):
    client = login(world.cadre_a)
    url = f"/directory/members/{world.zhangsan.pk}/edit/"
    form_page = client.get(url)
    # The edit form never carries the full numbers to the browser.
    assert world.zhangsan.id_number not in form_page.content.decode()
    assert world.zhangsan.phone not in form_page.content.decode()
    resp = client.post(url, form_as_posted(form_page, skills="焊工"))
    assert resp.status_code == 302
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.id_number == "110102199101010078"
    assert world.zhangsan.phone == "13812345678"
    log = history(world.zhangsan).get(action="update")
    assert set(log.changes) == {"skills"}


def test_member_phone_change_is_recorded_masked(world, api):
    resp = api(world.cadre_a).patch(f"/api/v1/members/{world.zhangsan.pk}", {"phone": "13587654321"},
                                    content_type="application/json")
    assert resp.status_code == 200
    log = history(world.zhangsan).get(action="update")
    assert log.source == "api" and log.user == world.cadre_a
    assert log.changes["phone"] == {"label": "手机号", "old": "138****5678", "new": "135****4321"}


def test_enterprise_status_change_is_recorded(world, login):
    resp = login(world.cadre_a).post(f"/directory/enterprises/{world.ent_a2.pk}/status/", {
        "status": "suspended", "on": timezone.localdate().isoformat(), "note": "疫情停业"})
    assert resp.status_code == 302
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.status == "suspended"
    log = history(world.ent_a2).get(action="status")
    assert log.user == world.cadre_a
    assert log.message == "疫情停业"
    assert log.changes["status"] == {"label": "经营状态", "old": "正常经营", "new": "停业"}


def test_enterprise_status_in_the_future_is_refused_on_the_form(world, login):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    resp = login(world.cadre_a).post(f"/directory/enterprises/{world.ent_a2.pk}/status/", {
        "status": "cancelled", "on": tomorrow.isoformat(), "note": ""})
    assert resp.status_code == 400
    assert "不能晚于今天" in resp.content.decode()
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.status == "operating"


def test_founding_a_union_is_in_history_of_union_and_enterprise(world, login):
    resp = login(world.cadre_a).post("/directory/unions/new/", union_post(world.comm_a, name="宏达商贸工会委员会",
                                                                          enterprises=[world.ent_a2]))
    assert resp.status_code == 302
    union = Union.objects.get(name="宏达商贸工会委员会")
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.union_id == union.pk
    created = history(union).get(action="create")
    assert created.user == world.cadre_a and world.ent_a2.name in created.message
    linked = history(world.ent_a2).get(action="found_union")
    assert linked.changes["union"]["new"] == union.name


def test_creating_through_api_and_page_records_source(world, login, api):
    login(world.cadre_a).post("/directory/enterprises/new/", enterprise_post(world.comm_a, name="页面企业"))
    api(world.cadre_a).post("/api/v1/enterprises", {"uscc": enterprise_post(None)["uscc"], "name": "接口企业",
                                                    "node_id": world.comm_a.pk}, content_type="application/json")
    assert history(Enterprise.objects.get(name="页面企业")).get().source == "web"
    assert history(Enterprise.objects.get(name="接口企业")).get().source == "api"


def test_archiving_a_union_records_the_uncovered_enterprises_in_their_history(world):
    services.end_membership(world.cadre_b, world.lisi, "left", timezone.localdate())
    services.archive(world.street_cadre, world.union_b, reason="企业注销")
    world.ent_b.refresh_from_db()
    assert world.ent_b.union_id is None
    # The enterprise's own history says who took its union away, and when.
    log = history(world.ent_b).filter(changes__has_key="union").order_by("-created_at", "-id").first()
    assert log is not None and log.user == world.street_cadre
    assert log.changes["union"]["old"] == world.union_b.name and log.changes["union"]["new"] == ""
