"""The one way list pages work: scoped queryset -> filters -> export or page (full or htmx fragment)."""

from django.conf import settings
from django.shortcuts import render

from .exports import xlsx_response
from .paging import KeysFirstPaginator


def filtered(request, queryset, filterset_class):
    fs = filterset_class(request.GET, queryset=queryset, request=request)
    qs = fs.qs if fs.is_valid() else queryset.none()
    return fs, qs


def list_response(request, *, queryset, filterset_class, template, columns=None, export_name="导出", extra=None,
                  export_related=()):
    fs, qs = filtered(request, queryset, filterset_class)
    if request.GET.get("export") == "xlsx" and columns:
        # select_related() without names would replace the selector's joins by "all non-null FKs".
        if export_related:
            qs = qs.select_related(*export_related)
        return xlsx_response(request, qs, columns, export_name)
    page = KeysFirstPaginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": fs, "page": page, "rows": page.object_list, **(extra or {})}
    # htmx swaps only the results; a plain request (or a shared link) gets the whole page.
    name = f"{template}#results" if request.htmx and request.htmx.target == "results" else template
    return render(request, name, context)


def api_page(request, queryset, filterset_class, to_dict):
    """An API list page: the same filters as the pages, ?page= and ?page_size= (at most 200)."""
    from .paging import KeysFirstPaginator

    _, rows = filtered(request, queryset, filterset_class)
    try:
        size = max(1, min(int(request.GET.get("page_size", settings.PAGE_SIZE)), 200))
    except ValueError:
        size = settings.PAGE_SIZE
    page = KeysFirstPaginator(rows, size).get_page(request.GET.get("page"))
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [to_dict(r) for r in page.object_list]}
