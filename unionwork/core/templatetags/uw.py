"""Template helpers used everywhere (registered as builtins)."""

from urllib.parse import urlencode

from django import template

from unionwork.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value or "")


@register.filter(name="mask_phone")
def mask_phone_filter(value):
    return mask_phone(value or "")


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (pagination, sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params, doseq=True)


@register.filter
def yesno_cn(value):
    return "是" if value else "否"


@register.filter
def source_cn(value):
    """Where a change came from, as stored in the history (web, api, import:<job>), in words."""
    value = value or ""
    if value.startswith("import:"):
        return f"导入#{value.removeprefix('import:')}"
    return {"web": "网页", "api": "API"}.get(value, value)


@register.simple_tag(takes_context=True)
def sort_link(context, key, label):
    """A column header that sorts by key, then by -key, updating the results in place."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    current = context["request"].GET.get("ordering", "")
    target = f"-{key}" if current == key else key
    href = query(context, ordering=target, page="", export="")
    icon = ""
    if current == key:
        icon = ' <i class="bi bi-caret-up-fill"></i>'
    elif current == f"-{key}":
        icon = ' <i class="bi bi-caret-down-fill"></i>'
    return format_html(
        '<a class="text-reset text-decoration-none" href="{0}" hx-get="{0}" hx-target="#results" '
        'hx-swap="outerHTML" hx-push-url="true">{1}{2}</a>', href, label, mark_safe(icon)
    )


@register.filter
def show(value):
    """A value as a cadre reads it: dates as 2026-01-10, 是/否, — for nothing."""
    import datetime

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


@register.filter
def apply(column, row):
    """The value of an export/list Column for a row, formatted for a page."""
    value = column.get(row)
    if column.sensitive and value:
        from unionwork.core.masking import MASKERS

        return MASKERS[column.sensitive](str(value))
    return show(value)


@register.filter
def badges_of(kind, obj):
    return kind.badges(obj) if kind.badges else []


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
