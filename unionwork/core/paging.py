"""Pages of large scoped lists: the page's keys chosen inside, its rows read outside."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """Django's Paginator, but a model queryset's page is read as

        SELECT <rows and their joins> WHERE pk IN (SELECT pk ... ORDER BY ... LIMIT/OFFSET) ORDER BY ...

    The inner query sorts only keys and the ordering columns, which an index can cover, and skips
    the OFFSET rows without reading them or their joins; the outer one reads the page's rows with
    the queryset's joins (select_related) by primary key. In one plain query SQLite sorts whole rows,
    joins included, of everything that matches before it can cut the page out: 0.4-3 s for a
    district's 200,000 members, tens of ms this way (bench/directory.py, docs/benchmarks.md).

    The filters (the scope among them) are compiled and run once, in the inner query, in the same
    statement: the outer query adds none. Same rows, same order; the count is unchanged.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom, top):
        return page_rows(self.object_list, bottom, top)


def page_rows(qs, bottom, top):
    """qs[bottom:top], read as the class above explains (a plain slice when qs cannot be split so)."""
    if (not isinstance(qs, QuerySet) or qs._fields is not None or qs.query.distinct or qs.query.combinator
            or qs.query.is_sliced or not qs.ordered or qs.query.annotations or qs.query.extra
            or qs.query.deferred_loading != (frozenset(), True)):
        return qs[bottom:top]
    if top <= bottom:
        return []
    rows = qs.model._base_manager.filter(pk__in=qs.values("pk")[bottom:top])
    rows.query.select_related = qs.query.select_related
    rows = rows.prefetch_related(*qs._prefetch_related_lookups)
    return list(rows.order_by(*qs.query.order_by) if qs.query.order_by else rows)
