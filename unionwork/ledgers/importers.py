"""Row-by-row checking and writing of ledger imports.

One pass over the file, in chunks, inside one transaction: rows are checked and written chunk
by chunk, and the transaction is rolled back at the end when nothing may be written (a dry run,
or an error in all-or-nothing mode). Memory stays bounded by the chunk size whatever the file size,
and a crash or kill leaves the database as it was.
"""

import datetime
import gc
import itertools
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field

try:
    import fcntl
except ImportError:  # not on Linux: the pipes keep their size
    fcntl = None

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from unionwork.core import crypto
from unionwork.core.masking import MASKERS
from unionwork.core.scope import path_prefix_q, scope_path
from unionwork.core.text import pinyin_keys
from unionwork.core.validators import id_birth_date, id_gender, normalize_mobile
from unionwork.directory import name_grams
from unionwork.directory import services as directory_services
from unionwork.directory.choices import MembershipEvent, MembershipStatus, OperatingStatus
from unionwork.directory.models import Enterprise, Member, MemberNameGram, Union
from unionwork.directory.selectors import members_with_id_numbers
from unionwork.org.models import Node

from . import cleaning, progress
from .cleaning import CellError, compact, text
from .columns import columns_for
from .readers import Resplit, is_skipped, read_sheets

CHUNK = 5000
MAX_STORED_PROBLEMS = 5000
MEMO_LIMIT = 50_000  # distinct cells remembered per column (see BaseImporter.parse)
# Parsers that are pure functions of the cell, so that a column may remember what they made of it.
MEMO_PARSERS = {cleaning.text, cleaning.compact, cleaning.date, cleaning.yes_no, cleaning.count, cleaning.gender}
_MISS = object()


def _fill(memo, parse, raw):
    """What parse makes of raw (its value, or _Bad with the reason), remembered in memo."""
    try:
        value = parse(raw)
    except CellError as exc:
        value = _Bad(str(exc))
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[raw] = value
    return value
_MEMO_TYPES = frozenset({str, datetime.date})  # exactly these classes: a str never equals a date


# What a column of a chunk may hold for it to be parsed value by distinct value (see MemberImporter._column).
# int and float: the memo parsers make the same of 20190305 and 20190305.0 (equal keys); a date column with
# numbers in it (20190305 typed as a number, serial dates) was parsed cell by cell. bool (equal to 1 and 0,
# and refused where numbers are not) keeps a column cell by cell.
_VECTOR_TYPES = frozenset({str, type(None), int, float, datetime.date, datetime.datetime})


def _is_pure(parse):
    """Whether parse is a pure function of the cell, so that what it made of a cell may be remembered."""
    if getattr(parse, "inner", None) is not None:  # cleaning.limited: pure when what it wraps is
        parse = parse.inner
    return parse in MEMO_PARSERS or (getattr(parse, "func", None) is cleaning.choice and not parse.args)


class _Bad:
    """What a column remembers of a cell its parser refused: the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason):
        self.reason = reason


class Rollback(Exception):
    """Raised inside the transaction to undo everything written (dry run or errors)."""


@dataclass
class Outcome:
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    problems: list = field(default_factory=list)
    problem_count: int = 0
    rejected_rows: list = field(default_factory=list)  # (sheet, row number, cells, reasons)
    headers: dict = field(default_factory=dict)  # sheet -> {key: (header text, column letter)}
    header_cells: dict = field(default_factory=dict)  # sheet -> the header row as in the file
    notes: list = field(default_factory=list)
    written: bool = False


@dataclass
class Row:
    sheet: str
    number: int
    cells: list
    values: dict
    problems: list


class BaseImporter:
    kind = ""
    # Columns whose cells are nearly all different (names, numbers): not worth remembering.
    NO_MEMO = frozenset()

    def __init__(self, *, user, node: Node, mode: str, dry_run: bool, source: str, job_id=None):
        self.user, self.node, self.mode, self.dry_run = user, node, mode, dry_run
        self.source, self.job_id = source, job_id
        self.columns = {c.key: c for c in columns_for(self.kind)}
        self.outcome = Outcome()
        self._plans = {}
        self._init_kwargs = dict(user=user, node=node, mode=mode, dry_run=dry_run, source=source, job_id=job_id)
        self._split = True  # read large worksheets in parts (readers._split_sheet)
        self.now = timezone.now()
        self.today = timezone.localdate()
        # The user's own scope also bounds what an import may touch.
        path = scope_path(user) if user is not None else ""
        if path is None or (path and not node.path.startswith(path)):
            raise PermissionDenied(f"「{node.display_name}」不在您的管辖范围内，不能导入")
        self.scope_nodes = Node.objects.filter(path_prefix_q("path", node.path), archived_at__isnull=True)
        communities = list(self.scope_nodes.filter(kind="community").values_list("pk", "name", "union_name"))
        self.communities = {}
        self.ambiguous = set()  # names two communities in scope share: a row must not pick one silently
        for pk, name, union_name in communities:
            name, union_name = compact(name), compact(union_name)
            for key in {name, union_name, name.removesuffix("社区"), name.removesuffix("居委会")}:
                if key:
                    if self.communities.setdefault(key, pk) != pk:
                        self.ambiguous.add(key)
        self.default_community = node.pk if node.kind == "community" else None

    # -------------------------------------------------------------- driving

    def run(self, path):
        try:
            return self._run(path)
        except Resplit:
            # Rare: a large worksheet read in parts turned out to have cells left of its first part's
            # first column. Nothing was kept (the transaction was rolled back): start again reading it whole.
            again = type(self)(**self._init_kwargs)
            again._split = False
            self.__dict__.update(again.__dict__)
            return self._run(path)

    def _run(self, path):
        sheets = read_sheets(path, self.kind, split=self._split)
        # Rows, their lists and tuples make no reference cycles, but the cyclic collector would still go
        # through them (and the whole heap, at each older-generation pass): a tenth of an import's time,
        # in every thread. It is off while the import runs; anything cyclic is collected afterwards.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._import(sheets)
        finally:
            if enabled:
                gc.enable()
            for s in sheets:
                if s.close:
                    s.close()

    def _import(self, sheets):
        if not sheets:
            labels = "、".join(c.header for c in columns_for(self.kind) if c.required)
            raise CellError(f"文件中没有找到表头：至少应有“{labels}”等列（表头可以在标题行下方）")
        total_estimate = sum(s.height for s in sheets)
        for s in sheets:
            self.outcome.headers[s.name] = s.headers
            self.outcome.header_cells[s.name] = s.header_cells
            missing = [c.header for c in columns_for(self.kind) if c.required and c.key not in s.headers
                       and not self.optional_here(c.key)]
            if missing:
                self.problem(s.name, s.header_row, "表头", "", f"缺少必填列：{'、'.join(missing)}")
            if s.unknown:
                self.outcome.notes.append(f"工作表“{s.name}”中这些列不认识，已忽略：{'、'.join(s.unknown)}")
        try:
            with transaction.atomic():
                self.start_writes(total_estimate)
                try:
                    for s in sheets:
                        if any(p["sheet"] == s.name and p["column"] == "表头" for p in self.outcome.problems):
                            continue
                        chunk = []
                        for pair in s.rows:  # (row number, cells)
                            if is_skipped(pair[1]):  # blank and total rows
                                self.outcome.skipped += 1
                                continue
                            chunk.append(pair)
                            if len(chunk) >= CHUNK:
                                self.process_raw(s, chunk)
                                chunk = []
                                self.report(total_estimate)
                        if chunk:
                            self.process_raw(s, chunk)
                        if s.width:  # read in parts: rows as wide as a whole-sheet read makes them
                            s.widen(s.header_cells)
                            for rejected in self.outcome.rejected_rows:
                                if rejected[0] == s.name:
                                    s.widen(rejected[2])
                    self.report(total_estimate, stage="finishing")
                    self.sync_writes()
                    if self.dry_run or (self.mode == "all-or-nothing" and self.outcome.problem_count):
                        raise Rollback
                    self.finish_writes()
                finally:
                    self.stop_writes()  # nothing may still be writing when the transaction ends
                self.outcome.written = True
        except Rollback:
            pass  # the counts say what would have happened; nothing was written
        finally:
            self.end_writes()
        return self.outcome

    # Hooks for bulk writing (MemberImporter): all inside the transaction but end_writes.

    def start_writes(self, total_estimate):
        """Before the first row."""

    def sync_writes(self):
        """Wait for writes still running; raise their error, if any."""

    def finish_writes(self):
        """After the last row, when the transaction is going to be committed."""

    def stop_writes(self):
        """Last thing in the transaction, whatever happened."""

    def end_writes(self):
        """After the transaction, committed or not."""

    def report(self, total, stage="checking"):
        if self.job_id:
            done = self.outcome.rows_total + self.outcome.skipped
            progress.write(self.job_id, done, max(total, done), stage)

    def optional_here(self, key):
        return key == "community" and self.default_community is not None

    def problem(self, sheet, number, column, value, reason):
        self.outcome.problem_count += 1
        if len(self.outcome.problems) < MAX_STORED_PROBLEMS:
            self.outcome.problems.append(
                {"sheet": sheet, "row": number, "column": column, "value": "" if value is None else str(value)[:100],
                 "reason": reason})

    def parse(self, sheet, number, cells) -> Row:
        """Each mapped cell through its column's parser: the value, or the problem.

        A column of a pure parser remembers what it made of each text or date cell (up to MEMO_LIMIT
        distinct ones): a sheet repeats the same unions, communities, dates and choices on every row.
        (Not numbers: 1, 1.0 and True are one key to a dict, but not one value to a parser.)
        """
        compiled = self._plans.get(sheet.name)
        if compiled is None or compiled[0] is not sheet.columns:
            compiled = self._plans[sheet.name] = (sheet.columns, self._compile(sheet.columns))
        return compiled[1](sheet.name, number, cells)

    def _compile(self, columns):
        """parse() for one sheet's columns, as straight-line code with a block per column: at a few
        hundred thousand rows, a loop over the columns cost more than the cells' parsers. Per column,
        in the order of the sheet: its cell (None past the row's end), its parser (or what its memo
        has), the value into values, or (key, cell, reason) into problems, and for a required column
        that is empty, (key, cell, "…不能为空")."""
        ns = {"CellError": CellError, "_Bad": _Bad, "_MISS": _MISS, "_MEMO_TYPES": _MEMO_TYPES, "_fill": _fill,
              "Row": Row, "str": str, "len": len}
        code = ["def parse(sheet_name, number, cells):", "    n = len(cells)", "    values = {}", "    problems = []"]
        for j, (index, key) in enumerate(columns.items()):
            col = self.columns[key]
            parse = col.parse
            pure = _is_pure(parse)
            ns[f"p{j}"], ns[f"k{j}"], ns[f"m{j}"] = parse, key, {}
            code.append(f"    raw = cells[{int(index)}] if {int(index)} < n else None")
            if pure and key not in self.NO_MEMO:
                code += ["    if raw.__class__ in _MEMO_TYPES:",
                         f"        v = m{j}.get(raw, _MISS)",
                         "        if v is _MISS:",
                         f"            v = _fill(m{j}, p{j}, raw)",
                         "    else:",
                         "        try:",
                         f"            v = p{j}(raw)",
                         "        except CellError as exc:",
                         "            v = _Bad(str(exc))",
                         "    if v.__class__ is _Bad:",
                         f"        problems.append((k{j}, raw, v.reason))",
                         "    else:",
                         f"        values[k{j}] = v"]
            else:
                code += ["    try:",
                         f"        v = p{j}(raw)",
                         "    except CellError as exc:",
                         f"        problems.append((k{j}, raw, str(exc)))",
                         "    else:",
                         f"        values[k{j}] = v"]
            if col.required and not self.optional_here(key):
                ns[f"e{j}"] = f"{col.header}不能为空"
                code.append(f"        if v is None or v == '':\n            problems.append((k{j}, raw, e{j}))")
        code.append("    return Row(sheet_name, number, cells, values, problems)")
        exec("\n".join(code), ns)  # noqa: S102 - our own code, from the column list
        return ns["parse"]

    def process_raw(self, sheet, pairs):
        """A chunk of (row number, cells) as read: parsed row by row, then checked and written."""
        self.process([self.parse(sheet, number, cells) for number, cells in pairs])

    def process(self, rows: list[Row]):
        self.outcome.rows_total += len(rows)
        self.check(rows)
        good = []
        for row in rows:
            if row.problems:
                self.reject(row)
            else:
                good.append(row)
        self.write(good)

    def reject(self, row: Row):
        self.outcome.rejected += 1
        headers = self.outcome.headers.get(row.sheet, {})
        reasons = []
        for key, value, reason in row.problems:
            header, letter = headers.get(key, (self.columns[key].header if key in self.columns else key, ""))
            column = f"{header}（{letter}列）" if letter else header
            if key in MASKERS and isinstance(value, str) and value:
                value = MASKERS[key](text(value))  # problem lists are shown to roles without reveal
            self.problem(row.sheet, row.number, column, value, reason)
            reasons.append(f"{header}：{reason}")
        if self.mode == "valid-rows" and len(self.outcome.rejected_rows) < 200_000:
            self.outcome.rejected_rows.append((row.sheet, row.number, list(row.cells), "；".join(reasons)))

    # -------------------------------------------------------------- per kind

    def check(self, rows):  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, rows):  # pragma: no cover - abstract
        raise NotImplementedError

    def community_of(self, row: Row):
        name = row.values.get("community")
        if not name:
            if self.default_community:
                return self.default_community
            return None
        pk, problem = self.find_community(name)
        if problem:
            row.problems.append(("community", name, problem))
        return pk

    def find_community(self, name):
        """(pk, None) or (None, the reason in Chinese) for a community named in a sheet."""
        if name in self.ambiguous or name.removesuffix("社区") in self.ambiguous:
            return None, f"「{self.node.display_name}」下有多个“{cleaning.shown(name)}”，请导入到所在街道，或使用社区全称"
        pk = self.communities.get(name) or self.communities.get(name.removesuffix("社区"))
        if pk is None:
            return None, f"社区“{cleaning.shown(name)}”不在「{self.node.display_name}」的管辖范围内"
        return pk, None


# ------------------------------------------------------------------ members


_FAST_KEYS = frozenset({"name", "id_number", "gender", "ethnicity", "birth_date", "phone", "education",
                        "political_status", "union", "community", "enterprise_uscc", "enterprise_name", "joined_on",
                        "membership_status", "work_status", "is_migrant", "skills", "honours", "note"})
MEMBER_FIELDS = ["name", "gender", "ethnicity", "birth_date", "phone", "education", "political_status",
                 "joined_on", "work_status", "is_migrant", "skills", "honours", "note"]


class MemberImporter(BaseImporter):
    kind = "members"
    NO_MEMO = frozenset({"name", "id_number", "phone", "skills", "honours", "note"})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        unions = Union.objects.filter(node__in=self.scope_nodes.values("id"), archived_at__isnull=True) \
            .values_list("pk", "name", "node_id", "node__parent_id")
        self.unions_by_name: dict[str, list] = {}
        self.union_nodes = {}
        for pk, name, node_id, parent_id in unions:
            name = compact(name)  # the same cleaning as the cells they are matched with
            self.unions_by_name.setdefault(name, []).append((pk, parent_id))
            self.union_nodes[pk] = node_id
        self.default_union = None
        if self.node.kind == "union":
            self.default_union = Union.objects.filter(node=self.node).values_list("pk", flat=True).first()
        ents = Enterprise.objects.filter(node__in=self.scope_nodes.values("id"), archived_at__isnull=True) \
            .values_list("pk", "uscc", "name", "node_id", "union_id")
        if self.default_union:
            ents = Enterprise.objects.filter(union_id=self.default_union).values_list(
                "pk", "uscc", "name", "node_id", "union_id")
        self.ents_by_uscc, self.ents_by_name = {}, {}
        for pk, uscc, name, node_id, union_id in ents:
            self.ents_by_uscc[uscc] = (pk, union_id)
            self.ents_by_name.setdefault(compact(name), []).append((pk, node_id, union_id))
        self.seen_ids: dict = {}  # 身份证号 (as _id_key) -> the row it was first seen on
        self.ct_id = None
        self.union_names = {pk: name for name, lst in self.unions_by_name.items() for pk, _ in lst}
        self._union_memo = {}  # (union cell, community cell) -> (union id, its problems)
        self._ent_memo = {}  # (code cell, name cell, union id) -> (enterprise id, its problems)
        self._column_memo = {}  # column key -> {cell: parsed value or _Bad}, see _column
        self._bulk_indexes = []  # (name, CREATE INDEX sql) dropped for a bulk insert, see start_writes
        self._grams_after = None  # the highest member id before a bulk insert paused the name pieces' trigger
        self._cache_size = None
        self._days = {}
        self._births = {}
        self._was_empty = False  # see check()
        self._writer = None  # _SqliteWriter, see insert()
        self._pinyin_worker = None  # _PinyinWorker, see insert()

    def optional_here(self, key):
        return super().optional_here(key) or (key == "union" and self.default_union is not None)

    # ---------------------------------------------------------- column by column

    def process_raw(self, sheet, pairs):
        """A chunk checked column by column: each column's distinct cells parsed once, and the rows
        checked in one tight loop. A row in which anything at all is unusual (a problem, a duplicate,
        a phone to tidy, an existing member …) is left to the row-by-row way (parse, check_row, check,
        write), which says what is wrong exactly as it always has; the others are inserted as they are.
        At a few hundred thousand rows the row-by-row way spent most of its time on Python's per-row
        overhead (a dict and a Row per row, a call per cell), not on the checks themselves."""
        columns = sheet.columns
        if not pairs or "id_number" not in columns.values() or not set(columns.values()) <= _FAST_KEYS:
            return super().process_raw(sheet, pairs)
        n = len(pairs)
        rows = [cells for _, cells in pairs]
        need = max(columns) + 1
        if min(map(len, rows)) < need:  # short rows: the cells past their end are None, as parse() sees them
            rows = [cells if len(cells) >= need else cells + [None] * (need - len(cells)) for cells in rows]
        table = list(zip(*rows, strict=False))  # rows may be longer than need: only the first need cells matter
        slow = bytearray(n)  # 1: this row goes the row-by-row way
        vals = {key: self._column(key, table[index], slow) for index, key in columns.items()}
        ids = vals["id_number"]

        # 身份证号 seen twice (in this chunk, or before it): every row of the group goes row by row, which
        # names the first one. Rows with other problems count too, as check_row counts them.
        keys = [(int(v[:17]), i) for i, v in enumerate(ids) if v.__class__ is str and len(v) == 18]
        seen = self.seen_ids
        distinct = {k for k, _ in keys}
        if len(distinct) != len(keys) or not seen.keys().isdisjoint(distinct):
            counts = {}
            for k, _ in keys:
                counts[k] = counts.get(k, 0) + 1
            for k, i in keys:
                if counts[k] > 1 or k in seen:
                    slow[i] = 1
        if not self._was_empty:  # upserts, unchanged rows and conflicts: row by row
            self.sync_writes()
            candidates = [ids[i] for i in range(n) if not slow[i]]
            # The numbers of those already there (found by their hash once, read back decrypted).
            existing = set(members_with_id_numbers(Member.objects, candidates).values_list("id_number", flat=True))
            if existing:
                for i in range(n):
                    if not slow[i] and ids[i] in existing:
                        slow[i] = 1

        none = [None] * n
        names, genders, births = vals["name"], vals.get("gender", none), vals.get("birth_date", none)
        phones, joined, status = vals.get("phone", none), vals.get("joined_on", none), vals.get("membership_status", none)
        unions, communities = vals.get("union", none), vals.get("community", none)
        usccs, ent_names = vals.get("enterprise_uscc", none), vals.get("enterprise_name", none)
        ethnicities, education, political = vals.get("ethnicity", none), vals.get("education", none), \
            vals.get("political_status", none)
        work, migrant = vals.get("work_status", none), vals.get("is_migrant", none)
        skills, honours, notes = vals.get("skills", none), vals.get("honours", none), vals.get("note", none)
        now, day = self._stamp()
        today, today_text, active = self.today, day(self.today), MembershipStatus.ACTIVE.value
        union_memo, union_nodes, default_union = self._union_memo, self.union_nodes, self.default_union
        birth_memo, ent_memo, days = self._births, self._ent_memo, self._days
        worker = self._pinyin_worker
        params, fast_keys = [], []
        for i in range(n):
            if slow[i]:
                continue
            number = ids[i]
            gender = "M" if number[16] in "13579" else "F"
            cell = genders[i]
            if cell and cell != gender:
                slow[i] = 1
                continue
            ymd = number[6:14]
            birth = birth_memo.get(ymd)
            if birth is None:
                birth = id_birth_date(number)
                if len(birth_memo) < 100_000:
                    birth_memo[ymd] = birth
            cell = births[i]
            if cell and cell != birth:
                slow[i] = 1
                continue
            birth_text = days.get(birth) or day(birth)
            phone = phones[i]
            if phone and not (len(phone) == 11 and phone.isdigit() and phone.isascii() and phone[0] == "1"
                              and phone[1] in "3456789"):
                slow[i] = 1
                continue
            day_joined = joined[i]
            if day_joined and day_joined > today or status[i] not in (None, active):
                slow[i] = 1
                continue
            name = unions[i]
            if name:
                pair = (name, communities[i])
                found = union_memo.get(pair)
                if found is None:
                    found = union_memo[pair] = self.find_union(sheet.name, pairs[i][0], name, pair[1])
                union_id = found[0]
                if found[1]:
                    slow[i] = 1
                    continue
            else:
                union_id = default_union
            if union_id is None:
                slow[i] = 1
                continue
            enterprise_id = None
            if usccs[i] or ent_names[i]:
                triple = (usccs[i], ent_names[i], union_id)
                found = ent_memo.get(triple)
                if found is None:
                    found = ent_memo[triple] = self.find_enterprise(*triple)
                if found[1]:
                    slow[i] = 1
                    continue
                enterprise_id = found[0]
            full, initials = ("", "") if worker else _pinyin(names[i])
            params.append([
                names[i], full, initials, gender, ethnicities[i] or "汉族", number, birth_text, phone or "",
                education[i] or "", political[i] or "", enterprise_id, union_id, union_nodes[union_id],
                (days.get(day_joined) or day(day_joined)) if day_joined else today_text, active, work[i] or "employed", bool(migrant[i]),
                skills[i] or "", honours[i] or "", notes[i] or "", now, now, "",
            ])
            fast_keys.append((int(number[:17]), pairs[i][0]))
        seen.update(fast_keys)
        self.outcome.rows_total += len(params)
        if params:
            self.insert_params(params)
        if len(params) < n:
            self.process([self.parse(sheet, number, cells) for (number, cells), s in zip(pairs, slow, strict=True) if s])

    def _column(self, key, cells, slow):
        """The parsed values of one column of a chunk (anything, where the row is marked slow)."""
        col = self.columns[key]
        parse = col.parse
        required = col.required and not self.optional_here(key)
        if key not in self.NO_MEMO and _is_pure(parse) and set(map(type, cells)) <= _VECTOR_TYPES:
            memo = self._column_memo.setdefault(key, {})
            local = {}
            for raw in set(cells):
                value = memo.get(raw, _MISS)
                if value is _MISS:
                    value = _fill(memo, parse, raw)
                local[raw] = value
            flagged = {raw for raw, value in local.items()
                       if value.__class__ is _Bad or (required and (value is None or value == ""))}
            if flagged:
                for i, raw in enumerate(cells):
                    if raw in flagged:
                        slow[i] = 1
            return list(map(local.__getitem__, cells))
        try:
            values = list(map(parse, cells))
        except CellError:
            values = []
            for i, raw in enumerate(cells):
                try:
                    values.append(parse(raw))
                except CellError:
                    values.append(None)
                    slow[i] = 1
        if required:
            for i, value in enumerate(values):
                if value is None or value == "":
                    slow[i] = 1
        return values

    def check(self, rows):
        for row in rows:
            self.check_row(row)
        ids = [r.values["id_number"] for r in rows if r.values.get("id_number")]
        if self._was_empty:
            # No member existed when the import began (and nobody else writes while it runs): the only
            # ones there are those it created, from rows before, which seen_ids has marked duplicates.
            existing = {}
        else:
            self.sync_writes()
            existing = {m.id_number: m for m in members_with_id_numbers(Member.objects.select_related("union"), ids)}
        for row in rows:
            member = existing.get(row.values.get("id_number"))
            row.existing = member
            if member is None or row.problems:
                continue
            union_id = row.values.get("union_id")
            if member.membership_status == MembershipStatus.ACTIVE and member.union_id != union_id:
                row.problems.append(("union", self.union_names.get(union_id, ""),
                                     f"该人员已是「{member.union.name}」的会员，表中为另一工会；"
                                     "如需变更请在系统中办理转会，导入不会自动转会"))
            elif member.membership_status != MembershipStatus.ACTIVE and member.union_id != union_id:
                row.problems.append(("union", self.union_names.get(union_id, ""),
                                     f"该人员在「{member.union.name}」的会员档案为“{member.get_membership_status_display()}”，"
                                     "请在系统中办理重新入会"))

    def check_row(self, row: Row):
        v = row.values
        number = v.get("id_number")
        if number:
            key = _id_key(number)
            first = self.seen_ids.get(key)
            if first is not None:
                row.problems.append(("id_number", number, f"与本文件第 {first} 行的身份证号重复"))
            else:
                self.seen_ids[key] = row.number
            ymd = number[6:14]  # id_birth_date reads these 8 digits only: remember what it made of them
            birth = self._births.get(ymd)
            if birth is None:
                birth = id_birth_date(number)
                if birth is not None and len(self._births) < 100_000:
                    self._births[ymd] = birth
            gender = id_gender(number)
            if v.get("gender") and v["gender"] != gender:
                row.problems.append(("gender", "男" if v["gender"] == "M" else "女",
                                     f"与身份证号不一致（身份证号第17位表明为{'男' if gender == 'M' else '女'}）"))
            v["gender"] = gender
            if v.get("birth_date") and v["birth_date"] != birth:
                row.problems.append(("birth_date", v["birth_date"], f"与身份证号不一致（应为 {birth:%Y-%m-%d}）"))
            v["birth_date"] = birth
        phone = v.get("phone")
        if phone and not _plain_mobile(phone):  # a plain 11-digit mobile is what normalize_mobile returns
            try:
                v["phone"] = normalize_mobile(phone)
            except ValidationError as exc:
                row.problems.append(("phone", v["phone"], exc.messages[0]))
        if v.get("joined_on") and v["joined_on"] > self.today:
            row.problems.append(("joined_on", v["joined_on"], "入会日期不能晚于今天"))
        if v.get("membership_status") not in (None, MembershipStatus.ACTIVE):
            row.problems.append(("membership_status", v["membership_status"],
                                 "导入只能登记“已入会”的会员；退会、转会、去世请在系统中办理"))
        # Union: the same pair of cells always gives the same answer, worked out once.
        union_id = None
        name = v.get("union")
        if name:
            key = (name, v.get("community"))
            found = self._union_memo.get(key)
            if found is None:
                found = self._union_memo[key] = self.find_union(row.sheet, row.number, name, key[1])
            union_id, problems = found
            if problems:
                row.problems.extend(problems)
        elif self.default_union:
            union_id = self.default_union
        v["union_id"] = union_id
        # Employer
        if v.get("enterprise_uscc") or v.get("enterprise_name"):
            enterprise_id, problems = self.find_enterprise(v.get("enterprise_uscc"), v.get("enterprise_name"), union_id)
            if problems:
                row.problems.extend(problems)
            if enterprise_id is not None:
                v["enterprise_id"] = enterprise_id

    def find_enterprise(self, uscc, name, union_id):
        """(enterprise id or None, the problems) of the employer a row names by code or name."""
        enterprise, problems = None, []
        if uscc:
            found = self.ents_by_uscc.get(uscc.upper())
            if found is None:
                problems.append(("enterprise_uscc", uscc, "该信用代码的单位未在本辖区登记"))
            else:
                enterprise = found
        elif name:
            found = self.ents_by_name.get(name, [])
            if not found:
                problems.append(("enterprise_name", name, "该单位未在本辖区登记"))
            elif len(found) > 1:
                problems.append(("enterprise_name", name, "有多家同名单位，请填写单位统一社会信用代码"))
            else:
                enterprise = (found[0][0], found[0][2])
        if enterprise is None:
            return None, tuple(problems)
        if union_id and enterprise[1] not in (None, union_id):
            problems.append(("enterprise_name", name or uscc, "该单位属于另一个工会，与所在工会不一致"))
        return enterprise[0], tuple(problems)

    def find_union(self, sheet, number, name, community_name):
        """(union id or None, the problems) of a union named in a row, and the community beside it."""
        probe = Row(sheet, number, [], {"community": community_name}, [])
        community = self.community_of(probe) if community_name else None
        options = [pk for pk, parent in self.unions_by_name.get(name, []) if community in (None, parent)]
        union_id = None
        if not options:
            probe.problems.append(("union", name, f"工会“{cleaning.shown(name)}”不存在或不在「{self.node.display_name}」的管辖范围内"))
        elif len(options) > 1:
            probe.problems.append(("union", name, "有多个同名工会，请填写“所在社区”加以区分"))
        else:
            union_id = options[0]
        return union_id, tuple(probe.problems)

    def write(self, rows):
        if not rows:
            return
        creates, updates = [], []
        for row in rows:
            if row.existing is None:
                creates.append(row)
            else:
                changed = self.diff(row)
                if changed:
                    updates.append((row, changed))
                else:
                    self.outcome.unchanged += 1
        self.insert(creates)
        if updates:
            self.sync_writes()
        self.apply_updates(updates)

    def diff(self, row):
        member, v = row.existing, row.values
        changed = {}
        for key in MEMBER_FIELDS + ["enterprise_id"]:
            if key in v and v[key] not in (None, "") and getattr(member, key) != v[key]:
                changed[key] = v[key]
        return changed

    def _content_type(self):
        if self.ct_id is None:
            from django.contrib.contenttypes.models import ContentType

            self.ct_id = ContentType.objects.get_for_model(Member).pk
        return self.ct_id

    def insert(self, rows):
        """Raw executemany: the ORM's bulk_create costs several times the insert itself at this volume.

        On SQLite the timestamps and dates go in as the text Django's sqlite3 adapters would make of
        them, made once rather than by an adapter call per value; the new ids are read from the id range
        the insert filled; and the inserts run in a background thread (_SqliteWriter) while this one goes
        on with the next chunk.
        """
        if not rows:
            return
        now, day = self._stamp()
        union_nodes, today, active = self.union_nodes, self.today, MembershipStatus.ACTIVE.value
        worker = self._pinyin_worker
        params = []
        for row in rows:
            v = row.values
            full, initials = ("", "") if worker else _pinyin(v["name"])  # the worker's, see below
            union_id = v["union_id"]
            params.append([
                v["name"], full, initials, v["gender"], v.get("ethnicity") or "汉族", v["id_number"],
                day(v["birth_date"]), v.get("phone") or "", v.get("education") or "", v.get("political_status") or "",
                v.get("enterprise_id"), union_id, union_nodes[union_id], day(v.get("joined_on") or today),
                active, v.get("work_status") or "employed", bool(v.get("is_migrant")),
                v.get("skills") or "", v.get("honours") or "", v.get("note") or "", now, now, "",
            ])
        self.insert_params(params)

    def _stamp(self):
        """(now, day): on SQLite the text Django's sqlite3 adapters would make of a timestamp and a date."""
        if connection.vendor == "sqlite":
            return self.now.isoformat(" "), self._day_text
        return self.now, _same

    def insert_params(self, params):
        """Insert members given as lists in _MEMBER_COLUMNS order, 身份证号 and phone still plain and the
        lookup hash empty (the pinyin too, when the worker works it out)."""
        now = params[0][20]
        worker = self._pinyin_worker
        self.outcome.created += len(params)
        content_type = self._content_type()
        if self._writer is None:
            _seal(params)
            with connection.cursor() as cursor:
                self._insert_rows(params, now, content_type, cursor)
            return
        if worker:
            # The names' pinyin and the encrypted 身份证号 and phones, worked out by the child process (asked
            # now, while the writer is still on the chunk before) and read by the writer's thread: the same
            # pinyin_keys and core.crypto, off this thread.
            missing = [name for name in dict.fromkeys(p[0] for p in params) if name not in _pinyin_cache]
            if missing:
                worker.ask(missing)
            worker.ask_seal(params)

            def job():
                found = dict(zip(missing, worker.answer(missing), strict=True)) if missing else {}
                for p in params:
                    p[1], p[2] = found.get(p[0]) or _pinyin(p[0])
                _remember_pinyin(found)
                worker.answer_seal(params)
                self._insert_rows(params, now, content_type, self._writer.cursor())
        else:
            def job():
                _seal(params)
                self._insert_rows(params, now, content_type, self._writer.cursor())
        self._writer.submit(job)

    _MEMBER_COLUMNS = ("name", "name_pinyin", "name_initials", "gender", "ethnicity", "id_number", "birth_date",
                       "phone", "education", "political_status", "enterprise_id", "union_id", "node_id", "joined_on",
                       "membership_status", "work_status", "is_migrant", "skills", "honours", "note", "created_at",
                       "updated_at", "id_number_hash")

    def _insert_rows(self, params, now, content_type, cursor):
        """The members, their memberships and their history rows. cursor is Django's (placeholders %s)
        or, in the writer's thread, the driver's own (placeholders ?)."""
        mark = "%s" if isinstance(cursor, CursorWrapper) else "?"
        table = Member._meta.db_table
        sqlite = connection.vendor == "sqlite"
        before = self._max_id(cursor, table) if sqlite else None
        _insert_many(cursor, f"INSERT INTO {table} ({', '.join(self._MEMBER_COLUMNS)}) VALUES ", params, mark)
        if sqlite and self._max_id(cursor, table) - before == len(params):
            # n new rows, all above the old highest id and none above the new one: they are that range,
            # in the order they were inserted.
            if mark == "?":
                self._insert_history_of_range(before + 1, before + len(params), now, content_type, cursor)
                return
            ids = range(before + 1, before + 1 + len(params))
        elif mark == "?":
            self._unnumbered.append((params, now, content_type))  # looked up by the main thread, sync_writes
            return
        else:
            found = dict(Member.objects.filter(id_number_hash__in=[p[22] for p in params])
                         .values_list("id_number_hash", "pk"))
            ids = [found[p[22]] for p in params]
        self._insert_history(params, ids, now, content_type, cursor, mark)

    def _insert_history(self, params, ids, now, content_type, cursor, mark):
        join = MembershipEvent.JOIN.value
        stays = [(pk, p[11], p[13], join, "", "", now) for pk, p in zip(ids, params, strict=True)]
        _insert_many(cursor, "INSERT INTO directory_membership (member_id, union_id, started_on, start_event, "
                     "end_event, note, created_at) VALUES ", stays, mark)
        user_id = getattr(self.user, "pk", None)
        message = f"导入新建（导入任务#{self.job_id}）" if self.job_id else "导入新建"
        source = self.source
        logs = [(content_type, pk, p[0], "create", "{}", message, user_id, source, now)
                for pk, p in zip(ids, params, strict=True)]
        _insert_many(cursor, "INSERT INTO core_changelog (content_type_id, object_id, object_repr, action, changes, "
                     "message, user_id, source, created_at) VALUES ", logs, mark)

    def _insert_history_of_range(self, first, last, now, content_type, cursor):
        """_insert_history of the members with ids first..last, just inserted, read back by SQLite itself
        (INSERT … SELECT, in id order): the same rows, without a parameter per value to bind."""
        table = Member._meta.db_table
        cursor.execute(
            "INSERT INTO directory_membership (member_id, union_id, started_on, start_event, end_event, note, "
            f"created_at) SELECT id, union_id, joined_on, ?, '', '', ? FROM {table} WHERE id BETWEEN ? AND ? "
            "ORDER BY id", [MembershipEvent.JOIN.value, now, first, last])
        message = f"导入新建（导入任务#{self.job_id}）" if self.job_id else "导入新建"
        cursor.execute(
            "INSERT INTO core_changelog (content_type_id, object_id, object_repr, action, changes, message, user_id, "
            f"source, created_at) SELECT ?, id, name, 'create', '{{}}', ?, ?, ?, ? FROM {table} "
            "WHERE id BETWEEN ? AND ? ORDER BY id",
            [content_type, message, getattr(self.user, "pk", None), self.source, now, first, last])

    def sync_writes(self):
        if self._writer is None:
            return
        self._writer.wait()
        while self._unnumbered:
            params, now, content_type = self._unnumbered.pop(0)
            found = dict(Member.objects.filter(id_number_hash__in=[p[22] for p in params])
                         .values_list("id_number_hash", "pk"))
            with connection.cursor() as cursor:
                self._insert_history(params, [found[p[22]] for p in params], now, content_type, cursor, "%s")

    def stop_writes(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._pinyin_worker is not None:
            self._pinyin_worker.close()
            self._pinyin_worker = None

    @staticmethod
    def _max_id(cursor, table):
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        return cursor.fetchone()[0] or 0

    def _day_text(self, value):
        """A date as Django's sqlite3 adapter stores it (date.isoformat()), remembered: few distinct dates."""
        if value.__class__ is not datetime.date:
            return value
        found = self._days.get(value)
        if found is None:
            if len(self._days) > 100_000:
                self._days.clear()
            found = self._days[value] = value.isoformat()
        return found

    # Bulk inserts into SQLite: the member table's secondary indexes are dropped before and built again
    # after, inside the same transaction (SQLite's DDL is transactional, so a rollback or a kill restores
    # them with everything else). Building an index over sorted keys costs a fraction of inserting the
    # rows one by one into each of them in random order. Only when the import may at least double it.
    BULK_ROWS = 20_000
    BULK_CACHE = -32768  # KiB: 32 MiB of page cache while a bulk import runs
    INDEX_SORT_CACHE = -1024  # KiB, while the dropped indexes are built again

    def start_writes(self, total_estimate):
        if connection.vendor != "sqlite":
            return
        self._content_type()
        # SQLite: the transaction began IMMEDIATE, holding the write lock: nobody else adds members meanwhile.
        self._was_empty = not Member.objects.exists()
        self._unnumbered = []
        self._writer = _SqliteWriter()
        if total_estimate >= self.BULK_ROWS:
            try:
                self._pinyin_worker = _PinyinWorker()
            except OSError:
                self._pinyin_worker = None
        if self.dry_run or total_estimate < self.BULK_ROWS:
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            self._cache_size = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {self.BULK_CACHE}")  # for the unique indexes that stay
            table = Member._meta.db_table
            last_id = self._max_id(cursor, table)
            if name_grams.sqlite_pause_inserts(cursor):
                self._grams_after = last_id
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                return  # planner statistics would be lost with the indexes: leave them alone
            # Only the members' own, and the name pieces' by member when their trigger is paused (they are all
            # added at the end, sorted by piece): the memberships and history rows are added in id order,
            # their indexes mostly at their ends, which costs little (and is done in the writer's thread).
            if total_estimate * 2 < last_id:
                return
            tables = [table] + ([MemberNameGram._meta.db_table] if self._grams_after is not None else [])
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                           f"({', '.join(['%s'] * len(tables))}) AND sql IS NOT NULL ORDER BY name", tables)
            for name, sql in cursor.fetchall():
                if not sql.lstrip().upper().startswith("CREATE UNIQUE"):  # constraints stay
                    cursor.execute(f'DROP INDEX "{name}"')
                    self._bulk_indexes.append((name, sql))

    def finish_writes(self):
        self.sync_writes()
        with connection.cursor() as cursor:
            if self._grams_after is not None:  # before the indexes: the one by member is built over them
                name_grams.sqlite_resume_inserts(cursor, self._grams_after)
            if self._bulk_indexes:
                # SQLite sorts an index's keys with helper threads when allowed: the other core is idle now.
                cursor.execute("PRAGMA threads")
                threads = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA threads = {max(threads, os.cpu_count() or 1)}")
                # A small sorting memory: the keys are sorted in several runs, by the helper threads at the
                # same time, instead of one run by this thread (200,000 members: 1.35 → 1.05 s).
                cursor.execute(f"PRAGMA cache_size = {self.INDEX_SORT_CACHE}")
            for _name, sql in self._bulk_indexes:
                cursor.execute(sql)
            if self._bulk_indexes:
                cursor.execute(f"PRAGMA threads = {int(threads)}")
                cursor.execute(f"PRAGMA cache_size = {self.BULK_CACHE}")
        self._bulk_indexes = []
        self._grams_after = None

    def end_writes(self):
        self._bulk_indexes = []  # committed with them, or rolled back to before they were dropped
        self._grams_after = None  # the same for the name pieces' trigger
        if self._cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None

    def apply_updates(self, updates):
        if not updates:
            return
        from unionwork.core import audit

        members = []
        for row, changed in updates:
            member = row.existing
            before = audit.snapshot(member)
            for key, value in changed.items():
                setattr(member, key, value)
            if "name" in changed:
                member.name_pinyin, member.name_initials = _pinyin(member.name)
            member.updated_at = self.now
            members.append(member)
            audit.record(member, self.user, "update", audit.diff(before, audit.snapshot(member), Member),
                         message=f"导入更新（导入任务#{self.job_id}）" if self.job_id else "导入更新", source=self.source)
        fields = sorted({k for _, changed in updates for k in changed} | {"updated_at"})
        if "name" in fields:
            fields += ["name_pinyin", "name_initials"]
        Member.objects.bulk_update(members, fields, batch_size=1000)
        self.outcome.updated += len(members)


def _same(value):
    return value


def _insert_many(cursor, head, rows, mark):
    """INSERT rows (tuples of one length). With Django's cursor: executemany. With the sqlite3 driver's
    own (in _SqliteWriter's thread): statements of up to 2,000 rows each, because executemany takes
    the GIL back between rows, and a thread waits up to the switch interval (5 ms) to get it from a
    busy one: row by row, the writer would spend its time waiting."""
    if not rows:
        return
    width = len(rows[0])
    one = f"({', '.join([mark] * width)})"
    if mark != "?":
        cursor.executemany(head + one, rows)
        return
    batch = 2000
    for start in range(0, len(rows), batch):
        part = rows[start:start + batch]
        cursor.execute(head + ", ".join([one] * len(part)), list(itertools.chain.from_iterable(part)))


class _SqliteWriter:
    """A thread that runs SQLite inserts while the importer goes on with the next chunk: the sqlite3
    driver lets go of the GIL while SQLite works.

    It uses the same connection, so the same transaction; jobs run one at a time, in order, and the
    importer touches the database itself only after wait(). A job's error is raised again in the
    importer's thread (as Django would have raised it) at the next submit() or wait().
    """

    def __init__(self):
        connection.ensure_connection()
        self.db = connections[DEFAULT_DB_ALIAS]  # this thread's, the one in the transaction
        self.raw = self.db.connection  # Django opens SQLite with check_same_thread=False
        self.jobs = queue.Queue(maxsize=1)
        self.error = None
        self.discard = False
        self.thread = threading.Thread(target=self._work, name="ledger-writer", daemon=True)
        self.thread.start()

    def cursor(self):
        return self.raw.cursor()

    def _work(self):
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None and not self.discard:
                    with self.db.wrap_database_errors:  # sqlite3 errors become Django's, as usual
                        job()
            except BaseException as exc:  # noqa: BLE001 - handed over to the importer's thread
                self.error = exc
            finally:
                self.jobs.task_done()

    def _raise(self):
        if self.error is not None:
            error, self.error = self.error, None
            self.discard = True
            raise error

    def submit(self, job):
        self._raise()
        self.jobs.put(job)

    def wait(self):
        self.jobs.join()
        self._raise()

    def close(self):
        """Stop after the job running now; jobs still waiting are dropped (the transaction is ending)."""
        self.discard = True
        self.jobs.put(None)
        self.thread.join()


def _plain_mobile(phone) -> bool:
    """An 11-digit mainland mobile in ASCII digits: normalize_mobile would return it unchanged."""
    return (phone.__class__ is str and len(phone) == 11 and phone.isascii() and phone.isdigit()
            and phone[0] == "1" and phone[1] in "3456789")


_pinyin_cache: dict = {}
PINYIN_CACHE = 50_000  # names; it is emptied when full (names repeat within a sheet, not across)


def _id_key(number: str):
    """A 身份证号 as a dict key in less memory (a million of them are kept): its first 17 digits as an
    int (the 18th follows from them), or itself if it is not of that form."""
    return int(number[:17]) if len(number) == 18 and number[:17].isdigit() else number


def _remember_pinyin(found: dict):
    if len(_pinyin_cache) + len(found) > PINYIN_CACHE:
        _pinyin_cache.clear()
    _pinyin_cache.update(found)


class _PinyinWorker:
    """unionwork.core.text.pinyin_keys and core.crypto in a child process, for the names, 身份证号 and phones
    of a bulk import: pypinyin and AES-GCM cost more per row than everything else done for it, and a child
    has a GIL of its own. answer() returns what pinyin_keys returns and answer_seal() what _seal() makes,
    or they work it out here if the child is gone."""

    CODE = "\n".join([
        "import os",
        "import sys",
        "from unionwork.core import crypto",
        "from unionwork.core.text import pinyin_keys",
        "enc, mac = crypto.encrypt, crypto.lookup_hash",
        "for line in sys.stdin:",
        "    kind, _, body = line[:-1].partition('\\t')",
        "    if kind == 'P':",
        "        keys = (pinyin_keys(name) for name in body.split('\\t'))",
        "        sys.stdout.write('\\t'.join(f'{full},{initials}' for full, initials in keys) + '\\n')",
        "    else:",
        "        pairs = (item.partition(',') for item in body.split('\\t'))",
        "        sys.stdout.write('\\t'.join(f'{enc(i)},{mac(i)},{enc(p)}' for i, _, p in pairs) + '\\n')",
        "    sys.stdout.flush()",
        "os._exit(0)",  # nothing to clean up: the interpreter's own teardown (pypinyin's tables) took 0.2 s
    ])

    def __init__(self):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "PYTHONIOENCODING": "utf-8",
               **crypto.environment()}  # the keys this process holds, whatever its settings say
        self.proc = subprocess.Popen([sys.executable, "-c", self.CODE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                                     encoding="utf-8")
        self.broken = False
        for pipe in (self.proc.stdin, self.proc.stdout):  # room for a chunk's names (Linux: F_SETPIPE_SZ)
            try:
                fcntl.fcntl(pipe.fileno(), 1031, 1 << 20)
            except (OSError, AttributeError):
                pass

    def ask(self, names: list[str]):
        """Send names (the importer's thread); answer() reads their keys back, in the same order."""
        # Names are compact(): no tab, no line break. The keys are [a-z0-9] only.
        self._send("P\t" + "\t".join(names))

    def ask_seal(self, params):
        """Send the chunk's 身份证号 and phones (plain: digits and X, no comma or tab)."""
        self._send("C\t" + "\t".join(f"{p[5]},{p[7]}" for p in params))

    def answer_seal(self, params):
        """Put the child's encrypted values and hashes into params, as _seal() would."""
        if not self.broken:
            try:
                line = self.proc.stdout.readline()
                found = [item.split(",") for item in line[:-1].split("\t")] if line else []
                if len(found) == len(params) and all(len(f) == 3 for f in found):
                    for p, (number, digest, phone) in zip(params, found, strict=True):
                        p[5], p[22], p[7] = number, digest, phone
                    return
            except (OSError, ValueError):
                pass
            self.broken = True
        _seal(params)

    def _send(self, line):
        if not self.broken:
            try:
                self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            except (OSError, ValueError):
                self.broken = True

    def answer(self, names: list[str]) -> list[tuple[str, str]]:
        """The keys of the names of the oldest ask() not answered yet (the writer's thread)."""
        if not self.broken:
            try:
                line = self.proc.stdout.readline()
                keys = [tuple(k.split(",")) for k in line[:-1].split("\t")] if line else []
                if len(keys) == len(names):
                    return keys
            except (OSError, ValueError):
                pass
            self.broken = True  # out of step from here on: every later answer is worked out here
        return [pinyin_keys(name) for name in names]

    def close(self):
        if self.proc is not None:
            proc, self.proc = self.proc, None
            try:
                proc.stdin.close()
                proc.stdout.close()  # an answer nobody will read: the child stops on a broken pipe
                proc.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()


def _seal(params):
    """Encrypt the 身份证号 (p[5]) and phone (p[7]) of member rows and put the number's lookup hash in p[22]."""
    encrypt, lookup_hash = crypto.encrypt, crypto.lookup_hash
    for p in params:
        p[22] = lookup_hash(p[5])
        p[5], p[7] = encrypt(p[5]), encrypt(p[7])


def _pinyin(name):
    found = _pinyin_cache.get(name)
    if found is None:
        if len(_pinyin_cache) > PINYIN_CACHE:
            _pinyin_cache.clear()
        found = _pinyin_cache[name] = pinyin_keys(name)
    return found


# ------------------------------------------------------------------ enterprises and unions


class ServiceImporter(BaseImporter):
    """Enterprises and unions go through the directory services row by row: their volumes are small
    and the services already hold every rule (validation, scope, history)."""

    def check(self, rows):
        for row in rows:
            self.check_row(row)

    def write(self, rows):
        for row in rows:
            try:
                with transaction.atomic():
                    self.save(row)
            except ValidationError as exc:
                for key, messages in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                      else [("__all__", exc.messages)]):
                    col = {"node": "community", "enterprises": "enterprise_usccs", "parent": "community"}.get(key, key)
                    if col not in self.columns:
                        col = next(iter(row.values), "name")
                    row.problems.append((col, row.values.get(col, ""), "；".join(messages)))
                self.reject(row)
            except PermissionDenied as exc:
                row.problems.append((next(iter(row.values)), "", str(exc)))
                self.reject(row)

    def changed_data(self, obj, data):
        return {k: v for k, v in data.items() if v not in (None, "") and getattr(obj, k) != v}


class EnterpriseImporter(ServiceImporter):
    kind = "enterprises"
    FIELDS = ["name", "unit_category", "industry", "employees", "female_employees", "migrant_workers",
              "established_on", "address", "contact_person", "contact_phone", "note"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = {}

    def check_row(self, row):
        v = row.values
        if v.get("uscc"):
            v["uscc"] = v["uscc"].upper()
            first = self.seen.get(v["uscc"])
            if first:
                row.problems.append(("uscc", v["uscc"], f"与本文件第 {first} 行的信用代码重复"))
            self.seen.setdefault(v["uscc"], row.number)
        v["node_id"] = self.community_of(row)

    def save(self, row):
        v = row.values
        data = {k: v[k] for k in self.FIELDS if v.get(k) not in (None, "")}
        existing = Enterprise.objects.filter(uscc=v["uscc"]).first()
        if existing is None:
            if v.get("status") not in (None, OperatingStatus.OPERATING):
                data["status"], data["status_date"] = v["status"], self.today
            data.update(uscc=v["uscc"], node=Node.objects.get(pk=v["node_id"]))
            directory_services.create_enterprise(self.user, data, source=self.source)
            self.outcome.created += 1
            return
        if existing.node_id != v["node_id"]:
            raise ValidationError({"community": [f"该企业已登记在「{existing.node.name}」，与表中社区不一致；"
                                                 "迁移请在系统中修改所属社区"]})
        changed = self.changed_data(existing, data)
        if not changed:
            self.outcome.unchanged += 1
            return
        directory_services.update_enterprise(self.user, existing, changed, source=self.source)
        self.outcome.updated += 1


class UnionImporter(ServiceImporter):
    kind = "unions"
    FIELDS = ["name", "code", "kind", "founded_on", "chair_name", "chair_phone", "vice_chairs", "term_start",
              "term_end", "sign_shown", "chair_shown", "staff_home", "reading_room", "women_committee",
              "audit_committee", "mediation_committee", "law_supervision_group", "note"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = {}

    def check_row(self, row):
        v = row.values
        v["node_id"] = self.community_of(row)
        key = (v.get("node_id"), v.get("name"))
        if key in self.seen:
            row.problems.append(("name", v.get("name"), f"与本文件第 {self.seen[key]} 行重复"))
        self.seen.setdefault(key, row.number)
        codes = (v.get("enterprise_usccs") or "").replace("，", ",").replace("、", ",").replace(";", ",")
        v["enterprise_usccs"] = [c.strip().upper() for c in codes.split(",") if c.strip()]

    def save(self, row):
        v = row.values
        data = {k: v[k] for k in self.FIELDS if v.get(k) not in (None, "")}
        community = Node.objects.get(pk=v["node_id"])
        qs = Union.objects.filter(archived_at__isnull=True)
        existing = (qs.filter(code=v["code"]).first() if v.get("code") else None) or \
            qs.filter(name=v["name"], node__parent=community).first()
        enterprises = None
        if v["enterprise_usccs"]:
            found = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=v["enterprise_usccs"]).select_related("union")}
            missing = [c for c in v["enterprise_usccs"] if c not in found]
            if missing:
                raise ValidationError({"enterprise_usccs": [f"这些信用代码的企业未登记：{'、'.join(missing)}"]})
            enterprises = list(found.values())
        if existing is None:
            directory_services.found_union(self.user, parent=community, data=data, enterprises=enterprises or [],
                                           source=self.source)
            self.outcome.created += 1
            return
        changed = self.changed_data(existing, data)
        same_cover = enterprises is None or {e.pk for e in enterprises} == set(
            existing.enterprises.values_list("pk", flat=True))
        if not changed and same_cover:
            self.outcome.unchanged += 1
            return
        directory_services.update_union(self.user, existing, changed, enterprises=None if same_cover else enterprises,
                                        source=self.source)
        self.outcome.updated += 1


IMPORTERS = {"members": MemberImporter, "enterprises": EnterpriseImporter, "unions": UnionImporter}


def importer_class(kind: str):
    if kind in IMPORTERS:
        return IMPORTERS[kind]
    from .kind_import import importer_for

    return importer_for(kind)

