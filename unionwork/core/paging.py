"""Pages of large scoped lists: the page's keys chosen inside, its rows read outside; counts kept."""

import copy
from functools import cached_property

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Func, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import WhereNode

from . import memo

# Walking the ordering's index costs a row lookup per entry read to test the filters (~7 µs: 1,400
# entries for a community's women in a district's table took 9.6 ms); finding the matches through a
# filter's index and sorting them costs ~0.2 µs a match (200,000 in 39 ms), more when a search's
# pk IN (…) list comes first (~0.6 µs: "li" over a district, 31 ms sorted, 16 ms walked). A page walks
# when entries × WALK_COST ≤ matches (SQLite only, see _walk_the_order).
WALK_COST = 12

_COUNTS = memo.VersionedMemo(keep=2048)
_DEPS: dict[str, dict] = {}  # {SQL: the content types of its tables}; the SQL is the same for every scope


class KeysFirstPaginator(Paginator):
    """Django's Paginator, but a model queryset's page is read as

        SELECT <rows and their joins> WHERE pk IN (SELECT pk ... ORDER BY ... LIMIT/OFFSET) ORDER BY ...

    The inner query sorts only keys and the ordering columns, which an index can cover, and skips
    the OFFSET rows without reading them or their joins; the outer one reads the page's rows with
    the queryset's joins (select_related) by primary key. In one plain query SQLite sorts whole rows,
    joins included, of everything that matches before it can cut the page out: 0.4-3 s for a
    district's 200,000 members, tens of ms this way (bench/directory.py, docs/benchmarks.md).

    The filters (the scope among them) are compiled and run once, in the inner query, in the same
    statement: the outer query adds none. Same rows, same order; the count is unchanged, and kept
    (kept_count) until a record of a table it reads changes.
    """

    @cached_property
    def count(self):
        return kept_count(self.object_list)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom, top):
        return page_rows(self.object_list, bottom, top, count=self.count)


def kept_count(qs) -> int:
    """qs.count(), computed again only once a table its SQL reads has a newer ChangeLog row (core.memo):
    a district's 200,000 members take 20 ms to count, and the same list is asked for again and again.
    The key is the count's own SQL and parameters, so the scope and every filter are part of it."""
    if not isinstance(qs, QuerySet):
        return Paginator(qs, 1).count
    try:
        # The key is the SQL of the rows' keys alone (the same FROM and WHERE, so the same rows) without
        # compiling the ~75 joined columns a page shows (0.8 ms); annotated or DISTINCT lists, whose
        # selected columns can change their count, are keyed by their whole SQL.
        plain = not (qs.query.distinct or qs.query.annotations or qs.query.extra or qs.query.combinator)
        keyed = qs.order_by().values_list("pk") if plain else qs
        sql, params = keyed.query.chain().get_compiler(qs.db).as_sql()
        key = (qs.db, sql, tuple(params))
        hash(key)
    except (EmptyResultSet, TypeError):  # a filter that matches nothing, or parameters that make no key
        return qs.count()
    deps = _DEPS.get(sql)
    if deps is None:
        if len(_DEPS) > 4096:
            _DEPS.clear()
        deps = _DEPS[sql] = {"n": memo.content_types(memo.tables_models(sql))}
    return _COUNTS.get(key, deps, lambda stale: {"n": qs.count()})["n"]


def forget_counts():
    _COUNTS.clear()
    _DEPS.clear()


def page_rows(qs, bottom, top, count=None):
    """qs[bottom:top], read as the class above explains (a plain slice when qs cannot be split so).
    With the count of qs given, a page of a dense list may be read by walking its ordering's index."""
    if (not isinstance(qs, QuerySet) or qs._fields is not None or qs.query.distinct or qs.query.combinator
            or qs.query.is_sliced or not qs.ordered or qs.query.annotations or qs.query.extra):
        return qs[bottom:top]
    if top <= bottom:
        return []
    keys = qs.values("pk")[bottom:top]
    if count and _walk_the_order(qs, top, count):
        keys.query.where = _unindexed(keys.query.where)
    rows = qs.model._base_manager.filter(pk__in=keys)
    rows.query.select_related = qs.query.select_related
    rows.query.deferred_loading = qs.query.deferred_loading  # only() / defer(): the same columns
    rows = rows.prefetch_related(*qs._prefetch_related_lookups)
    return list(rows.order_by(*qs.query.order_by) if qs.query.order_by else rows)


def _walk_the_order(qs, top, count) -> bool:
    """Whether to read the page's keys in index order, testing the filters row by row, rather than
    let SQLite find every match through a filter's index and sort them all. SQLite takes the second
    whenever a filter has an index (the scope's node_id always has): 10-40 ms for a street's or a
    district's members, where walking the name index to the 25th match of a list holding a third
    of the table reads ~75 entries. It pays when matches are dense: about top × rows / count
    entries are read, so only then (PostgreSQL's planner weighs the LIMIT itself)."""
    if connections[qs.db].vendor != "sqlite":
        return False
    opts = qs.model._meta
    ordering = list(qs.query.order_by or opts.ordering)
    names = [o.lstrip("-") for o in ordering]
    if len({o.startswith("-") for o in ordering}) != 1 or not names:
        return False
    # The index of the first column holds the rowid after it: ORDER BY col, pk is its own order.
    if any(n not in ("pk", opts.pk.name) for n in names[1:]) or not _has_own_index(opts, names[0]):
        return False
    # About top × rows / count entries are read to reach the page's last row.
    return WALK_COST * top * _table_rows(qs.model, qs.db) <= count * count


def _table_rows(model, db) -> int:
    """All rows of the model's table, kept like the lists' counts (no SQL compiled for the key)."""
    key = ("rows", db, model._meta.label)
    deps = {"n": memo.content_types([model])}
    return _COUNTS.get(key, deps, lambda stale: {"n": model._base_manager.using(db).count()})["n"]


def _has_own_index(opts, name) -> bool:
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:  # a lookup through a relation: no index of this table
        return False
    if not getattr(field, "concrete", False) or field.is_relation:
        return False
    return field.db_index or field.unique or any(list(i.fields) == [name] for i in opts.indexes)


class NoIndex(Func):
    """The column's value, through a unary + that changes nothing but keeps the planner from using an
    index on the column (SQLite; valid for numbers on PostgreSQL too), when another index serves better."""

    template = "+%(expressions)s"


def _unindexed(node: WhereNode) -> WhereNode:
    """A copy of the WHERE tree whose tests on this query's columns cannot use an index (the ones in
    subqueries keep theirs: the scope's node paths are found by index)."""
    out = copy.copy(node)
    out.children = []
    for child in node.children:
        if isinstance(child, WhereNode):
            child = _unindexed(child)
        elif isinstance(child, Lookup) and isinstance(child.lhs, Col):
            child = copy.copy(child)
            child.lhs = NoIndex(child.lhs, output_field=child.lhs.output_field)
        out.children.append(child)
    return out
