"""Import of any declared record kind (core/kinds.py): its columns come from its form fields, each row
goes through the same form and service as a page, and re-importing updates by the kind's natural key."""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import models

from unionwork.core.kinds import REGISTRY, Kind, form_data
from unionwork.core.scope import scoped
from unionwork.directory.models import Enterprise, Union

from . import cleaning as c
from .columns import Col
from .importers import ServiceImporter

ENTERPRISE_SYNONYMS = ("企业名称", "单位名称", "企业", "单位", "统一社会信用代码", "信用代码")


def kind_columns(kind: Kind) -> list[Col]:
    cols = []
    for name in kind.fields:
        f = kind.model._meta.get_field(name)
        label = str(f.verbose_name)
        required = not f.blank and not f.has_default() and name != "node"
        if name == "node":
            cols.append(Col("node", "所属组织", c.compact, ("社区", "所属社区", "所在社区", "组织"), False,
                            "社区（或街道）名称；留空则为企业所在社区，或导入到的组织", dynamic="communities"))
        elif f.many_to_many and f.related_model is Enterprise:
            cols.append(Col(name, label, c.text, ("覆盖企业信用代码", "覆盖企业名称"), required,
                            "多家用顿号分隔，可写统一社会信用代码或企业全称", width=30))
        elif f.many_to_many:
            continue  # e.g. members of a dispute: chosen on the page
        elif f.is_relation and f.related_model is Enterprise:
            cols.append(Col(name, label, c.text, ENTERPRISE_SYNONYMS, required,
                            "统一社会信用代码或企业全称（须已在名录库登记）", width=28))
        elif f.is_relation and f.related_model is Union:
            cols.append(Col(name, label, c.compact, ("工会名称", "工会"), required, "基层工会全称", dynamic="unions",
                            width=28))
        elif f.is_relation:
            cols.append(Col(name, label, c.text, (), required, f"填写{label}的名称", width=24))
        elif f.choices:
            cols.append(Col(name, label, partial(c.choice, choices=f.choices), (), required,
                            options=tuple(str(lbl) for _, lbl in f.choices)))
        elif isinstance(f, models.DateField):
            cols.append(Col(name, label, c.date, (), required, "如 2026-03-05、2026.3.5、2026年3月5日"))
        elif isinstance(f, models.BooleanField):
            cols.append(Col(name, label, c.yes_no, (), False, "是/否", options=("是", "否")))
        elif isinstance(f, models.DecimalField):
            cols.append(Col(name, label, c.decimal, (), required, "数字，如 4943.5"))
        elif isinstance(f, models.IntegerField):
            cols.append(Col(name, label, c.count, (), required, "不小于0的整数"))
        elif isinstance(f, models.TextField):
            cols.append(Col(name, label, c.multiline, (), required, str(f.help_text or "") or "可分行填写", width=40))
        else:
            cols.append(Col(name, label, c.text, (), required, str(f.help_text or ""), width=20))
    return cols


class KindImporter(ServiceImporter):
    """Rows of a record kind: references resolved within the scope, then the kind's form and service."""

    record_kind: Kind = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        ents = scoped(self.user, Enterprise) if self.user else Enterprise.objects.all()
        ents = ents.filter(node__in=self.scope_nodes.values("id"), archived_at__isnull=True)
        self.ents_by_key = {}
        for pk, uscc, name in ents.values_list("pk", "uscc", "name"):
            self.ents_by_key[uscc] = pk
            self.ents_by_key.setdefault(c.compact(name), pk)
        unions = Union.objects.filter(node__in=self.scope_nodes.values("id"), archived_at__isnull=True)
        self.unions_by_name = {c.compact(n): pk for pk, n in unions.values_list("pk", "name")}
        self.seen = {}

    def optional_here(self, key):
        return key == "node" or super().optional_here(key)

    def _enterprise(self, row, key, value):
        pk = self.ents_by_key.get(c.compact(value).upper()) or self.ents_by_key.get(c.compact(value))
        if pk is None:
            row.problems.append((key, value, f"企业“{c.shown(value)}”未在「{self.node.display_name}」的名录库中登记"))
        return pk

    def check_row(self, row):
        kind, v = self.record_kind, row.values
        for name in list(v):
            if name not in kind.fields:
                continue
            f = kind.model._meta.get_field(name)
            value = v[name]
            if value in (None, "") or not f.is_relation:
                continue
            if f.many_to_many:
                parts = [p.strip() for p in str(value).replace("，", "、").replace(",", "、").split("、") if p.strip()]
                v[name] = [pk for p in parts if (pk := self._enterprise(row, name, p))]
            elif f.related_model is Enterprise:
                v[name] = self._enterprise(row, name, value)
            elif f.related_model is Union:
                v[name] = self.unions_by_name.get(value)
                if v[name] is None:
                    row.problems.append((name, value, f"工会“{c.shown(value)}”不在「{self.node.display_name}」的管辖范围内"))
            elif name == "node":
                v[name], problem = self.find_community(value)
                if problem:
                    row.problems.append((name, value, problem))
            else:
                found = scoped(self.user, f.related_model).filter(**{_title_field(f.related_model): value}).first() \
                    if self.user else f.related_model.objects.filter(**{_title_field(f.related_model): value}).first()
                if found is None:
                    row.problems.append((name, value, f"没有找到“{c.shown(value)}”"))
                v[name] = found.pk if found else None
        if not row.problems and kind.natural_key:
            key = tuple(str(v.get(k)) for k in kind.natural_key)
            if key in self.seen:
                row.problems.append((kind.natural_key[0], v.get(kind.natural_key[0]),
                                     f"与本文件第 {self.seen[key]} 行是同一条记录"))
            self.seen.setdefault(key, row.number)

    def save(self, row):
        kind = self.record_kind
        payload = {k: val for k, val in row.values.items() if k in kind.fields and val not in (None, "", [])}
        if "node" not in payload and self.node.kind in ("community", "street") and not payload.get("enterprise"):
            payload["node"] = self.node.pk
        existing = None
        if kind.natural_key and all(k in payload for k in kind.natural_key if k != "unit_name"):
            lookup = {}
            for k in kind.natural_key:
                f = kind.model._meta.get_field(k)
                lookup[f.attname if f.is_relation else k] = payload.get(k, "" if not f.is_relation else None)
            qs = scoped(self.user, kind.model) if self.user else kind.model.objects.all()
            existing = qs.filter(archived_at__isnull=True, **lookup).first()
        form = kind.form_class()(data=form_data(kind, payload, existing), user=self.user, instance=existing)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in msgs] for k, msgs in form.errors.items()})
        data = form.cleaned_data
        if existing is None:
            kind.service.create(self.user, data, source=self.source)
            self.outcome.created += 1
        elif self._changed(existing, data):
            kind.service.update(self.user, existing, data, source=self.source)
            self.outcome.updated += 1
        else:
            self.outcome.unchanged += 1

    def _changed(self, obj, data):
        for name, value in data.items():
            f = obj._meta.get_field(name)
            if f.many_to_many:
                if {r.pk for r in getattr(obj, name).all()} != {r.pk for r in value}:
                    return True
            elif getattr(obj, name) != value:
                return True
        return False


def _title_field(model):
    for name in ("title", "name"):
        try:
            model._meta.get_field(name)
            return name
        except Exception:  # noqa: BLE001 - FieldDoesNotExist
            continue
    return "pk"


def importer_for(slug):
    kind = REGISTRY[slug]
    return type(f"{kind.model.__name__}Importer", (KindImporter,), {"kind": slug, "record_kind": kind})
