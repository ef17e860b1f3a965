"""The security audit trail page: administrators of a node see its events and those below it."""

import datetime

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone

from unionwork.accounts.choices import Perm

from .exports import Column
from .filters import KeptFormFilterSet, _scope_nodes
from .listing import list_response
from .models import AuditAction, AuditEvent
from .scope import ensure_perm, path_prefix_q, scoped


def audit_events_for(user):
    """The events the user may read: the VIEW_AUDIT permission, then the scope (本级及以下)."""
    ensure_perm(user, Perm.VIEW_AUDIT)
    return scoped(user, AuditEvent).select_related("node")


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data


def _day_start(day: datetime.date) -> datetime.datetime:
    # Days are Shanghai days; a range on the stored instant keeps the index on created_at usable.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilter(KeptFormFilterSet):
    date_from = df.DateFilter(label="起始日期", method="filter_from",
                              error_messages={"invalid": "请输入正确的日期，如 2026-01-31"})
    date_to = df.DateFilter(label="截止日期", method="filter_to",
                            error_messages={"invalid": "请输入正确的日期，如 2026-01-31"})
    user = df.CharFilter(label="用户名", method="filter_user")
    action = df.ChoiceFilter(label="操作", choices=AuditAction.choices, empty_label="全部操作")
    node = df.ModelChoiceFilter(label="组织", queryset=_scope_nodes, method="filter_node")
    q = df.CharFilter(label="内容", method="filter_q")

    class Meta:
        model = AuditEvent
        fields = []
        form = AuditFilterForm

    def node_options(self):
        from unionwork.org.selectors import area_options

        return area_options(self.request.user)

    def filter_from(self, qs, name, value):
        return qs.filter(created_at__gte=_day_start(value))

    def filter_to(self, qs, name, value):
        return qs.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_user(self, qs, name, value):
        value = value.strip()
        return qs.filter(username__iexact=value) if value else qs

    def filter_node(self, qs, name, value):
        return qs.filter(path_prefix_q("node__path", value.path))

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value) | Q(username__icontains=value)
                         | Q(ip__startswith=value))


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S")


AUDIT_COLUMNS = [
    Column("时间", lambda e: _local(e.created_at), width=20),
    Column("用户名", lambda e: e.username, width=14),
    Column("地址", lambda e: e.ip or "", width=16),
    Column("操作", lambda e: e.get_action_display(), width=14),
    Column("对象", lambda e: e.object_repr, width=30),
    Column("组织", lambda e: e.node.display_name if e.node_id else "", width=20),
    Column("说明", lambda e: e.detail, width=60),
]


def audit_list(request):
    return list_response(request, queryset=audit_events_for(request.user), filterset_class=AuditEventFilter,
                         template="core/audit_list.html", columns=AUDIT_COLUMNS, export_name="安全审计日志")
