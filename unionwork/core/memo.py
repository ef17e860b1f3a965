"""Figures of a whole tree, computed once per process and reused until a record they depend on changes.

Every write goes through a service that leaves a ChangeLog row, so ChangeLog ids are the data's
version, and the content types of the rows since a memo was made say what changed. A memo holds
named parts (one per indicator, say), each depending on some models: when a request finds newer
ChangeLog rows, only the parts that depend on their models are computed again. Registering an
activity leaves the directory's counts and the contract figures as they were.

A module-level dict rather than Django's cache: the figures of ~8,000 nodes would be pickled on
every read there. Each process keeps its own.

The version is read before computing, so a write that lands meanwhile is seen again by the next
request (a part may be computed twice, never kept stale). On PostgreSQL a transaction that commits
ChangeLog ids lower than ones already visible (a long import beside short writes) is seen once a
later write moves the newest id on.
"""

import contextlib
import contextvars
import re
import threading
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from .models import ChangeLog


def _table() -> str:
    return connection.ops.quote_name(ChangeLog._meta.db_table)


def latest_change() -> tuple:
    """(id, time as stored) of the newest ChangeLog row: one index seek. The time tells a row apart from
    another that took the same id after a rollback (SQLite reuses the ids of rolled-back rows). Plain SQL:
    several memos ask on every list page, and building the ORM's query cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, created_at FROM {_table()} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return tuple(row) if row else (0, None)


# Within one request the data's version is read once, however many memos ask (a list page had three: its
# count, its table's size, its area select). audit.record empties the box before it writes a ChangeLog row.
_request_version: contextvars.ContextVar = contextvars.ContextVar("memo_request_version", default=None)


# And what changed between two versions, asked by each memo whose entry is older than the request's version
# (after every write, all of them): asked of the database once per pair and request.
_request_changes: contextvars.ContextVar = contextvars.ContextVar("memo_request_changes", default=None)


@contextlib.contextmanager
def one_version_per_request():
    token = _request_version.set([])
    changes = _request_changes.set({})
    try:
        yield
    finally:
        _request_changes.reset(changes)
        _request_version.reset(token)


def current_version() -> tuple:
    box = _request_version.get()
    if box is None:
        return latest_change()
    if not box:
        box.append(latest_change())
    return box[0]


def forget_request_version():
    box = _request_version.get()
    if box:
        box.clear()
    changes = _request_changes.get()
    if changes:
        changes.clear()


def changed_since(after: tuple, upto: tuple) -> set[int] | None:
    """Content type ids of the ChangeLog rows after `after` up to `upto`; None when `after` is no longer
    part of the history (rolled back): then anything may have changed."""
    if after[0] > upto[0]:
        return None
    kept = _request_changes.get()
    key = (after, upto)
    if kept is not None and key in kept:
        return kept[key]
    found = None
    with connection.cursor() as cursor:  # plain SQL, as latest_change: building the ORM's cost more
        gone = False
        if after[0]:  # the stored time, compared as stored
            cursor.execute(f"SELECT 1 FROM {_table()} WHERE id = %s AND created_at = %s", [after[0], after[1]])
            gone = cursor.fetchone() is None
        if not gone:
            cursor.execute(f"SELECT DISTINCT content_type_id FROM {_table()} WHERE id > %s AND id <= %s",
                           [after[0], upto[0]])
            found = {row[0] for row in cursor.fetchall()}
    if kept is not None:
        kept[key] = found
    return found


def content_types(models: Iterable) -> frozenset[int]:
    return frozenset(ct.pk for ct in ContentType.objects.get_for_models(*models).values())


def models_of(querysets: Iterable) -> set:
    """The models whose tables a queryset's SQL reads (joins and subqueries included)."""
    found = set()
    for qs in querysets:
        found |= tables_models(qs.query.sql_with_params()[0])
    return found


def tables_models(sql: str) -> set:
    """The models whose tables this SQL names."""
    from django.apps import apps

    by_table = {m._meta.db_table: m for m in apps.get_models()}
    return {by_table[t] for t in re.findall(r'"(\w+)"', sql) if t in by_table}


class VersionedMemo:
    """{key: (version, {part: value})}, the newest `keep` keys."""

    def __init__(self, keep: int = 8):
        self._lock = threading.Lock()
        self._memo: dict = {}
        self._keep = keep

    def get(self, key, deps: dict[str, frozenset | None], compute: Callable[[set], dict]) -> dict:
        """The parts of key, computing again (compute(stale parts) -> {part: value}) those whose
        dependencies (content type ids; None: anything) have changed since they were made."""
        version = current_version()
        with self._lock:
            entry = self._memo.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        changed = changed_since(entry[0], version) if entry is not None else None
        if changed is None:
            entry, stale = None, set(deps)
        else:
            stale = {part for part, cts in deps.items() if cts is None or cts & changed or part not in entry[1]}
        values = dict(entry[1]) if entry is not None else {}
        if stale:
            values.update(compute(stale))
        with self._lock:
            self._memo.pop(key, None)
            if len(self._memo) >= self._keep:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = (version, values)
        return values

    def clear(self):
        with self._lock:
            self._memo.clear()
