"""Row-by-row checking and writing of ledger imports.

One pass over the file, in chunks, inside one transaction: rows are checked and written chunk
by chunk, and the transaction is rolled back at the end when nothing may be written (a dry run,
or an error in all-or-nothing mode). Memory stays bounded by the chunk size whatever the file size,
and a crash or kill leaves the database as it was.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from unionwork.core.masking import MASKERS
from unionwork.core.scope import path_prefix_q, scope_path
from unionwork.core.text import pinyin_keys
from unionwork.core.validators import id_birth_date, id_gender, normalize_mobile
from unionwork.directory import services as directory_services
from unionwork.directory.choices import MembershipEvent, MembershipStatus, OperatingStatus
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.directory.selectors import members_with_id_numbers
from unionwork.org.models import Node

from . import progress
from .cleaning import CellError, compact, text
from .columns import columns_for
from .readers import is_blank, is_total, read_sheets

CHUNK = 5000
MAX_STORED_PROBLEMS = 5000


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

    def __init__(self, *, user, node: Node, mode: str, dry_run: bool, source: str, job_id=None):
        self.user, self.node, self.mode, self.dry_run = user, node, mode, dry_run
        self.source, self.job_id = source, job_id
        self.columns = {c.key: c for c in columns_for(self.kind)}
        self.outcome = Outcome()
        self.now = timezone.now()
        self.today = timezone.localdate()
        # The user's own scope also bounds what an import may touch.
        path = scope_path(user) if user is not None else ""
        if path is None or (path and not node.path.startswith(path)):
            raise PermissionDenied(f"「{node.display_name}」不在您的管辖范围内，不能导入")
        self.scope_nodes = Node.objects.filter(path_prefix_q("path", node.path), archived_at__isnull=True)
        communities = list(self.scope_nodes.filter(kind="community").values_list("pk", "name", "union_name"))
        self.communities = {}
        for pk, name, union_name in communities:
            name, union_name = compact(name), compact(union_name)
            for key in {name, union_name, name.removesuffix("社区"), name.removesuffix("居委会")}:
                if key:
                    self.communities.setdefault(key, pk)
        self.default_community = node.pk if node.kind == "community" else None

    # -------------------------------------------------------------- driving

    def run(self, path):
        sheets = read_sheets(path, self.kind)
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
                for s in sheets:
                    if any(p["sheet"] == s.name and p["column"] == "表头" for p in self.outcome.problems):
                        continue
                    chunk = []
                    for number, cells in s.rows:
                        if is_blank(cells) or is_total(cells):
                            self.outcome.skipped += 1
                            continue
                        chunk.append(self.parse(s, number, cells))
                        if len(chunk) >= CHUNK:
                            self.process(chunk)
                            chunk = []
                            self.report(total_estimate)
                    if chunk:
                        self.process(chunk)
                self.report(total_estimate, stage="finishing")
                if self.dry_run or (self.mode == "all-or-nothing" and self.outcome.problem_count):
                    raise Rollback
                self.outcome.written = True
        except Rollback:
            pass  # the counts say what would have happened; nothing was written
        return self.outcome

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
        values, problems = {}, []
        for index, key in sheet.columns.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[key] = value = self.columns[key].parse(raw)
            except CellError as exc:
                problems.append((key, raw, str(exc)))
                continue
            if value in (None, "") and self.columns[key].required and not self.optional_here(key):
                problems.append((key, raw, f"{self.columns[key].header}不能为空"))
        return Row(sheet.name, number, cells, values, problems)

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
        pk = self.communities.get(name) or self.communities.get(name.removesuffix("社区"))
        if pk is None:
            row.problems.append(("community", name, f"社区“{name}”不在「{self.node.display_name}」的管辖范围内"))
        return pk


# ------------------------------------------------------------------ members


MEMBER_FIELDS = ["name", "gender", "ethnicity", "birth_date", "phone", "education", "political_status",
                 "joined_on", "work_status", "is_migrant", "skills", "honours", "note"]


class MemberImporter(BaseImporter):
    kind = "members"

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
        self.seen_ids: dict[str, int] = {}
        self.ct_id = None
        self.union_names = {pk: name for name, lst in self.unions_by_name.items() for pk, _ in lst}

    def optional_here(self, key):
        return super().optional_here(key) or (key == "union" and self.default_union is not None)

    def check(self, rows):
        for row in rows:
            self.check_row(row)
        ids = [r.values["id_number"] for r in rows if r.values.get("id_number")]
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
            first = self.seen_ids.get(number)
            if first is not None:
                row.problems.append(("id_number", number, f"与本文件第 {first} 行的身份证号重复"))
            else:
                self.seen_ids[number] = row.number
            birth, gender = id_birth_date(number), id_gender(number)
            if v.get("gender") and v["gender"] != gender:
                row.problems.append(("gender", "男" if v["gender"] == "M" else "女",
                                     f"与身份证号不一致（身份证号第17位表明为{'男' if gender == 'M' else '女'}）"))
            v["gender"] = gender
            if v.get("birth_date") and v["birth_date"] != birth:
                row.problems.append(("birth_date", v["birth_date"], f"与身份证号不一致（应为 {birth:%Y-%m-%d}）"))
            v["birth_date"] = birth
        if v.get("phone"):
            try:
                v["phone"] = normalize_mobile(v["phone"])
            except ValidationError as exc:
                row.problems.append(("phone", v["phone"], exc.messages[0]))
        if v.get("joined_on") and v["joined_on"] > self.today:
            row.problems.append(("joined_on", v["joined_on"], "入会日期不能晚于今天"))
        if v.get("membership_status") not in (None, MembershipStatus.ACTIVE):
            row.problems.append(("membership_status", v["membership_status"],
                                 "导入只能登记“已入会”的会员；退会、转会、去世请在系统中办理"))
        # Union
        union_id = None
        name = v.get("union")
        if name:
            community = self.community_of(row) if v.get("community") else None
            options = [pk for pk, parent in self.unions_by_name.get(name, []) if community in (None, parent)]
            if not options:
                row.problems.append(("union", name, f"工会“{name}”不存在或不在「{self.node.display_name}」的管辖范围内"))
            elif len(options) > 1:
                row.problems.append(("union", name, "有多个同名工会，请填写“所在社区”加以区分"))
            else:
                union_id = options[0]
        elif self.default_union:
            union_id = self.default_union
        v["union_id"] = union_id
        # Employer
        enterprise = None
        if v.get("enterprise_uscc"):
            found = self.ents_by_uscc.get(v["enterprise_uscc"].upper())
            if found is None:
                row.problems.append(("enterprise_uscc", v["enterprise_uscc"], "该信用代码的单位未在本辖区登记"))
            else:
                enterprise = found
        elif v.get("enterprise_name"):
            found = self.ents_by_name.get(v["enterprise_name"], [])
            if not found:
                row.problems.append(("enterprise_name", v["enterprise_name"], "该单位未在本辖区登记"))
            elif len(found) > 1:
                row.problems.append(("enterprise_name", v["enterprise_name"], "有多家同名单位，请填写单位统一社会信用代码"))
            else:
                enterprise = (found[0][0], found[0][2])
        if enterprise is not None:
            if union_id and enterprise[1] not in (None, union_id):
                row.problems.append(("enterprise_name", v.get("enterprise_name") or v.get("enterprise_uscc"),
                                     "该单位属于另一个工会，与所在工会不一致"))
            v["enterprise_id"] = enterprise[0]

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
        """Raw executemany: the ORM's bulk_create costs several times the insert itself at this volume."""
        if not rows:
            return
        now, user_id = self.now, getattr(self.user, "pk", None)
        params = []
        for row in rows:
            v = row.values
            full, initials = _pinyin(v["name"])
            union_id = v["union_id"]
            params.append((
                v["name"], full, initials, v["gender"], v.get("ethnicity") or "汉族", v["id_number"], v["birth_date"],
                v.get("phone") or "", v.get("education") or "", v.get("political_status") or "",
                v.get("enterprise_id"), union_id, self.union_nodes[union_id], v.get("joined_on") or self.today,
                MembershipStatus.ACTIVE, v.get("work_status") or "employed", bool(v.get("is_migrant")),
                v.get("skills") or "", v.get("honours") or "", v.get("note") or "", now, now,
            ))
        table = Member._meta.db_table
        cols = ("name", "name_pinyin", "name_initials", "gender", "ethnicity", "id_number", "birth_date", "phone",
                "education", "political_status", "enterprise_id", "union_id", "node_id", "joined_on",
                "membership_status", "work_status", "is_migrant", "skills", "honours", "note", "created_at",
                "updated_at")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", params)
            ids = dict(members_with_id_numbers(Member.objects, [p[5] for p in params]).values_list("id_number", "pk"))
            stays = [(ids[p[5]], p[11], p[13], MembershipEvent.JOIN, "", "", now) for p in params]
            cursor.executemany(
                "INSERT INTO directory_membership (member_id, union_id, started_on, start_event, end_event, note, "
                "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)", stays)
            message = f"导入新建（导入任务#{self.job_id}）" if self.job_id else "导入新建"
            logs = [(self._content_type(), ids[p[5]], p[0], "create", "{}", message, user_id, self.source, now)
                    for p in params]
            cursor.executemany(
                "INSERT INTO core_changelog (content_type_id, object_id, object_repr, action, changes, message, "
                "user_id, source, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", logs)
        self.outcome.created += len(rows)

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


_pinyin_cache: dict = {}


def _pinyin(name):
    found = _pinyin_cache.get(name)
    if found is None:
        if len(_pinyin_cache) > 200_000:
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

