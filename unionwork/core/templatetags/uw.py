"""Template helpers used everywhere (registered as builtins)."""

import datetime
import html
from urllib.parse import urlencode

from django import template
from django.template import defaultfilters, defaulttags
from django.urls import NoReverseMatch
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from unionwork.core.masking import mask_id_number, mask_phone
from unionwork.core.reversing import reverse_kept

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
    # A plain dict of the last values, as urlencode reads a QueryDict; its copy() deep-copies (a page has ~12 links).
    params = dict(context["request"].GET.items())
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


class KeptURLNode(defaulttags.URLNode):
    """Django's {% url %}, reversed through core.reversing (the same URLs, remembered)."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = reverse_kept(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Overrides the built-in tag of the same name (this library is a builtin, loaded after Django's)."""
    node = defaulttags.url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@register.simple_tag
def filter_fields(fs, search_hint=""):
    """The filter bar's fields (includes/filter_bar.html), built here rather than in the template: with a
    district's 300 areas in the select it was 2 ms of a list page's CPU in the template engine, 0.3 ms here.
    The same markup the template made: names, ids and the selected option are what htmx and the tests read."""
    out = []
    for field in fs.form:
        name = field.name
        value = field.value()
        if name in fs.hidden_fields:
            if value:
                out.append(format_html(
                    '<input type="hidden" name="{}" value="{}"><div class="col-auto">'
                    '<span class="badge text-bg-info">已按{}筛选</span></div>', name, value, field.label))
            continue
        if name == "ordering":
            continue
        ident = field.id_for_label
        out.append(format_html('<div class="col-auto"><label class="form-label small text-muted mb-0" for="{}">{}'
                               "</label>", ident, field.label))
        current = str(value)
        if name == "q":
            out.append(format_html(
                '<input type="search" name="q" id="{}" value="{}" class="form-control form-control-sm" '
                'placeholder="{}" style="min-width:14rem">', ident, value or "", search_hint or "名称 / 拼音 / 首字母"))
        elif name == "node":
            # Streets flush left, communities indented once, anything below (a union in a link) twice.
            indent = {"district": "", "street": "", "community": "\u3000"}
            # A district's ~300 areas: html.escape directly (format_html per option was 0.6 ms of its pages).
            options = "".join(
                f'<option value="{pk}" {"selected" if current == str(pk) else ""}>'
                f'{indent.get(kind, "\u3000\u3000")}{_cell(label)}</option>'
                for pk, label, kind in fs.node_options())
            out.append(format_html('<select name="node" id="{}" class="form-select form-select-sm">'
                                   '<option value="">全部（本级及以下）</option>{}</select>', ident, mark_safe(options)))
        elif getattr(field.field.widget, "input_type", None) == "number":
            out.append(format_html('<input type="number" name="{}" id="{}" value="{}" '
                                   'class="form-control form-control-sm" style="width:7rem">', name, ident, value or ""))
        elif not hasattr(field.field, "choices"):  # free text (走访的季度 "2026Q1"): its hint as placeholder
            out.append(format_html('<input type="text" name="{}" id="{}" value="{}" placeholder="{}" '
                                   'class="form-control form-control-sm" style="width:8rem">', name, ident,
                                   value or "", field.help_text or ""))
        else:
            out.append(format_html('<select name="{}" id="{}" class="form-select form-select-sm">{}</select>',
                                   name, ident, _choice_options(field.field.choices, current)))
        out.append(mark_safe("</div>"))
    return mark_safe("".join(out))


_OPTIONS: dict = {}


def _choice_options(choices, current: str):
    """The <option>s of a coded filter (性别, 行业 …) with current selected. They are the same on every page of
    a list, so they are made once per choices and selected value: format_html per option was ~0.4 ms of an
    enterprise list. The key holds the choices themselves, so a field whose choices change gets new ones."""
    items = tuple((str(choice or ""), str(choice), str(label)) for choice, label in choices)
    key = (items, current)
    options = _OPTIONS.get(key)
    if options is None:
        if len(_OPTIONS) > 512:
            _OPTIONS.clear()
        options = _OPTIONS[key] = mark_safe("".join(
            f'<option value="{html.escape(value)}" {"selected" if current == compared else ""}>'
            f"{html.escape(label)}</option>" for value, compared, label in items))
    return options


_FAST_DATES = {
    "Y-m-d": lambda v: f"{v.year:04d}-{v.month:02d}-{v.day:02d}",
    "Y-m-d H:i": lambda v: f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}",
}


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's |date (overridden: this library is a builtin), with the two formats the pages use on every row
    written directly; dateformat builds a formatter object per value (~10 µs, 50 per list page)."""
    fast = _FAST_DATES.get(arg)
    if fast is not None and (type(value) is datetime.datetime or (type(value) is datetime.date and arg == "Y-m-d")):
        return fast(value)
    return defaultfilters.date(value, arg)


def _rows_and_labels(rows, *fields):
    """The rows as a list and, for each coded field, {stored value: label}: what get_FOO_display reads,
    without building the mapping again for every row."""
    rows = list(rows)
    if not rows:
        return rows, [{} for _ in fields]
    opts = type(rows[0])._meta
    return rows, [dict(opts.get_field(name).flatchoices) for name in fields]


@register.simple_tag
def member_rows(rows):
    """The member list's rows (directory/member_list.html), built here rather than in the template: 25 rows
    of ten cells were 1.4 ms of a list page's CPU in the template engine (the load's most asked page), ~0.3 ms
    here. The same markup the template made. Every value goes through html.escape, which is what Django's
    escape does (see _cell), without its lazy-string wrapper per call (a fifth of the time)."""
    rows, (genders, statuses) = _rows_and_labels(rows, "gender", "membership_status")
    if not rows:
        return ""
    out = []
    for m in rows:
        badges = ' <span class="badge text-bg-light border">农民工</span>' if m.is_migrant else ""
        if m.archived_at:
            badges += ' <span class="badge text-bg-secondary">已归档</span>'
        muted = ' class="text-muted"' if m.archived_at else ""
        out.append(
            f"<tr{muted}>\n"
            f'      <td><a href="{_cell(reverse_kept("directory:member_detail", args=(m.pk,)))}">{_cell(m.name)}</a>'
            f"{badges}</td>\n"
            f"      <td>{_cell(genders.get(m.gender, m.gender))}</td><td><code>{_cell(mask_id_number(m.id_number or ''))}"
            f"</code></td><td>{_day(m.birth_date)}</td>\n"
            f"      <td>{_cell(mask_phone(m.phone or '') or '—')}</td><td>{_cell(m.union.name)}</td>"
            f"<td>{_cell(m.enterprise.name if m.enterprise_id else '') or '—'}</td>\n"
            f"      <td>{_day(m.joined_on) or '—'}</td><td>{_cell(statuses.get(m.membership_status, m.membership_status))}"
            "</td>\n    </tr>\n")
    return mark_safe("".join(out))


@register.simple_tag
def enterprise_rows(rows):
    """The enterprise list's rows (directory/enterprise_list.html), built here for the same reason as
    member_rows, with the same markup the template made."""
    rows, (categories, statuses) = _rows_and_labels(rows, "unit_category", "status")
    if not rows:
        return ""
    out = []
    for e in rows:
        muted = ' class="text-muted"' if e.archived_at else ""
        badge = ' <span class="badge text-bg-secondary">已归档</span>' if e.archived_at else ""
        status = _cell(statuses.get(e.status, e.status))
        if e.status != "operating":
            status = f'<span class="badge text-bg-warning">{status}</span>'
        if e.union_id:
            union = (f'<a href="{_cell(reverse_kept("directory:union_detail", args=(e.union_id,)))}">'
                     f"{_cell(e.union.name)}</a>")
        else:
            union = '<span class="text-danger">未建会</span>'
        out.append(
            f"<tr{muted}>\n"
            f'      <td><a href="{_cell(reverse_kept("directory:enterprise_detail", args=(e.pk,)))}">{_cell(e.name)}</a>'
            f"{badge}</td>\n"
            f"      <td><code>{_cell(e.uscc)}</code></td><td>{_cell(e.node.name)}</td>"
            f"<td>{_cell(categories.get(e.unit_category, e.unit_category))}</td>\n"
            f'      <td class="text-end">{_cell(e.employees)}</td>\n'
            f"      <td>{status}</td>\n"
            f"      <td>{union}</td>\n    </tr>\n")
    return mark_safe("".join(out))


@register.simple_tag
def membership_rows(rows):
    """A union page's last 100 membership changes (directory/union_detail.html), built here for the same
    reason as member_rows (100 rows were 3.5 ms of the page in the template engine); the same markup."""
    rows, (starts, ends) = _rows_and_labels(rows, "start_event", "end_event")
    if not rows:
        return ""
    out = []
    for ms in rows:
        out.append(
            f'<tr><td><a href="{_cell(reverse_kept("directory:member_detail", args=(ms.member_id,)))}">'
            f"{_cell(ms.member.name)}</a></td><td>{_day(ms.started_on)}</td>"
            f"<td>{_cell(starts.get(ms.start_event, ms.start_event))}</td><td>{_day(ms.ended_on) or '—'}</td>"
            f"<td>{_cell(ends.get(ms.end_event, ms.end_event) or '')}</td><td>{_cell(ms.note)}</td></tr>\n")
    return mark_safe("".join(out))


@register.simple_tag
def record_rows(kind, rows):
    """A work record kind's list rows (records/list.html), built here for the same reason as member_rows:
    each cell is apply(column, row) shown as the template showed it (localized, escaped unless safe), the
    first one a link to the record with its badges."""
    rows = list(rows)
    if not rows:
        return ""
    columns = kind.columns
    view = f"{kind.app}:{kind.slug}_detail"
    out = []
    for row in rows:
        archived = getattr(row, "archived_at", None)
        cells = []
        for i, col in enumerate(columns):
            text = _cell(apply(col, row))
            if i == 0:
                badges = "".join(f'<span class="badge {_cell(css)}">{_cell(label)}</span>'
                                 for css, label in badges_of(kind, row))
                if archived:
                    badges += ' <span class="badge text-bg-secondary">已归档</span>'
                cells.append(f'<td><a href="{_cell(reverse_kept(view, args=(row.pk,)))}">{text}</a>\n        {badges}\n      </td>')
            else:
                cells.append(f"<td>{text}</td>")
        muted = ' class="text-muted"' if archived else ""
        out.append(f"<tr{muted}>\n      {''.join(cells)}\n    </tr>\n")
    return mark_safe("".join(out))


def _cell(value) -> str:
    """A value as {{ value }} renders it: localized when not text, escaped unless marked safe."""
    if value.__class__ is not str:
        if hasattr(value, "__html__"):
            return value.__html__()
        value = localize(value)
    return html.escape(str(value))


def _day(value):
    """A date as {{ value|date:"Y-m-d" }} shows it, "" for none."""
    return _FAST_DATES["Y-m-d"](value) if value else ""
