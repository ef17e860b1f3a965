"""The pages of a record kind (see core/kinds.py): thin views over its service and scoped queryset."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from unionwork.accounts.choices import Perm

from . import audit
from .forms import apply_service_errors
from .kinds import Kind, child_form_class
from .listing import list_response
from .masking import MASKERS
from .scope import ensure_perm, get_scoped


def _get(kind, request, pk):
    return get_scoped(request.user, kind.queryset(request.user), pk=pk)


def list_view(request, kind: Kind):
    _check_view(request, kind)
    return list_response(request, queryset=kind.queryset(request.user), filterset_class=kind.filterset,
                         template="records/list.html", columns=kind.columns, export_name=kind.label,
                         extra={"kind": kind, "can_write": request.user.has_role_perm(kind.write_perm or Perm.CREATE)})


def _check_view(request, kind):
    ensure_perm(request.user, kind.view_perm)


def detail_view(request, kind: Kind, pk, child_forms=None, status=200, revealed=False):
    _check_view(request, kind)
    obj = _get(kind, request, pk)
    children = []
    for child in kind.children:
        entries = list(getattr(obj, child.model._meta.get_field(child.fk).remote_field.related_name).all())
        form = (child_forms or {}).get(child.name) or child_form_class(child)(user=request.user,
                                                                               prefix=child.name)
        edit_form = child_form_class(child, child.editable) if child.editable else None
        rows = [(e, [fn(e) for _, fn in child.columns],
                 edit_form(user=request.user, prefix=f"{child.name}-{e.pk}", instance=e) if edit_form else None)
                for e in entries]
        children.append({"spec": child, "entries": entries, "form": form, "rows": rows,
                         "open": child.name in (child_forms or {})})
    fields = []
    for name in kind.fields:
        f = kind.model._meta.get_field(name)
        if f.many_to_many:
            value = "、".join(str(r) for r in getattr(obj, name).all())
        elif f.choices:
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
        if name in kind.sensitive and not revealed and value:
            value = MASKERS[kind.sensitive[name]](str(value))
        fields.append((f.verbose_name, value, f))
    return render(request, "records/detail.html", {
        "kind": kind, "obj": obj, "fields": fields, "children": children, "history": audit.history(obj)[:200],
        "badges": kind.badges(obj) if kind.badges else [],
        "summary": kind.summary(obj) if kind.summary else [], "revealed": revealed,
        "has_sensitive": bool(kind.sensitive),
        "can_write": request.user.has_role_perm(kind.write_perm or Perm.CHANGE),
        "can_archive": request.user.has_role_perm(kind.write_perm or Perm.ARCHIVE),
    }, status=status)


def reveal_view(request, kind: Kind, pk):
    """The record with its sensitive fields in full, for roles that may see them; logged."""
    obj = _get(kind, request, pk)
    ensure_perm(request.user, Perm.REVEAL)
    audit.log_reveal(request.user, obj, fields=list(kind.sensitive), channel="page")
    return detail_view(request, kind, pk, revealed=True)


def form_view(request, kind: Kind, pk=None):
    _check_view(request, kind)
    obj = _get(kind, request, pk) if pk else None
    ensure_perm(request.user, kind.write_perm or (Perm.CHANGE if obj else Perm.CREATE))
    initial = {k: v for k, v in request.GET.items() if k in kind.fields}
    form = kind.form_class()(request.POST or None, user=request.user, instance=obj, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if obj:
                saved = kind.service.update(request.user, obj, form.cleaned_data)
            else:
                saved = kind.service.create(request.user, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect(kind.url("detail", saved.pk))
    title = f"修改{kind.label}：{obj}" if obj else f"登记{kind.label}"
    cancel = kind.url("detail", obj.pk) if obj else kind.url("list")
    return render(request, "directory/form.html", {"form": form, "title": title, "cancel": cancel})


@require_POST
def child_add_view(request, kind: Kind, pk, child_name):
    obj = _get(kind, request, pk)
    ensure_perm(request.user, kind.write_perm or Perm.CHANGE)
    child = kind.child(child_name)
    form = child_form_class(child)(request.POST, request.FILES, user=request.user, prefix=child.name)
    if form.is_valid():
        try:
            kind.service.add_child(request.user, obj, child, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已添加{child.label}")
            return redirect(kind.url("detail", obj.pk))
    return detail_view(request, kind, pk, child_forms={child.name: form}, status=400)


@require_POST
def child_update_view(request, kind: Kind, pk, child_name, child_pk):
    obj = _get(kind, request, pk)
    ensure_perm(request.user, kind.write_perm or Perm.CHANGE)
    child = kind.child(child_name)
    # The entry is looked up under its record, which was fetched through the scope.
    entry = get_scoped_child(child, obj, child_pk)
    form = child_form_class(child, child.editable)(request.POST, user=request.user, prefix=f"{child.name}-{entry.pk}")
    if form.is_valid():
        try:
            kind.service.update_child(request.user, obj, child, entry, form.cleaned_data)
            messages.success(request, f"已更新{child.label}")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect(kind.url("detail", obj.pk))


def get_scoped_child(child, obj, child_pk):
    from django.http import Http404

    try:
        return child.model.objects.get(pk=child_pk, **{child.fk: obj})
    except (child.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@require_POST
def archive_view(request, kind: Kind, pk):
    obj = _get(kind, request, pk)
    try:
        if obj.archived_at:
            kind.service.restore(request.user, obj)
            messages.success(request, "已恢复")
        else:
            kind.service.archive(request.user, obj)
            messages.success(request, "已归档，可随时恢复")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(kind.url("detail", obj.pk))


def child_file_view(request, kind: Kind, pk, child_name, child_pk):
    """An attached file, served only to those who may see its record."""
    from django.http import FileResponse, Http404

    _check_view(request, kind)
    obj = _get(kind, request, pk)
    entry = get_scoped_child(kind.child(child_name), obj, child_pk)
    f = getattr(entry, "file", None)
    if not f:
        raise Http404
    return FileResponse(f.open("rb"), as_attachment=False, filename=f.name.rsplit("/", 1)[-1])


def kind_urls(kind: Kind):
    s = kind.slug
    return [
        path(f"{s}/", list_view, {"kind": kind}, name=f"{s}_list"),
        path(f"{s}/new/", form_view, {"kind": kind}, name=f"{s}_create"),
        path(f"{s}/<int:pk>/", detail_view, {"kind": kind}, name=f"{s}_detail"),
        path(f"{s}/<int:pk>/edit/", form_view, {"kind": kind}, name=f"{s}_edit"),
        path(f"{s}/<int:pk>/archive/", archive_view, {"kind": kind}, name=f"{s}_archive"),
        path(f"{s}/<int:pk>/reveal/", reveal_view, {"kind": kind}, name=f"{s}_reveal"),
        path(f"{s}/<int:pk>/<str:child_name>/new/", child_add_view, {"kind": kind}, name=f"{s}_child_add"),
        path(f"{s}/<int:pk>/<str:child_name>/<int:child_pk>/", child_update_view, {"kind": kind},
             name=f"{s}_child_update"),
        path(f"{s}/<int:pk>/<str:child_name>/<int:child_pk>/file/", child_file_view, {"kind": kind},
             name=f"{s}_child_file"),
    ]
