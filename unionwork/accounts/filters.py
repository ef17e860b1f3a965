import django_filters as df
from django.db.models import Q

from unionwork.core.filters import KeptFormFilterSet, _scope_nodes
from unionwork.core.scope import path_prefix_q
from unionwork.org.selectors import area_options

from .choices import Role
from .services import locked_usernames

STATUS_CHOICES = [("active", "在用"), ("inactive", "已停用"), ("locked", "已锁定"), ("must_change", "待修改初始密码")]


class UserFilter(KeptFormFilterSet):
    q = df.CharFilter(label="搜索", method="filter_q")
    node = df.ModelChoiceFilter(label="组织", queryset=_scope_nodes, method="filter_node")
    role = df.ChoiceFilter(label="角色", choices=Role.choices, empty_label="全部角色")
    status = df.ChoiceFilter(label="状态", choices=STATUS_CHOICES, empty_label="全部状态", method="filter_status")

    hidden_fields = ()

    def node_options(self):
        return area_options(self.request.user)

    def filter_q(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(username__icontains=value) | Q(display_name__icontains=value)) if value else qs

    def filter_node(self, qs, name, value):
        return qs.filter(path_prefix_q("node__path", value.path))

    def filter_status(self, qs, name, value):
        if value == "active":
            return qs.filter(is_active=True)
        if value == "inactive":
            return qs.filter(is_active=False)
        if value == "locked":
            return qs.filter(username__in=locked_usernames())
        if value == "must_change":
            return qs.filter(must_change_password=True)
        return qs
