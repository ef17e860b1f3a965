"""Filters every scoped list shares (pages, their exports and the API use the same ones)."""

import copy
from collections import OrderedDict

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone
from django_filters.filters import FilterMethod, QuerySetRequestMixin

from unionwork.core.scope import NARROW_DEPTH, home_field, path_depth, path_prefix_q, scope_path, within
from unionwork.core.text import is_pinyin_query
from unionwork.org.models import Node
from unionwork.org.selectors import AREA_KINDS, area_options, nodes_for

ARCHIVED_CHOICES = [("", "在用"), ("1", "已归档"), ("all", "全部")]

# The largest number a database integer column holds (signed 64 bits): above it a filter is invalid, not a crash.
MAX_BIGINT = 2**63 - 1


class IdFilter(df.NumberFilter):
    """A row id from a link (?union=, ?enterprise=): a whole number the database can compare."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_BIGINT)
        super().__init__(*args, **kwargs)


def _scope_nodes(request):
    if request is None:
        return Node.objects.none()
    return nodes_for(request.user).exclude(kind="group")


def search_q(q: str, extra_fields=(), latin_names=True, model=None, scope_depth=None, name_q=None,
             contains_by_key=False) -> Q:
    """Name (contains), pinyin and initials (prefix, indexed); plus exact codes.

    latin_names=False: a query of Latin letters is pinyin only (people's names are written in
    characters), which spares the unindexed "contains" over every row of a district.

    model and scope_depth (the depth of the user's scope, 0 for a district): in a district's or a
    street's scope the pinyin prefixes become "pk IN (rows matching by pinyin)". SQLite otherwise
    seeks by the scope's node list and tests every row (26 ms for "zhang" over a district's 200,000
    members), where the pinyin indexes find the 2,020 matches first (5 ms); in a community the node
    list is the better start. A "contains" reads every name either way; with contains_by_key (members),
    as "pk IN (names containing it)", SQLite reads them from the name index alone, a third as many
    pages as the rows (34 → 24 ms for 程欣 over a district's 200,000 members). Not for the smaller
    tables: there SQLite turns it, OR-ed with an exact code, into one row lookup per match, where one
    scan is cheaper (a district's enterprises containing 有限公司, 13,418 of 20,000: 25 → 10 ms).

    name_q(q): the model's own indexed form of name__icontains=q, or None where it has none for this q
    (members: directory.selectors.name_contains).
    """
    q = q.strip()
    if not q:
        return Q()

    broad = model is not None and scope_depth is not None and scope_depth < NARROW_DEPTH

    def by_key(cond):
        return Q(pk__in=model._base_manager.filter(cond).values("pk")) if broad else cond

    pinyin = is_pinyin_query(q)
    if latin_names or not pinyin:
        contains = Q(name__icontains=q)
        cond = (name_q(q) if name_q else None) or (by_key(contains) if contains_by_key else contains)
    else:
        cond = Q(pk__in=[])
    if pinyin:
        low = q.lower()
        # The same indexed prefix as the scope's paths: a range on SQLite, LIKE on PostgreSQL (where
        # a range would follow the database's language collation and miss longer names).
        cond |= by_key(path_prefix_q("name_pinyin", low) | path_prefix_q("name_initials", low))
    for field in extra_fields:
        cond |= Q(**{field: q.upper()})
    return cond


class _Filters(OrderedDict):
    """A FilterSet's base_filters, copied for each request as django-filter does (copy.deepcopy), but each
    filter shallowly: its own attributes, extra dict and method binding, the rest (labels, choices) shared.
    A deep copy of a list's ten filters took ~0.23 ms of every list page."""

    def __deepcopy__(self, memo):
        out = OrderedDict()
        for name, flt in self.items():
            new = copy.copy(flt)
            new.extra = dict(flt.extra)  # QuerySetRequestMixin.field writes the request's queryset there
            new.__dict__.pop("_field", None)
            if isinstance(flt.filter, FilterMethod):
                new.filter = FilterMethod(new)  # bound to the copy, whose parent is the request's FilterSet
            out[name] = new
        return out


class _Fields(dict):
    """A kept form class's base_fields, copied for each form as Django does (copy.deepcopy), except that
    a ChoiceField's choices are copied as a list, not item by item: they are tuples of constant values
    and labels, and deep-copying them was most of the ~0.25 ms a list's filter form took to copy."""

    def __deepcopy__(self, memo):
        out = {}
        for name, field in self.items():
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                new = forms.Field.__deepcopy__(field, memo)  # the widget, messages and validators copied
                new._choices = choices = copy.copy(field._choices)
                if getattr(choices, "field", None) is field:  # django-filter's ChoiceIterator (its empty label)
                    choices.field = new
            else:
                new = copy.deepcopy(field, memo)
            out[name] = new
        return out


class KeptFormFilterSet(df.FilterSet):
    """A FilterSet whose form class is made once per FilterSet class, not once per request.

    django-filter builds the form class on every request (a field per filter, then a class through the
    form metaclasses: ~0.3 ms of every list page). The fields are the same for every request but the
    querysets of the request-dependent filters (the areas of the user's scope): those are set on each
    form's own copy of its fields, so a choice outside the user's scope stays invalid. The filters and
    the form's fields are copied per request more cheaply (_Filters, _Fields)."""

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_kept_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _Fields(form_class.base_fields)
            cls._kept_form_class = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, flt in self.filters.items():
                if isinstance(flt, QuerySetRequestMixin) and name in form.fields:
                    form.fields[name].queryset = flt.get_queryset(flt.get_request())
        return self._form


class BaseScopedFilter(KeptFormFilterSet):
    """Search, organisation (本级及以下) and archived: what every scoped list offers."""

    q = df.CharFilter(label="搜索", method="filter_q")
    node = df.ModelChoiceFilter(label="组织", queryset=_scope_nodes, method="filter_node")
    archived = df.ChoiceFilter(label="归档", choices=ARCHIVED_CHOICES[1:], empty_label="在用",
                               method="filter_archived")
    search_fields: tuple = ()

    # Shown as hidden inputs when present (they come from links), never as raw id boxes.
    hidden_fields = ("union", "enterprise")

    def node_options(self):
        """Areas for the select (unions are too many to list; a union comes from links)."""
        options = area_options(self.request.user)
        current = self.form.cleaned_data.get("node") if self.is_valid() else None
        if current is not None and current.kind not in AREA_KINDS:
            options = [*options, (current.pk, current.union_name or current.name, current.kind)]
        return options

    def scope_depth(self) -> int | None:
        """0 for a district (or an operator), 1 for a street …; None without a scope."""
        path = scope_path(self.request.user) if self.request is not None else None
        return None if path is None else path_depth(path)

    def filter_q(self, qs, name, value):
        return qs.filter(search_q(value, self.search_fields, model=qs.model, scope_depth=self.scope_depth()))

    def filter_node(self, qs, name, value):
        # The scope's own node list narrowed to the node's subtree (core.scope.within); where qs has none
        # to narrow, on the path of the row's node (a join), not a second "node IN (SELECT ...)": next to
        # the scope's list SQLite would seek by the first, the whole scope, and filter.
        narrowed = within(qs, value)
        if narrowed is not None:
            return narrowed
        return qs.filter(path_prefix_q(f"{home_field(qs.model)}__path", value.path))

    def filter_archived(self, qs, name, value):
        return qs

    def filter_queryset(self, queryset):
        # Archived rows are hidden unless asked for; applied even when the parameter is absent.
        archived = self.form.cleaned_data.get("archived")
        if archived == "1":
            queryset = queryset.filter(archived_at__isnull=False)
        elif archived != "all":
            queryset = queryset.filter(archived_at__isnull=True)
        qs = super().filter_queryset(queryset)
        if qs.query.order_by and "pk" not in qs.query.order_by and "-pk" not in qs.query.order_by:
            # Ties (same name, same date) would otherwise move rows between pages.
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs



def _years():
    return [(y, f"{y}年") for y in range(timezone.localdate().year, 2009, -1)]


class RecordFilter(BaseScopedFilter):
    """A work record's list: plus the year of its own date, and a search over chosen fields."""

    year = df.ChoiceFilter(label="年度", choices=_years(), empty_label="全部年度", method="filter_year")
    date_field = ""
    search_lookups: tuple = ()

    def filter_year(self, qs, name, value):
        from django.db import models

        field = qs.model._meta.get_field(self.date_field)
        lookup = self.date_field if isinstance(field, models.IntegerField) else f"{self.date_field}__year"
        return qs.filter(**{lookup: int(value)})

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        cond = Q()
        for lookup in self.search_lookups:
            cond |= Q(**{f"{lookup}__icontains": value})
        return qs.filter(cond).distinct() if any("__" in lookup for lookup in self.search_lookups) else qs.filter(cond)


def record_filter(model, date_field, search=(), choices=()):
    """A RecordFilter for a model: its date, searched fields, and a select for each coded field."""
    attrs = {"date_field": date_field, "search_lookups": tuple(search),
             "Meta": type("Meta", (), {"model": model, "fields": []})}
    for name in choices:
        f = model._meta.get_field(name)
        attrs[name] = df.ChoiceFilter(label=str(f.verbose_name), choices=f.choices, empty_label=f"全部{f.verbose_name}")
    return type(f"{model.__name__}Filter", (RecordFilter,), attrs)
