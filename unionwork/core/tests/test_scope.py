"""The scope choke point itself: the indexed prefix filter and deny-by-default."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from conftest import make_user
from unionwork.accounts.choices import Perm, Role
from unionwork.core.models import ChangeLog
from unionwork.core.scope import (
    ensure_can_write,
    get_scoped,
    node_in_scope,
    path_prefix_q,
    scope_path,
    scoped,
)
from unionwork.directory.models import Member
from unionwork.org.choices import NodeKind
from unionwork.org.models import Node

pytestmark = pytest.mark.django_db


def test_prefix_filter_does_not_take_siblings_with_longer_ids(db):
    """'900/4/' must not match '900/40/': the trailing slash keeps ids apart."""
    for code, path in [("P1", "900/"), ("P2", "900/4/"), ("P3", "900/40/"), ("P4", "900/4/5/"), ("P5", "901/4/")]:
        Node.objects.create(kind=NodeKind.STREET, name=code, code=code, path=path)
    found = set(Node.objects.filter(path_prefix_q("path", "900/4/")).values_list("code", flat=True))
    assert found == {"P2", "P4"}
    assert set(Node.objects.filter(path_prefix_q("path", "900/"), code__startswith="P").values_list("code", flat=True)) == {
        "P1", "P2", "P3", "P4"}
    assert Node.objects.filter(path_prefix_q("path", ""), code__startswith="P").count() == 5


def test_scope_path_denies_by_default(world):
    assert scope_path(None) is None
    assert scope_path(AnonymousUser()) is None
    assert scope_path(world.nobody) is None
    world.cadre_a.is_active = False
    assert scope_path(world.cadre_a) is None
    assert scope_path(world.street_cadre) == world.street1.path


def test_operator_without_node_sees_all_but_superuser_with_node_is_bounded(world):
    op = make_user("ops", Role.VIEWER, None, is_superuser=True)
    assert scope_path(op) == ""
    assert scoped(op, Member).count() == Member.objects.count()
    bounded = make_user("ops2", Role.VIEWER, world.comm_b, is_superuser=True)
    assert set(scoped(bounded, Member).values_list("name", flat=True)) == {"李四"}


def test_scoped_refuses_models_that_cannot_be_placed(world):
    with pytest.raises(ImproperlyConfigured):
        scoped(world.street_cadre, ChangeLog)


def test_get_scoped_is_404_outside_and_for_garbage(world):
    assert get_scoped(world.cadre_a, Member, pk=world.zhangsan.pk) == world.zhangsan
    for pk in (world.lisi.pk, "abc", None, 10**12):
        with pytest.raises(Http404):
            get_scoped(world.cadre_a, Member, pk=pk)


def test_node_in_scope(world):
    assert node_in_scope(world.cadre_a, world.comm_a)
    assert node_in_scope(world.cadre_a, world.union_a.node)
    assert not node_in_scope(world.cadre_a, world.comm_b)
    assert not node_in_scope(world.cadre_a, world.street1)
    assert not node_in_scope(world.cadre_a, None)
    assert not node_in_scope(world.nobody, world.comm_a)


def test_ensure_can_write_needs_role_and_scope(world):
    ensure_can_write(world.cadre_a, Perm.CREATE, world.comm_a)
    with pytest.raises(PermissionDenied) as exc:
        ensure_can_write(world.cadre_a, Perm.CREATE, world.comm_b)
    assert world.comm_b.display_name in str(exc.value)
    with pytest.raises(PermissionDenied) as exc:
        ensure_can_write(world.viewer, Perm.CREATE, world.comm_a)
    assert "只读" in str(exc.value) and "无权新建" in str(exc.value)


def _users(world):
    return [world.district_admin, world.street_cadre, world.cadre_a, world.cadre_b, world.chair_a, world.viewer]


def test_rows_placed_through_a_foreign_key_are_scoped_alike_in_broad_and_narrow_scopes(world):
    """An enterprise is seen from its own node or from its union's node. Narrow scopes (a community, a
    union) ask it through nested IN lists, broad ones through a join: the rows are the same."""
    from conftest import add_enterprise
    from unionwork.directory.models import Enterprise

    # An enterprise placed in community B but covered by a union of community A.
    crossing = add_enterprise(world.district_admin, world.comm_b, "天津跨社区服务有限公司")
    Enterprise.objects.filter(pk=crossing.pk).update(union=world.union_a)
    for user in _users(world):
        path = scope_path(user)
        expected = {e.pk for e in Enterprise.objects.select_related("node", "union__node")
                    if e.node.path.startswith(path) or (e.union and e.union.node.path.startswith(path))}
        assert set(scoped(user, Enterprise).values_list("pk", flat=True)) == expected, user.username
    assert crossing.pk in set(scoped(world.cadre_a, Enterprise).values_list("pk", flat=True))
    assert crossing.pk in set(scoped(world.chair_a, Enterprise).values_list("pk", flat=True))
    assert world.ent_a2.pk not in set(scoped(world.chair_a, Enterprise).values_list("pk", flat=True))


def test_pinyin_search_finds_the_same_members_from_every_depth(world, api):
    """A district's or street's pinyin search starts from the pinyin index (pk IN …), a community's
    from its nodes: both keep to the scope."""
    for user, expected in [(world.district_admin, {"张三"}), (world.street_cadre, {"张三"}),
                           (world.cadre_a, {"张三"}), (world.cadre_b, set()), (world.chair_a, {"张三"})]:
        for q in ("zhangsan", "zs"):
            names = {r["name"] for r in api(user).get("/api/v1/members", {"q": q}).json()["results"]}
            assert names == expected, (user.username, q)


def test_name_search_finds_the_same_members_from_every_depth(world, api):
    """A district's or street's search by characters reads the name index first (pk IN …), a
    community's its nodes: the same members, inside the scope, a part of the name enough."""
    for user in (world.district_admin, world.street_cadre, world.cadre_a, world.cadre_b, world.chair_a):
        for q in ("张三", "三", "李"):
            names = {r["name"] for r in api(user).get("/api/v1/members", {"q": q}).json()["results"]}
            assert names == {m.name for m in scoped(user, Member) if q in m.name}, (user.username, q)
    assert {r["name"] for r in api(world.district_admin).get("/api/v1/members", {"q": "三"}).json()["results"]} \
        >= {"张三"}


def test_filter_sets_of_two_requests_share_no_filter_form_or_queryset(world, rf):
    """KeptFormFilterSet copies its filters and its form's fields per request more cheaply than a deep copy:
    each request's method filters still call its own FilterSet (its user's scope), its area field holds its
    own user's areas, and what one request's form changes is not seen by the next."""
    from django.http import QueryDict

    from unionwork.directory.filters import MemberFilter

    def filter_set(user, query):
        request = rf.get("/directory/members/?" + query)
        request.user = user
        return MemberFilter(QueryDict(query), queryset=scoped(user, Member), request=request)

    street, community = filter_set(world.street_cadre, "q=张三"), filter_set(world.cadre_a, "q=李四")
    assert street.filters["q"] is not community.filters["q"]
    assert street.filters["q"].filter.method == street.filter_q and community.filters["q"].filter.method == community.filter_q
    assert street.filters["q"].extra is not MemberFilter.base_filters["q"].extra
    assert set(street.qs.values_list("name", flat=True)) == {"张三"}
    assert list(community.qs) == []  # 李四 is in community B

    street_nodes = set(street.form.fields["node"].queryset.values_list("pk", flat=True))
    community_nodes = set(community.form.fields["node"].queryset.values_list("pk", flat=True))
    assert world.comm_b.pk in street_nodes and world.comm_b.pk not in community_nodes
    assert callable(MemberFilter.base_filters["node"].extra["queryset"])  # no request's queryset left there

    street.form.fields["gender"].widget.attrs["data-x"] = "1"
    street.form.fields["gender"].choices = [("F", "女")]
    again = filter_set(world.cadre_a, "gender=M")
    assert "data-x" not in again.form.fields["gender"].widget.attrs
    assert [v for v, _ in again.form.fields["gender"].choices if v] == ["M", "F"]
    assert again.is_valid() and again.form.cleaned_data["gender"] == "M"


def test_scoping_a_scoped_queryset_again_adds_nothing_and_lets_nothing_out(world):
    """scoped() leaves a queryset already bound to the same scope as it is (a selector's rows passed on to
    get_scoped), and scopes anything else again: another scope, an OR with other rows, a negated list."""
    from unionwork.core.scope import nodes_in_scope

    def names(qs):
        return set(qs.values_list("name", flat=True))

    street = scoped(world.street_cadre, Member)
    again = scoped(world.street_cadre, street)
    assert str(again.query).count('"org_node"') == str(street.query).count('"org_node"') == 1
    assert names(again) == names(street) and names(street) < names(Member.objects.all())
    assert get_scoped(world.street_cadre, street, pk=world.zhangsan.pk) == world.zhangsan
    # Another user's scope still applies on top.
    assert names(scoped(world.cadre_a, street)) == names(scoped(world.cadre_a, Member))
    # OR-ed with every member, the same scope is applied again: no row outside it comes back.
    assert names(scoped(world.street_cadre, street | Member.objects.all())) == names(street)
    # The scope's own node list, negated: what remains is outside, and scoping it leaves nothing.
    ids = nodes_in_scope(world.street_cadre).values("id")
    ids.query.uw_scope_path = scope_path(world.street_cadre)
    assert names(scoped(world.street_cadre, Member.objects.exclude(node__in=ids))) == set()
    with pytest.raises(Http404):
        get_scoped(world.cadre_a, street, pk=world.lisi.pk)


def test_a_kept_scope_finds_nodes_made_after_it(world):
    """scoped() keeps each (model, scope)'s filtered queryset between requests; its SQL names the scope's
    path, so a community and its members added later are found, and a user moved elsewhere sees the new scope."""
    from conftest import add_member, add_union, make_id
    from unionwork.org.services import create_node

    def names(user):
        return set(scoped(user, Member).values_list("name", flat=True))

    before = names(world.street_cadre)
    node = create_node(world.district_admin, kind=NodeKind.COMMUNITY, name="新建社区", code="D1-S1-N",
                       parent=world.street1)
    union = add_union(world.district_admin, node, "新建社区联合工会")
    add_member(world.district_admin, union, "周新", make_id(seq=77))
    assert names(world.street_cadre) == before | {"周新"}
    assert "周新" not in names(world.cadre_a)
    world.cadre_a.node = node
    world.cadre_a.save()
    assert names(world.cadre_a) == {"周新"}
