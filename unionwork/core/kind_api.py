"""The API of a record kind (see core/kinds.py): the same scoped queryset, filters, form parsing,
service and export as its pages."""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from ninja import Body, Router, Status

from unionwork.accounts.choices import Perm

from . import audit
from .exports import xlsx_response
from .kinds import Kind, child_form_class, form_data, payload_field
from .listing import api_filtered, api_page, query_parameters
from .masking import MASKERS
from .scope import ensure_perm, get_scoped


def _json(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _child_dict(kind: Kind, obj, child, entry) -> dict:
    out = {}
    for name, value in model_to_dict(entry).items():
        if name == child.fk:
            continue
        if isinstance(value, FieldFile):  # the page that serves it within scope, not the storage path
            value = kind.url("child_file", obj.pk, child.name, entry.pk) if value else None
        out[name] = _json(value)
    return out | {"id": entry.pk}


_SCALAR = str | int | float | bool


def _form_payload(model, payload: dict) -> dict:
    """JSON values as a form posts them: text, or a list of texts for a many-to-many field.

    The forms' fields parse strings; a list or an object where one value belongs is refused with a
    message instead of reaching them.
    """
    out, errors = {}, {}
    names = {f.name: f for f in [*model._meta.fields, *model._meta.many_to_many]}
    for key, value in payload.items():
        f = names.get(key) or names.get(payload_field(key))
        if f is None:  # names no field: the form would ignore it
            continue
        if f.many_to_many:
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in items if v is not None):
                errors[key] = ["应为记录 id 的列表，例如 [1, 2]"]
                continue
            out[key] = [str(v) for v in items if v is not None]
        elif value is None:
            out[key] = None
        elif isinstance(value, _SCALAR):
            out[key] = str(value)
        else:
            errors[key] = ["应为单个值（文字、数字、日期或 true/false），不能是列表或对象"]
    if errors:
        raise ValidationError(errors)
    return out


def to_dict(kind: Kind, obj) -> dict:
    out = {"id": obj.pk, "node_id": obj.node_id, "node": obj.node.display_name, "archived": obj.archived_at is not None}
    for name in kind.fields:
        f = kind.model._meta.get_field(name)
        if f.many_to_many:
            out[f"{name}_ids"] = [r.pk for r in getattr(obj, name).all()]
        elif f.is_relation:
            out[f"{name}_id"] = getattr(obj, f.attname)
            related = getattr(obj, name)
            out[name] = str(related) if related is not None else None
        else:
            value = getattr(obj, name)
            if name in kind.sensitive and value:
                value = MASKERS[kind.sensitive[name]](str(value))
            out[name] = _json(value)
            if f.choices:
                out[f"{name}_label"] = getattr(obj, f"get_{name}_display")()
    for child in kind.children:
        related = child.model._meta.get_field(child.fk).remote_field.related_name
        out[child.name] = [_child_dict(kind, obj, child, e) for e in getattr(obj, related).all()]
    return out


def _validate(form):
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


def kind_router(kind: Kind) -> Router:
    router = Router(tags=[kind.label])
    s = kind.slug

    def get(request, pk):
        ensure_perm(request.user, kind.view_perm)
        return get_scoped(request.user, kind.queryset(request.user), pk=pk)

    @router.get(f"/{s}", summary=f"{kind.label}列表（与页面相同的筛选参数）", operation_id=f"{s}_list",
                openapi_extra={"parameters": query_parameters(kind.filterset)})
    def list_(request):
        ensure_perm(request.user, kind.view_perm)
        return api_page(request, kind.queryset(request.user), kind.filterset, lambda o: to_dict(kind, o))

    @router.get(f"/{s}/export.xlsx", summary=f"导出{kind.label}（Excel）", operation_id=f"{s}_export",
                openapi_extra={"parameters": query_parameters(kind.filterset, paged=False, export=True)})
    def export(request):
        ensure_perm(request.user, kind.view_perm)
        rows = api_filtered(request, kind.queryset(request.user), kind.filterset)
        return xlsx_response(request, rows, kind.columns, kind.label)

    @router.get(f"/{s}/{{pk}}", summary=f"{kind.label}详情", operation_id=f"{s}_detail")
    def detail(request, pk: int):
        return to_dict(kind, get(request, pk))

    @router.post(f"/{s}", response={201: dict}, summary=f"登记{kind.label}", operation_id=f"{s}_create")
    def create(request, payload: dict = Body(...)):
        if kind.write_perm:
            ensure_perm(request.user, kind.write_perm)
        form = kind.form_class()(data=form_data(kind, _form_payload(kind.model, payload)), user=request.user)
        obj = kind.service.create(request.user, _validate(form), source="api")
        return Status(201, to_dict(kind, get(request, obj.pk)))

    @router.patch(f"/{s}/{{pk}}", summary=f"修改{kind.label}", operation_id=f"{s}_update")
    def update(request, pk: int, payload: dict = Body(...)):
        obj = get(request, pk)
        if kind.write_perm:
            ensure_perm(request.user, kind.write_perm)
        form = kind.form_class()(data=form_data(kind, _form_payload(kind.model, payload), obj), user=request.user,
                                   instance=obj)
        kind.service.update(request.user, obj, _validate(form), source="api")
        return to_dict(kind, get(request, pk))

    @router.post(f"/{s}/{{pk}}/archive", summary=f"归档{kind.label}", operation_id=f"{s}_archive")
    def archive(request, pk: int):
        kind.service.archive(request.user, get(request, pk), source="api")
        return to_dict(kind, get(request, pk))

    @router.post(f"/{s}/{{pk}}/restore", summary=f"恢复{kind.label}", operation_id=f"{s}_restore")
    def restore(request, pk: int):
        kind.service.restore(request.user, get(request, pk), source="api")
        return to_dict(kind, get(request, pk))

    if kind.sensitive:
        @router.get(f"/{s}/{{pk}}/reveal", summary=f"查看{kind.label}的完整敏感信息（有权限的角色，记录日志）",
                    operation_id=f"{s}_reveal")
        def reveal(request, pk: int):
            obj = get(request, pk)
            ensure_perm(request.user, Perm.REVEAL)
            audit.log_reveal(request.user, obj, fields=list(kind.sensitive), channel="api")
            return {name: getattr(obj, name) for name in kind.sensitive}

    def child_endpoint(child):
        def add_child(request, pk: int, payload: dict = Body(...)):
            obj = get(request, pk)
            form = child_form_class(child)(data=_form_payload(child.model, payload), user=request.user)
            kind.service.add_child(request.user, obj, child, _validate(form), source="api")
            return Status(201, to_dict(kind, get(request, pk)))

        return add_child

    for child in kind.children:
        router.post(f"/{s}/{{pk}}/{child.name}", response={201: dict}, summary=f"添加{child.label}",
                    operation_id=f"{s}_{child.name}_add")(child_endpoint(child))
    return router
