"""KeysFirstPaginator: the same pages as Django's Paginator, in one query per page after the count."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import add_member, make_id
from unionwork.core import paging
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


@pytest.mark.parametrize("walk_cost", [0, 10**12], ids=["walk-whenever-it-can", "never-walk"])
@pytest.mark.parametrize("ordering", [("name_pinyin", "pk"), ("-name", "-pk"), ("-joined_on", "-pk"),
                                      ("union__name", "name", "pk")])
@pytest.mark.parametrize("per_page,orphans", [(5, 0), (7, 2), (50, 0)])
def test_pages_are_django_pages(many, ordering, per_page, orphans, walk_cost, monkeypatch):
    monkeypatch.setattr(paging, "WALK_COST", walk_cost)
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
    # One query reads the page; any other only asks for the data's version (core.memo) or counts the
    # table once to choose how to read it.
    reads = [q["sql"] for q in ctx if "directory_member" in q["sql"] and "COUNT(" not in q["sql"]]
    assert len(reads) == 1 and len(names) == 10
    assert all("core_changelog" in q["sql"] or "COUNT(" in q["sql"] for q in ctx if q["sql"] not in reads)
    # The filters (the scope) are inside the page's key list, applied in the same statement.
    assert "LIMIT" in reads[0] and reads[0].count("org_node") >= 1


def test_rows_outside_the_filters_never_come_back(many):
    qs = scoped(many.cadre_b, Member).select_related("union").order_by("pk")
    rows = list(KeysFirstPaginator(qs, 100).page(1))
    assert rows and all(m.union_id == many.union_b.pk for m in rows)


def test_querysets_it_cannot_split_are_paged_plainly(many):
    qs = scoped(many.district_admin, Member).order_by("pk").values("pk", "name")
    assert [r["pk"] for r in KeysFirstPaginator(qs, 5).page(2)] == [r["pk"] for r in Paginator(qs, 5).page(2)]


def _page_query(qs, per_page=5):
    """The SQL and parameters of the query that reads page 1, and SQLite's plan for it."""
    paginator = KeysFirstPaginator(qs, per_page)
    paginator.count  # noqa: B018 - counted first, as a list page does
    seen = []

    def keep(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        list(paginator.page(1))
    sql, params = next((q, p) for q, p in seen if "LIMIT" in q and "directory_member" in q)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    return sql, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner weighs the LIMIT itself")
def test_a_dense_list_walks_the_name_index(many, monkeypatch):
    monkeypatch.setattr(paging, "WALK_COST", 1)  # the test's table is small: as if it were a district's
    # The district sees every member: its page's keys are read in name order, the filters tested row by
    # row (their columns behind SQLite's no-op +), not found through the node index and then all sorted.
    qs = scoped(many.district_admin, Member).filter(gender__in=["M", "F"]).order_by("name", "pk")
    sql, plan = _page_query(qs)
    assert '+"' in sql and "SCAN V0 USING INDEX directory_m_name_d5f0be_idx" in plan, plan
    # An order no index of its own gives (by birth date) is sorted as before.
    sql, plan = _page_query(qs.order_by("birth_date", "pk"))
    assert '+"' not in sql and "directory_m_name_d5f0be_idx" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's planner weighs the LIMIT itself")
def test_a_sparse_list_keeps_its_filter_index(many, monkeypatch):
    monkeypatch.setattr(paging, "WALK_COST", 10**12)  # as if the list held a sliver of a large table
    sql, plan = _page_query(scoped(many.district_admin, Member).order_by("name", "pk"))
    assert '+"' not in sql


def test_counts_are_kept_until_a_record_they_read_changes(many):
    import datetime

    from unionwork.activities import kinds as activity_kinds

    def counted():
        qs = scoped(many.street_cadre, Member).filter(archived_at__isnull=True).order_by("name", "pk")
        with CaptureQueriesContext(connection) as ctx:
            n = KeysFirstPaginator(qs, 5).count
        return n, sum("COUNT(" in q["sql"] for q in ctx)

    first, queries = counted()
    assert queries == 1 and first == scoped(many.street_cadre, Member).filter(archived_at__isnull=True).count()
    assert counted() == (first, 0)  # kept
    # A record of another kind is written: the members are not counted again.
    info = next(k for k in activity_kinds.KINDS if k.slug == "info")
    info.service.create(many.cadre_a, {"title": "信息一篇", "reported_on": datetime.date(2026, 3, 10), "to_whom": "街道",
                                       "adopted": False, "node": many.comm_a})
    assert counted() == (first, 0)
    # A member joins: counted again, and right.
    add_member(many.street_cadre, many.union_a2, "新会员", make_id("19900101", 900))
    assert counted() == (first + 1, 1)



def test_a_kept_count_is_its_own_filters_count_whatever_the_order(many):
    from django.db.models import Count

    base = scoped(many.district_admin, Member)
    women, men = base.filter(gender="F").order_by("name"), base.filter(gender="M").order_by("-name")
    assert paging.kept_count(women) == women.count() != paging.kept_count(men) == men.count()
    with CaptureQueriesContext(connection) as ctx:  # the same rows sorted otherwise: the kept count
        resorted = paging.kept_count(women.select_related("union").order_by("-joined_on", "pk"))
    assert resorted == women.count()
    assert not any("COUNT(" in q["sql"] for q in ctx if "directory_member" in q["sql"])
    # Annotated and DISTINCT lists are keyed by their whole SQL, and counted right.
    joined = base.annotate(n=Count("memberships")).filter(n__gte=1)
    assert paging.kept_count(joined) == joined.count() == base.count()
    spread = base.filter(memberships__isnull=False).distinct()
    assert paging.kept_count(spread) == spread.count()


def test_a_page_of_only_some_columns_is_the_same_page_and_reads_no_more(many):
    qs = (scoped(many.street_cadre, Member).select_related("union", "enterprise").order_by("name", "pk")
          .only("name", "gender", "node", "union__name", "enterprise__name"))
    paginator = KeysFirstPaginator(qs, 5)
    assert [m.pk for m in paginator.page(2)] == [m.pk for m in Paginator(qs, 5).page(2)]
    with CaptureQueriesContext(connection) as ctx:
        rows = list(paginator.page(2))
        shown = [(m.name, m.get_gender_display(), m.union.name, m.enterprise.name if m.enterprise else "") for m in rows]
    reads = [q["sql"] for q in ctx if "directory_member" in q["sql"]]
    assert len(reads) == 1 and len(shown) == 5
    assert '"directory_member"."phone"' not in reads[0] and '"directory_union"."chair_phone"' not in reads[0]
