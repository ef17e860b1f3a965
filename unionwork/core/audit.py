"""Change history, reveal logging and the security audit trail (AuditEvent).

Every service write calls record() in its transaction: it keeps the change history (ChangeLog) and
writes one audit event. The request (for the user and the address) comes from a context variable
set by AuditContextMiddleware, so services need no request argument.
"""

import contextlib
import contextvars
import datetime
import decimal
import ipaddress

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from .masking import MASKERS
from .models import AUDIT_MIN_RETENTION_DAYS, AuditEvent, ChangeLog, RevealLog

_request = contextvars.ContextVar("audit_request", default=None)
_ip = contextvars.ContextVar("audit_ip", default=None)  # a request's address carried into a background task
_bulk = contextvars.ContextVar("audit_bulk", default=False)


def client_ip(request) -> str | None:
    """REMOTE_ADDR; the first X-Forwarded-For address only behind a proxy the settings trust."""
    if request is None:
        return None
    candidates = []
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidates.append(forwarded.split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


def current_request():
    return _request.get()


def current_ip() -> str | None:
    return client_ip(_request.get()) or _ip.get()


@contextlib.contextmanager
def request_context(request):
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@contextlib.contextmanager
def address(ip: str | None):
    """The address of the request that started a background task (imports, documents)."""
    token = _ip.set(ip or None)
    try:
        yield
    finally:
        _ip.reset(token)


@contextlib.contextmanager
def bulk():
    """Inside an import job: its rows keep their history, the job writes one audit event for all."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def _node_of(obj):
    """The tree node an object belongs to (its home node), or None when it has none."""
    from unionwork.org.models import Node

    from .scope import home_field

    if obj is None:
        return None
    if isinstance(obj, Node):
        return obj
    if not getattr(type(obj), "SCOPE_NODE_FIELD", None):
        return None
    value = obj
    for part in home_field(type(obj)).split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, Node) else None


_CURRENT = object()


def log_event(action: str, *, user=_CURRENT, obj=None, node=None, detail: str = "", data: dict | None = None,
              username: str | None = None, ip: str | None = None, object_repr: str | None = None) -> AuditEvent:
    """Append one event. user, address and node default to the current request's and the object's."""
    request = _request.get()
    if user is _CURRENT:
        user = getattr(request, "user", None)
    real_user = user if getattr(user, "pk", None) and getattr(user, "is_authenticated", False) else None
    if node is None:
        node = _node_of(obj)
    if node is None and real_user is not None:
        node = real_user.node
    return AuditEvent.objects.create(
        user=real_user,
        username=(username if username is not None else getattr(real_user, "username", ""))[:150],
        ip=ip or current_ip(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj.__class__) if obj is not None else None,
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        node=node,
        detail=detail[:500],
        data=data or {},
    )


def retention_days() -> int:
    """AUDIT_RETENTION_DAYS, refused below the minimum the law asks for (6 months)."""
    value = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS 必须是天数（整数），当前为「{value}」") from None
    if days < AUDIT_MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS 为 {days} 天，低于安全审计日志的最短保存期限 {AUDIT_MIN_RETENTION_DAYS} 天"
            f"（至少 6 个月），请调大")
    return days


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
    # An import job's rows are covered by the job's one event (see ledgers.services.run_job).
    if not _bulk.get() and not source.startswith("import"):
        labels = "、".join(c.get("label", k) for k, c in (changes or {}).items() if isinstance(c, dict))
        text = message or (f"变更：{labels}" if labels else "")
        log_event(action, user=user, obj=obj, detail=text, data={"source": source} if source != "web" else {})
    from .memo import forget_request_version

    forget_request_version()  # the data's version moves on: memos asked later in this request read it again
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


_FIELD_LABELS = {"id_number": "身份证号", "phone": "手机号"}


def _field_label(obj, name: str) -> str:
    if name in _FIELD_LABELS:
        return _FIELD_LABELS[name]
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):  # no object, or a masker key rather than a field
        return name


def log_reveal(user, obj=None, fields=("id_number", "phone"), channel="page", detail=""):
    channels = {"page": "页面", "api": "接口", "export": "导出"}
    text = f"{channels.get(channel, channel)}显示完整{'、'.join(_field_label(obj, f) for f in fields)}"
    log_event("reveal", user=user, obj=obj, detail=f"{text}（{detail}）" if detail else text,
              data={"fields": list(fields), "channel": channel})
    return RevealLog.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj.__class__) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        fields=",".join(fields),
        channel=channel,
        detail=detail[:300],
    )
