from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_can_write

from .choices import ALLOWED_CHILDREN, UNION_ORG_SUFFIX, NodeKind
from .models import Node


@transaction.atomic
def create_node(user, *, kind, name, code, parent=None, union_name="", source="web") -> Node:
    if parent is None:
        if not (user is None or user.is_superuser):
            raise PermissionDenied("只有系统运维人员可以新建顶级组织")
    else:
        if user is not None:
            ensure_can_write(user, Perm.CREATE, parent)
        if kind not in ALLOWED_CHILDREN[NodeKind(parent.kind)]:
            raise ValidationError(
                {"kind": f"「{parent.display_name}」（{parent.get_kind_display()}）下不能设立{NodeKind(kind).label}"}
            )
    if Node.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码“{code}”已被使用"})
    if not union_name and kind in UNION_ORG_SUFFIX:
        union_name = name + UNION_ORG_SUFFIX[NodeKind(kind)]
    node = Node(kind=kind, name=name, code=code, parent=parent, union_name=union_name,
                depth=(parent.depth + 1) if parent else 0, path=f"new-{code}")
    node.full_clean(exclude=["path"])
    node.save()
    node.path = (parent.path if parent else "") + f"{node.pk}/"
    node.save(update_fields=["path"])
    audit.record_created(node, user, source=source)  # also when set up by a command: figures kept per tree see it
    return node
