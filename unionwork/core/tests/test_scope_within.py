"""A list narrowed to an area (组织 filter) narrows the scope's own node list: the same rows as the
area's path, never a row outside the user's scope, and the scoped queryset itself left as it was."""

import pytest

from unionwork.core.scope import scoped, within
from unionwork.directory.models import Enterprise, Member

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(qs.values_list("name", flat=True))


@pytest.mark.parametrize("user_name, area_name, expected", [
    ("district_admin", "street1", ["张三", "李四", "王芳"]),
    ("district_admin", "comm_c", ["赵六"]),
    ("street_cadre", "comm_b", ["李四"]),
    ("street_cadre", "street1", ["张三", "李四", "王芳"]),
    ("cadre_a", "comm_a", ["张三", "王芳"]),
])
def test_within_gives_the_rows_of_the_area_in_the_scope(world, user_name, area_name, expected):
    user, area = getattr(world, user_name), getattr(world, area_name)
    qs = scoped(user, Member)
    narrowed = within(qs, area)
    assert narrowed is not None
    assert names(narrowed) == sorted(expected)
    assert names(narrowed) == names(qs.filter(node__path__startswith=area.path))
    assert names(qs) == names(scoped(user, Member))  # the scoped queryset is not changed


def test_an_area_outside_the_scope_is_not_narrowed_into(world):
    qs = scoped(world.cadre_a, Member)
    assert within(qs, world.comm_b) is None  # the caller's own filter then finds nothing
    assert within(qs, world.district) is None


def test_querysets_without_one_node_list_are_left_to_the_caller(world):
    operator_like = Member.objects.all()  # no scope list (an operator's)
    assert within(operator_like, world.comm_a) is None
    # Enterprises are placed by their node or their union's node (an OR): not narrowed here.
    assert within(scoped(world.street_cadre, Enterprise), world.comm_a) is None


def test_area_filter_on_the_pages_and_api(world, login, api):
    client = login(world.street_cadre)
    html = client.get("/directory/members/", {"node": world.comm_b.pk}).content.decode()
    assert f"/directory/members/{world.lisi.pk}/" in html
    assert f"/directory/members/{world.zhangsan.pk}/" not in html
    rows = api(world.street_cadre).get("/api/v1/members", {"node": world.comm_a.pk}).json()["results"]
    assert sorted(r["name"] for r in rows) == ["张三", "王芳"]
    # Community A's cadre cannot pick community B: the filter refuses it and the list shows no one of B.
    html = login(world.cadre_a).get("/directory/members/", {"node": world.comm_b.pk}).content.decode()
    assert f"/directory/members/{world.lisi.pk}/" not in html
