"""The one way list pages work: scoped queryset -> filters -> export or page (full or htmx fragment)."""

import django_filters as df
from django.conf import settings
from django.shortcuts import render

from .exports import xlsx_response
from .filters import MAX_BIGINT
from .paging import KeysFirstPaginator, page_rows
from .params import ParameterError, int_param


def filtered(request, queryset, filterset_class):
    fs = filterset_class(request.GET, queryset=queryset, request=request)
    qs = fs.qs if fs.is_valid() else queryset.none()
    return fs, qs


def list_response(request, *, queryset, filterset_class, template, columns=None, export_name="导出", extra=None,
                  export_related=(), page_fields=()):
    """page_fields: the only columns the page's rows read (Django's only()); the export reads its own."""
    fs, qs = filtered(request, queryset, filterset_class)
    if request.GET.get("export") == "xlsx" and columns:
        # select_related() without names would replace the selector's joins by "all non-null FKs".
        if export_related:
            qs = qs.select_related(*export_related)
        return xlsx_response(request, qs, columns, export_name)
    if page_fields:
        qs = qs.only(*page_fields)
    page = KeysFirstPaginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": fs, "page": page, "rows": page.object_list, **(extra or {})}
    # htmx swaps only the results; a plain request (or a shared link) gets the whole page.
    name = f"{template}#results" if request.htmx and request.htmx.target == "results" else template
    return render(request, name, context)


def query_parameters(filterset_class, paged=True, export=False) -> list[dict]:
    """The OpenAPI description of a list's query parameters: its filters (the pages' own, read from
    request.GET by the filterset, so ninja does not parse them); page, page_size and after for a page
    of the list, reveal for its export."""
    out = []
    for name, flt in filterset_class.base_filters.items():
        schema = {"type": "string"}
        description = str(flt.label or name)
        if isinstance(flt, df.NumberFilter | df.ModelChoiceFilter):
            schema = {"type": "integer"}
        elif isinstance(flt, df.OrderingFilter):
            codes = [c for o in flt.param_map for c in (o, f"-{o}")]
            schema = {"type": "string", "enum": codes}
            description += "（前加 - 为倒序）"
        elif isinstance(flt, df.ChoiceFilter) and not callable(flt.extra.get("choices")):
            choices = [(str(v), str(label)) for v, label in flt.extra["choices"] if v != ""]
            schema = {"type": "string", "enum": [v for v, _ in choices]}
            description += "：" + "，".join(f"{v} {label}" for v, label in choices)
        out.append({"in": "query", "name": name, "required": False, "description": description, "schema": schema})
    if paged:
        out += [
            {"in": "query", "name": "page", "required": False, "description": "页码，从 1 开始",
             "schema": {"type": "integer", "minimum": 1}},
            {"in": "query", "name": "page_size", "required": False, "description": "每页条数（1–200）",
             "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            {"in": "query", "name": "after", "required": False,
             "description": "按编号顺序读取这一编号之后的记录（上一次返回的 next_after）；不能与 page、ordering 同用",
             "schema": {"type": "integer", "minimum": 0}},
        ]
    if export:
        out.append({"in": "query", "name": "reveal", "required": False,
                    "description": "1：角色有权限时导出完整的个人信息（记录在审计日志）；否则脱敏",
                    "schema": {"type": "string", "enum": ["1"]}})
    return out


def filter_errors(fs) -> str:
    """The filterset's errors as one sentence: which parameter, and why."""
    parts = []
    for name, errors in fs.errors.items():
        field = fs.form.fields.get(name)
        label = f"{field.label}（{name}）" if field is not None and field.label else name
        parts.append(f"{label}：{'；'.join(str(e) for e in errors)}")
    return "筛选条件有误：" + "；".join(parts)


def api_filtered(request, queryset, filterset_class):
    """The API's rows of a list (pages and exports): the filtered queryset, or a 400 naming the bad filter."""
    fs, rows = filtered(request, queryset, filterset_class)
    if not fs.is_valid():
        raise ParameterError(filter_errors(fs))
    return rows


def api_page(request, queryset, filterset_class, to_dict):
    """An API list page: the same filters as the pages (an invalid one is a 400 naming it), ?page= and
    ?page_size= (at most 200); or, with ?after=<id>, the next rows by id after that one, however deep
    (the client passes next_after back; an OFFSET deep into a district's 200,000 members costs
    hundreds of ms, a seek by id does not). Pages read with after carry no count."""
    rows = api_filtered(request, queryset, filterset_class)
    try:
        size = max(1, min(int(request.GET.get("page_size", settings.PAGE_SIZE)), 200))
    except ValueError:
        size = settings.PAGE_SIZE
    after = int_param(request, "after", None, range(0, MAX_BIGINT + 1),
                      "after 应为上一页最后一条记录的编号（next_after，非负整数）")
    if after is None:
        page = KeysFirstPaginator(rows, size).get_page(request.GET.get("page"))
        return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
                "results": [to_dict(r) for r in page.object_list], "next_after": None}
    if request.GET.get("ordering") or request.GET.get("page"):
        raise ParameterError("after 按编号顺序逐页读取，不能与 ordering 或 page 同时使用")
    # No count: a client walking a district's list would pay for it on each of thousands of pages.
    chunk = page_rows(rows.filter(pk__gt=after).order_by("pk"), 0, size)
    return {"count": None, "page": None, "pages": None, "results": [to_dict(r) for r in chunk],
            "next_after": chunk[-1].pk if len(chunk) == size else None}
