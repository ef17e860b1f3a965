"""Record kinds: one declaration per kind of work record gives its scoped pages (list with htmx
filters, detail with timeline and history, forms), its .xlsx export, its API and its services.

The directory keeps hand-written pages (its rules are richer); every other record kind — contracts,
disputes, visits, campaigns, activities … — is declared once here instead of repeating the same
six views, templates and endpoints per model (NetBox's generic views do the same).
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from unionwork.accounts.choices import Perm

from . import audit
from .exports import Column
from .forms import BootstrapMixin
from .scope import ensure_can_write, ensure_visible, scoped


@dataclass
class Child:
    """Dated entries inside a record: negotiation rounds, case steps, hazards, follow-ups."""

    name: str
    model: type
    label: str
    fields: list
    fk: str
    columns: list  # [(header, callable(child))]
    editable: list = field(default_factory=list)  # fields that may be filled in later (e.g. a done date)


REGISTRY: dict = {}  # slug -> Kind, for the importer and the templates


def all_kinds() -> dict:
    """Every declared kind: each app's kinds.py is imported once."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("kinds")
    return REGISTRY


@dataclass
class Kind:
    slug: str
    app: str
    model: type
    label: str
    fields: list
    filterset: type
    columns: list  # [Column]: the list page and the export
    service: Any = None
    children: list = field(default_factory=list)
    select_related: tuple = ()
    prefetch: tuple = ()
    badges: Any = None  # callable(obj) -> [(css class, text)] shown beside the title and in the list
    icon: str = "journal-text"
    help: str = ""
    extra_links: list = field(default_factory=list)  # [(label, query string)] quick filters on the list
    natural_key: tuple = ()  # fields that identify a record in an imported sheet (re-import updates it)
    summary: Any = None  # callable(obj) -> [str]: computed figures shown on the detail page
    sensitive: dict = field(default_factory=dict)  # field -> masker key: masked unless revealed (logged)
    view_perm: str = "view"
    write_perm: str = ""  # when set, the one permission for every write of this kind (e.g. funds, audits)

    def __post_init__(self):
        REGISTRY[self.slug] = self
        if not self.sensitive:
            self.sensitive = dict(getattr(self.model, "SENSITIVE", {}))
        if self.service is not None:
            self.service.write_perm = self.write_perm

    def queryset(self, user):
        qs = scoped(user, self.model).select_related("node", *self.select_related)
        return qs.prefetch_related(*self.prefetch) if self.prefetch else qs

    def url(self, action, *args):
        from django.urls import reverse

        return reverse(f"{self.app}:{self.slug}_{action}", args=args)

    @property
    def url_list(self):
        return self.url("list")

    @property
    def url_create(self):
        return self.url("create")

    def form_class(self):
        return forms.modelform_factory(self.model, form=RecordForm, fields=self.fields)

    def child(self, name) -> Child:
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(name)


def payload_field(key: str) -> str:
    """The field a JSON body's key names: "enterprise_id" and "enterprises_ids" as well as the plain name."""
    return key[:-4] if key.endswith("_ids") else key[:-3] if key.endswith("_id") else key


def form_data(kind: Kind, payload: dict, instance=None) -> dict:
    """JSON body → form data: "enterprise_id" or "enterprise" both name a related row."""
    data = {}
    if instance is None:  # what the body leaves out takes the model's default, as on the page
        for name in kind.fields:
            f = kind.model._meta.get_field(name)
            if not f.many_to_many and f.has_default():
                data[name] = f.get_default()
    if instance is not None:
        for name in kind.fields:
            f = kind.model._meta.get_field(name)
            value = [r.pk for r in getattr(instance, name).all()] if f.many_to_many else getattr(instance, f.attname)
            data[name] = "" if value is None else value
    for key, value in payload.items():
        name = payload_field(key)
        if name in kind.fields:
            data[name] = "" if value is None else value
    return data



class RecordForm(BootstrapMixin, forms.ModelForm):
    """Parses input; every choice of a related row is limited to what the user may see."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from unionwork.org.models import Node

        for f in self.fields.values():
            if isinstance(f, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                model = f.queryset.model
                if model is Node:
                    f.queryset = scoped(user, Node).filter(archived_at__isnull=True).exclude(kind="group")
                elif getattr(model, "SCOPE_NODE_FIELD", None):
                    qs = scoped(user, model)
                    if hasattr(model, "archived_at"):
                        qs = qs.filter(archived_at__isnull=True)
                    f.queryset = qs
                else:
                    f.queryset = f.queryset.none()
            if isinstance(f, forms.DateField):
                f.widget = forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")
        if "node" in self.fields:
            self.fields["node"].required = False
            self.fields["node"].help_text = "可不填：默认为所选企业所在社区，或您所在的组织"
            if user.node_id and not self.instance.pk:
                self.fields["node"].initial = user.node_id

    def _post_clean(self):
        pass  # the service validates (shared with the API and the importer)


def _check_attachment(value):
    from django.core.files.uploadedfile import UploadedFile

    from .uploads import check_upload

    if isinstance(value, UploadedFile):  # a new upload, not the file already kept
        check_upload(value, "attachment")


def child_form_class(child: Child, fields=None):
    return forms.modelform_factory(child.model, form=ChildForm, fields=fields or child.fields)


class ChildForm(BootstrapMixin, forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.FileField):
                f.validators.append(_check_attachment)
            if isinstance(f, forms.DateField):
                f.widget = forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")
            if isinstance(f, forms.ModelChoiceField) and user is not None and getattr(
                    f.queryset.model, "SCOPE_NODE_FIELD", None):
                f.queryset = scoped(user, f.queryset.model)

    def _post_clean(self):
        pass


def raise_errors(errors: dict):
    """The rules of a kind collect {field: [messages]} and raise them together."""
    if errors:
        raise ValidationError(errors)


def not_future(errors: dict, obj, *names):
    today = timezone.localdate()
    for name in names:
        value = getattr(obj, name)
        if value and value > today:
            errors.setdefault(name, []).append(f"{obj._meta.get_field(name).verbose_name}不能晚于今天")


def non_negative(errors: dict, obj, *names):
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(f"{obj._meta.get_field(name).verbose_name}不能为负数")


class RecordService:
    """Atomic, scoped, validated and audited writes of one record kind. Kinds override validate()."""

    model: type = None
    write_perm: str = ""  # set from the Kind: replaces create/change/archive for this kind

    def __init__(self, model):
        self.model = model

    # hooks
    def validate(self, obj, m2m: dict):
        """Raise ValidationError({field: [message]}) for rules of this kind."""

    def validate_child(self, parent, child):
        """Rules for a dated entry (e.g. not before the record's own date)."""

    def after_save(self, user, obj, created: bool):
        pass

    def after_child(self, user, obj, entry):
        """A dated entry was added or changed (e.g. a review moves the next review date)."""

    # helpers
    def _perm(self, default):
        return self.write_perm or default

    def _split(self, data):
        m2m_names = {f.name for f in self.model._meta.many_to_many}
        plain = {k: v for k, v in data.items() if k not in m2m_names}
        m2m = {k: list(v) for k, v in data.items() if k in m2m_names}
        return plain, m2m

    def default_node(self, obj, m2m):
        """Where a record lives when the form leaves it open: its enterprise's community."""
        enterprise = getattr(obj, "enterprise", None) if hasattr(obj, "enterprise_id") else None
        return enterprise.node if enterprise is not None else None

    def _place(self, user, obj, m2m):
        if not obj.node_id:
            node = self.default_node(obj, m2m)
            if node is None and user is not None and user.node_id:
                node = user.node
            obj.node = node

    def _check_refs(self, user, obj, m2m):
        if user is None:
            return
        for f in obj._meta.concrete_fields:
            # created_by is the acting user (request.user, a lazy object), set here, not chosen in the form.
            if isinstance(f, models.ForeignKey) and f.name not in ("node", "created_by") and getattr(
                    f.related_model, "SCOPE_NODE_FIELD", None):
                related = getattr(obj, f.name)
                if related is not None:
                    ensure_visible(user, related, str(f.verbose_name))
        for name, rows in m2m.items():
            label = str(self.model._meta.get_field(name).verbose_name)
            for related in rows:
                ensure_visible(user, related, label)

    def _clean(self, obj, m2m):
        errors = {}
        try:
            self.validate(obj, m2m)
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        try:
            obj.full_clean(exclude=[f.name for f in obj._meta.many_to_many], validate_unique=True)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, v)
        if errors:
            raise ValidationError(errors)

    def _m2m_snapshot(self, obj, m2m):
        return {k: "、".join(sorted(str(r) for r in getattr(obj, k).all())) for k in m2m}

    @transaction.atomic
    def create(self, user, data, source="web"):
        plain, m2m = self._split(data)
        obj = self.model(**plain)
        obj.created_by = user if getattr(user, "pk", None) else None
        self._place(user, obj, m2m)
        if not obj.node_id:
            raise ValidationError({"node": ["请选择所属组织"]})
        if user is not None:
            ensure_can_write(user, self._perm(Perm.CREATE), obj.node)
        self._check_refs(user, obj, m2m)
        self._clean(obj, m2m)
        obj.save()
        for name, rows in m2m.items():
            getattr(obj, name).set(rows)
        audit.record_created(obj, user, source=source)
        self.after_save(user, obj, True)
        return obj

    @transaction.atomic
    def update(self, user, obj, data, source="web"):
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        if user is not None:
            ensure_can_write(user, self._perm(Perm.CHANGE), obj.node)
        plain, m2m = self._split(data)
        before = audit.snapshot(obj)
        m2m_before = self._m2m_snapshot(obj, m2m)
        for key, value in plain.items():
            setattr(obj, key, value)
        if "node" in plain and plain["node"] is None:
            obj.node_id = None
            self._place(user, obj, m2m)
        if user is not None:
            ensure_can_write(user, self._perm(Perm.CHANGE), obj.node)  # no moving a record out of one's scope
        self._check_refs(user, obj, m2m)
        self._clean(obj, m2m)
        changes = audit.diff(before, audit.snapshot(obj), self.model)
        obj.save()
        for name, rows in m2m.items():
            getattr(obj, name).set(rows)
        m2m_after = self._m2m_snapshot(obj, m2m)
        for name in m2m:
            if m2m_before[name] != m2m_after[name]:
                label = str(self.model._meta.get_field(name).verbose_name)
                changes[name] = {"label": label, "old": m2m_before[name], "new": m2m_after[name]}
        if changes:
            audit.record(obj, user, "update", changes, source=source)
        self.after_save(user, obj, False)
        return obj

    @transaction.atomic
    def archive(self, user, obj, source="web"):
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        ensure_can_write(user, self._perm(Perm.ARCHIVE), obj.node)
        if obj.archived_at:
            raise ValidationError("该记录已归档")
        obj.archived_at = timezone.now()
        obj.save(update_fields=["archived_at"])
        audit.record(obj, user, "archive", source=source)
        return obj

    @transaction.atomic
    def restore(self, user, obj, source="web"):
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        ensure_can_write(user, self._perm(Perm.ARCHIVE), obj.node)
        if not obj.archived_at:
            raise ValidationError("该记录未归档")
        obj.archived_at = None
        obj.save(update_fields=["archived_at"])
        audit.record(obj, user, "restore", source=source)
        return obj

    @transaction.atomic
    def add_child(self, user, obj, child: Child, data, source="web"):
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        ensure_can_write(user, self._perm(Perm.CHANGE), obj.node)
        entry = child.model(**data, **{child.fk: obj})
        self._clean_child(obj, entry)
        entry.save()
        audit.record(obj, user, "update", message=f"新增{child.label}：{entry}", source=source)
        self.after_child(user, obj, entry)
        return entry

    @transaction.atomic
    def update_child(self, user, obj, child: Child, entry, data, source="web"):
        obj = self.model.objects.select_for_update().get(pk=obj.pk)
        ensure_can_write(user, self._perm(Perm.CHANGE), obj.node)
        entry = child.model.objects.get(pk=entry.pk, **{child.fk: obj})
        before = audit.snapshot(entry, list(data))
        for key, value in data.items():
            setattr(entry, key, value)
        self._clean_child(obj, entry)
        entry.save()
        changes = audit.diff(before, audit.snapshot(entry, list(data)), child.model)
        if changes:
            audit.record(obj, user, "update", changes, message=f"更新{child.label}：{entry}", source=source)
        self.after_child(user, obj, entry)
        return entry

    def _clean_child(self, obj, entry):
        errors = {}
        try:
            self.validate_child(obj, entry)
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        try:
            entry.full_clean()
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, v)
        if errors:
            raise ValidationError(errors)


__all__ = ["Child", "Column", "Kind", "RecordForm", "RecordService"]
