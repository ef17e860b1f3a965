"""Figures of a whole tree, computed once and reused until a record changes.

Every write goes through a service that leaves a ChangeLog row, so the newest ChangeLog row is the
version of the data: when it moves, the figures are computed again. A module-level dict rather than
Django's cache because the figures of ~8,000 nodes would be pickled on every read there.
"""

import threading

from django.db.models import Max

from unionwork.core.models import ChangeLog
from unionwork.org.models import Node

from . import indicators as ind

_LOCK = threading.Lock()
_MEMO: dict = {}
_KEEP = 8


def data_version():
    v = ChangeLog.objects.aggregate(i=Max("id"), t=Max("created_at"))
    return (v["i"], v["t"])


def figures(node: Node, period: ind.Period) -> dict[int, dict[str, ind.Figure]]:
    """Every indicator for every node of the tree that holds `node` (callers read only what they may see)."""
    root_id = node.ancestor_ids()[0]
    key = (root_id, period.start, period.end)
    version = data_version()
    with _LOCK:
        hit = _MEMO.get(key)
        if hit and hit[0] == version:
            return hit[1]
    result = ind.compute(Node.objects.get(pk=root_id), period)
    with _LOCK:
        if len(_MEMO) >= _KEEP:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = (version, result)
    return result


def clear():
    with _LOCK:
        _MEMO.clear()
