"""Every indicator for every node of a tree, kept per process (core.memo): after a write only the
indicators that read the changed records are computed again."""

import functools
from collections.abc import Callable

from unionwork.core import memo
from unionwork.core.kinds import all_kinds
from unionwork.org.models import Node

from . import indicators as ind

_MEMO = memo.VersionedMemo(keep=8)


@functools.cache
def dependencies() -> dict[str, frozenset]:
    """{indicator key: content type ids of the models it reads}. Read off the SQL of its querysets; a
    record kind's child rows are logged under their parent, and the tree itself matters to all."""
    period = ind.Period.year(2026)
    parents = {child.model: kind.model for kind in all_kinds().values() for child in kind.children}
    out = {}
    for key, indicator in ind.REGISTRY.items():
        querysets = [p.records(period) for p in (indicator.num, indicator.den) if p is not None]
        if indicator.missing is not None:
            querysets.append(indicator.missing(period))
        models = memo.models_of(querysets) | {Node}
        models |= {parents[m] for m in models if m in parents}
        out[key] = memo.content_types(models)
    return out


class Figures:
    """figures[node id][indicator key] -> Figure, read from the memo's {key: {node id: Figure}}."""

    def __init__(self, by_key: dict):
        self._by_key = by_key

    def __getitem__(self, node_id):
        return _OneNode(self._by_key, node_id)

    def of_key(self, key) -> dict:
        """{node id: Figure} of one indicator: what the comparison of children reads, without an object
        per lookup."""
        return self._by_key[key]


class _OneNode:
    def __init__(self, by_key, node_id):
        self._by_key, self._node_id = by_key, node_id

    def __getitem__(self, key):
        return self._by_key[key][self._node_id]


def figures(node: Node, period: ind.Period) -> Figures:
    """Every indicator for every node of the tree that holds `node` (callers read only what they may see)."""
    root = node.ancestor_ids()[0]

    def compute(keys):
        computed = ind.compute(Node.objects.get(pk=root), period, sorted(keys))
        return {key: {pk: per_node[key] for pk, per_node in computed.items()} for key in keys}

    key = (root, period.start, period.end)
    by_key = _MEMO.get(key, dependencies(), compute)
    if by_key and node.pk not in next(iter(by_key.values())):  # a node made without its ChangeLog row
        _MEMO.clear()
        by_key = _MEMO.get(key, dependencies(), compute)
    return Figures(by_key)


def clear():
    _MEMO.clear()
    _PARTS.clear()


# The dashboard's other parts (reminders, monthly trends) per node and scope, kept the same way.
_PARTS = memo.VersionedMemo(keep=512)
_PART_DEPS: dict[str, frozenset] = {}


def dashboard_part(name: str, key: tuple, querysets: Callable[[], list], compute: Callable[[list], object]):
    """compute(querysets()) for this key, again only once a model those querysets read (or the tree)
    has changed. The querysets' tables are read off their SQL on the first call."""
    deps = _PART_DEPS.get(name)
    if deps is None:
        deps = _PART_DEPS[name] = memo.content_types(memo.models_of(querysets()) | {Node})
    return _PARTS.get((name, *key), {name: deps}, lambda stale: {name: compute(querysets())})[name]


def warm_up():
    """Compute the current year's figures and the directory counts of every tree now: under gunicorn
    --preload the master does it once and every worker is forked with them (each would otherwise
    compute them on its first dashboard, seconds at district size). Closes its connections, which a
    forked worker must not share."""
    from django.db import connections
    from django.utils import timezone

    from unionwork.org.selectors import count_below

    try:
        today = timezone.localdate()
        period = ind.Period.year(today.year, until=today)
        for root in Node.objects.filter(parent__isnull=True, archived_at__isnull=True):
            figures(root, period)
            count_below(root)
    finally:
        connections.close_all()
