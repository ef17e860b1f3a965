"""Pages of large scoped lists: the page's keys first, then its rows."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """Django's Paginator, but a model queryset's page is read in two queries:

    1. the primary keys of the page (``SELECT id ... ORDER BY ... LIMIT/OFFSET``): the database
       sorts only keys and the ordering columns, which an index can cover, and skips the OFFSET
       rows without reading them or their joins;
    2. those rows, by primary key, with the queryset's joins (select_related) and filters.

    In one query SQLite sorts whole rows, joins included, of everything that matches before
    it can cut the page out: 0.4-3 s for a district's 200,000 members, tens of ms in two steps
    (bench/directory.py, docs/benchmarks.md). Same rows, same order; the count is unchanged.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom, top):
        qs = self.object_list
        if (not isinstance(qs, QuerySet) or qs._fields is not None or qs.query.distinct or qs.query.combinator
                or qs.query.is_sliced or not qs.ordered):
            return qs[bottom:top]
        keys = list(qs.values_list("pk", flat=True)[bottom:top])
        if not keys:
            return []
        rows = {row.pk: row for row in qs.filter(pk__in=keys).order_by()}
        return [rows[key] for key in keys if key in rows]
