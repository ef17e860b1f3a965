"""KeysFirstPaginator: the same pages as Django's Paginator, in one query per page after the count."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import add_member, make_id
from unionwork.core.paging import KeysFirstPaginator
from unionwork.core.scope import scoped
from unionwork.directory.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    # Equal names and dates: ties that only the pk keeps in order.
    for i in range(23):
        add_member(world.district_admin, world.union_a2 if i % 2 else world.union_b, "王伟" if i % 3 else "李娜",
                   make_id("19800101", 100 + i))
    return world


@pytest.mark.parametrize("ordering", [("name_pinyin", "pk"), ("-joined_on", "-pk"), ("union__name", "name", "pk")])
@pytest.mark.parametrize("per_page,orphans", [(5, 0), (7, 2), (50, 0)])
def test_pages_are_django_pages(many, ordering, per_page, orphans):
    for user in (many.district_admin, many.street_cadre, many.cadre_b):
        qs = scoped(user, Member).select_related("union", "enterprise").order_by(*ordering)
        plain, keys_first = Paginator(qs, per_page, orphans=orphans), KeysFirstPaginator(qs, per_page, orphans=orphans)
        assert keys_first.count == plain.count and keys_first.num_pages == plain.num_pages
        for number in plain.page_range:
            assert [m.pk for m in keys_first.page(number)] == [m.pk for m in plain.page(number)]


def test_a_page_is_one_query_with_its_joins(many):
    qs = scoped(many.street_cadre, Member).select_related("union", "enterprise").order_by("name_pinyin", "pk")
    paginator = KeysFirstPaginator(qs, 10)
    assert paginator.count > 10
    with CaptureQueriesContext(connection) as ctx:
        rows = list(paginator.page(2))
        names = [(m.union.name, m.enterprise.name if m.enterprise else None) for m in rows]
    assert len(ctx) == 1 and len(names) == 10
    # The filters (the scope) are inside the page's key list, applied in the same statement.
    assert "LIMIT" in ctx[0]["sql"] and ctx[0]["sql"].count("org_node") >= 1


def test_rows_outside_the_filters_never_come_back(many):
    qs = scoped(many.cadre_b, Member).select_related("union").order_by("pk")
    rows = list(KeysFirstPaginator(qs, 100).page(1))
    assert rows and all(m.union_id == many.union_b.pk for m in rows)


def test_querysets_it_cannot_split_are_paged_plainly(many):
    qs = scoped(many.district_admin, Member).order_by("pk").values("pk", "name")
    assert [r["pk"] for r in KeysFirstPaginator(qs, 5).page(2)] == [r["pk"] for r in Paginator(qs, 5).page(2)]
