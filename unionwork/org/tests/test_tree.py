"""The tree 区 → 街道 → 社区 → 基层工会: materialised paths, allowed children, the navigator and its scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from unionwork.accounts.choices import Role
from unionwork.org import selectors
from unionwork.org.choices import NodeKind
from unionwork.org.models import Node
from unionwork.org.services import create_node

pytestmark = pytest.mark.django_db


def test_paths_and_depths_follow_the_parents(world):
    w = world
    assert w.district.path == f"{w.district.pk}/" and w.district.depth == 0
    assert w.street1.path == f"{w.district.pk}/{w.street1.pk}/" and w.street1.depth == 1
    assert w.comm_a.path == f"{w.street1.path}{w.comm_a.pk}/" and w.comm_a.depth == 2
    union_node = w.union_a.node
    assert union_node.kind == NodeKind.UNION and union_node.parent_id == w.comm_a.pk
    assert union_node.path == f"{w.comm_a.path}{union_node.pk}/" and union_node.depth == 3
    assert union_node.ancestor_ids() == [w.district.pk, w.street1.pk, w.comm_a.pk, union_node.pk]
    assert union_node.is_at_or_below(w.street1) and not union_node.is_at_or_below(w.street2)


def test_subtree_is_this_node_and_below(world):
    w = world
    below_street1 = set(selectors.subtree(w.street1).values_list("pk", flat=True))
    assert {w.street1.pk, w.comm_a.pk, w.comm_b.pk, w.union_a.node_id, w.union_b.node_id} <= below_street1
    assert not {w.district.pk, w.street2.pk, w.comm_c.pk, w.union_c.node_id} & below_street1


def test_union_org_names_are_filled_in(world):
    assert world.street1.union_name == "新华街道总工会"
    assert world.comm_a.union_name == "天运社区联合工会"
    assert world.district.display_name == "滨河区总工会"


@pytest.mark.parametrize("parent_attr,kind", [("district", NodeKind.COMMUNITY), ("comm_a", NodeKind.STREET),
                                              ("comm_a", NodeKind.GROUP), ("district", NodeKind.UNION)])
def test_kinds_that_may_not_hang_there_are_refused(world, parent_attr, kind):
    with pytest.raises(ValidationError) as exc:
        create_node(None, kind=kind, name="错位", code="BAD-1", parent=getattr(world, parent_attr))
    assert "下不能设立" in exc.value.message_dict["kind"][0]
    assert not Node.objects.filter(code="BAD-1").exists()


def test_duplicate_code_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        create_node(None, kind=NodeKind.COMMUNITY, name="重复", code="D1-S1-A", parent=world.street1)
    assert "已被使用" in exc.value.message_dict["code"][0]


def test_only_operators_create_top_level_nodes(world):
    with pytest.raises(PermissionDenied):
        create_node(world.district_admin, kind=NodeKind.DISTRICT, name="另一个区", code="D2")


def test_creating_below_a_node_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        create_node(world.cadre_a, kind=NodeKind.GROUP, name="小组", code="G-1", parent=world.union_b.node)
    node = create_node(world.cadre_a, kind=NodeKind.GROUP, name="一车间小组", code="G-2", parent=world.union_a.node)
    assert node.path.startswith(world.union_a.node.path)


def test_street_cadre_adds_a_community_on_the_page(world, login):
    client = login(world.street_cadre)
    assert client.get(f"/org/tree/{world.street1.pk}/new/").status_code == 200
    resp = client.post(f"/org/tree/{world.street1.pk}/new/", {"kind": "community", "name": "新兴里社区",
                                                              "code": "D1-S1-E", "union_name": ""})
    assert resp.status_code == 302
    node = Node.objects.get(code="D1-S1-E")
    assert node.parent_id == world.street1.pk and node.union_name == "新兴里社区联合工会"
    resp = client.post(f"/org/tree/{world.street1.pk}/new/", {"kind": "community", "name": "重复",
                                                              "code": "D1-S1-E"})
    assert resp.status_code == 200
    assert "已被使用" in resp.context["form"].errors["code"][0]


def test_node_pages_refuse_outside_scope_and_read_only_roles(world, login):
    assert login(world.cadre_a).get(f"/org/tree/{world.street1.pk}/new/").status_code == 404
    assert login(world.viewer).get(f"/org/tree/{world.street1.pk}/new/").status_code == 403
    resp = login(world.viewer).post(f"/org/tree/{world.street1.pk}/new/", {"kind": "community", "name": "只读",
                                                                           "code": "RO-1"})
    assert resp.status_code == 403
    assert not Node.objects.filter(code="RO-1").exists()


# ---------------------------------------------------------------- navigator


def test_navigator_shows_children_with_counts(world, login):
    html = login(world.street_cadre).get(f"/org/tree/{world.street1.pk}/").content.decode()
    assert world.comm_a.union_name in html and world.comm_b.union_name in html
    assert world.comm_c.union_name not in html
    children = {c.pk: c for c in selectors.children_with_counts(world.street_cadre, world.street1)}
    a, b = children[world.comm_a.pk], children[world.comm_b.pk]
    assert (a.n_enterprises, a.n_unions, a.n_members) == (2, 2, 2)
    assert (b.n_enterprises, b.n_unions, b.n_members) == (1, 1, 1)


def test_navigator_descends_to_unions(world, login):
    client = login(world.cadre_a)
    html = client.get(f"/org/tree/{world.comm_a.pk}/").content.decode()
    assert world.union_a.name in html and world.union_a2.name in html
    assert f"/directory/unions/{world.union_a.pk}/" in html
    assert client.get(f"/org/tree/{world.union_a.node_id}/").status_code == 200


def test_navigator_refuses_nodes_outside_scope(world, login):
    client = login(world.cadre_a)
    for node in (world.comm_b, world.street1, world.district, world.union_b.node, world.comm_c):
        assert client.get(f"/org/tree/{node.pk}/").status_code == 404
    street = login(world.street_cadre)
    assert street.get(f"/org/tree/{world.comm_b.pk}/").status_code == 200
    assert street.get(f"/org/tree/{world.comm_c.pk}/").status_code == 404


def test_breadcrumbs_stop_at_the_users_node(world, login):
    crumbs = selectors.breadcrumbs(world.cadre_a, world.union_a.node)
    assert [c.pk for c in crumbs] == [world.comm_a.pk, world.union_a.node_id]
    crumbs = selectors.breadcrumbs(world.district_admin, world.union_a.node)
    assert [c.pk for c in crumbs] == [world.district.pk, world.street1.pk, world.comm_a.pk, world.union_a.node_id]


def test_navigator_root_is_the_users_node(world, login):
    html = login(world.cadre_a).get("/org/tree/").content.decode()
    assert world.comm_a.union_name in html
    html = login(world.nobody).get("/org/tree/").content.decode()
    assert "没有可查看的组织" in html


def test_home_page_shows_node_and_counts(world, login):
    resp = login(world.street_cadre).get("/")
    assert resp.status_code == 200
    assert resp.context["counts"] == {"enterprises": 3, "unions": 3, "members": 3}
    html = resp.content.decode()
    assert world.street1.union_name in html and "街道工会干部" in html
    assert "尚未设置所属组织" in login(world.nobody).get("/").content.decode()


def test_home_counts_leave_out_archived_and_departed(world, login):
    from django.utils import timezone

    from unionwork.directory import services

    services.archive(world.cadre_a, world.ent_a2)
    services.end_membership(world.cadre_a, world.wangfang, "left", timezone.localdate())
    assert login(world.street_cadre).get("/").context["counts"] == {"enterprises": 2, "unions": 3, "members": 2}


def test_pages_use_no_cdn(world, login):
    """The users work on closed networks: every asset comes from this server."""
    import re

    html = login(world.street_cadre).get("/directory/members/").content.decode()
    srcs = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert srcs, "the page loads its assets"
    assert all(s.startswith("/static/") for s in srcs), srcs
    docs = login(world.street_cadre).get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs


def test_archived_user_node_means_no_scope(world, api):
    make_user("old", Role.COMMUNITY_CADRE, world.union_a2.node)
    from unionwork.directory import services

    services.archive(world.cadre_a, world.union_a2)
    from unionwork.accounts.models import User

    assert api(User.objects.get(username="old")).get("/api/v1/unions").json()["count"] == 0


def test_home_lists_the_largest_children_when_there_are_many(world, login, monkeypatch):
    from unionwork.org import views

    page = login(world.cadre_a).get("/").content.decode()
    assert world.union_a.name in page and world.union_a2.name in page and "共 2 个" not in page
    monkeypatch.setattr(views, "HOME_CHILDREN", 1)
    page = login(world.cadre_a).get("/").content.decode()
    # 华信 has two members, the joint union none: only the larger is listed, with a link to all.
    assert f"/directory/unions/{world.union_a.pk}/" in page and f"/directory/unions/{world.union_a2.pk}/" not in page
    assert "共 2 个" in page and f"/tree/{world.comm_a.pk}/" in page
