"""Change history and reveal logging. Every service write calls record() in its transaction."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .masking import MASKERS
from .models import ChangeLog, RevealLog


def _display(obj, field: models.Field):
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        return str(related) if related is not None else ""
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    value = str(value)
    # Contact phones (contact_phone, chair_phone) are masked on the pages, so in the history too.
    # History never keeps personal information in full: the model's SENSITIVE fields, 身份证号 and phones.
    key = getattr(obj, "SENSITIVE", {}).get(field.name)
    masker = MASKERS.get(key or field.name) or (MASKERS["phone"] if field.name.endswith("_phone") else None)
    return masker(value) if masker else value


def snapshot(obj, fields: list[str] | None = None) -> dict:
    """{field name: display value} of the tracked fields (AUDIT_FIELDS on the model)."""
    names = fields or getattr(obj, "AUDIT_FIELDS", None) or [
        f.name for f in obj._meta.concrete_fields if not f.primary_key
    ]
    return {n: _display(obj, obj._meta.get_field(n)) for n in names}


def diff(before: dict, after: dict, model) -> dict:
    changes = {}
    for name, new in after.items():
        old = before.get(name, "")
        if old != new:
            label = str(model._meta.get_field(name).verbose_name)
            changes[name] = {"label": label, "old": old, "new": new}
    return changes


def record(obj, user, action: str, changes: dict | None = None, message: str = "", source: str = "web"):
    return ChangeLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        changes=changes or {},
        message=message[:500],
        user=user if getattr(user, "pk", None) else None,
        source=source,
    )


def record_created(obj, user, source="web", message=""):
    after = snapshot(obj)
    changes = {k: {"label": str(obj._meta.get_field(k).verbose_name), "old": "", "new": v} for k, v in after.items() if v}
    return record(obj, user, "create", changes, message=message, source=source)


def history(obj):
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj.__class__), object_id=obj.pk
    ).select_related("user")


def log_reveal(user, obj=None, fields=("id_number", "phone"), channel="page", detail=""):
    return RevealLog.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj.__class__) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        fields=",".join(fields),
        channel=channel,
        detail=detail[:300],
    )
