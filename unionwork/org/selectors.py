from django.db.models import Count, Q

from unionwork.core.scope import get_scoped, home_field, nodes_in_scope, path_prefix_q, scoped

from .choices import NodeKind
from .models import Node


def nodes_for(user, kinds=None, include_archived=False):
    qs = scoped(user, Node)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def get_node(user, pk) -> Node:
    return get_scoped(user, Node, pk=pk)


def subtree(node: Node):
    return Node.objects.filter(path_prefix_q("path", node.path))


def communities_for(user):
    return nodes_for(user, kinds=[NodeKind.COMMUNITY]).select_related("parent")


def breadcrumbs(user, node: Node) -> list[Node]:
    """Ancestors of node that the user may see, root first."""
    ids = node.ancestor_ids()
    visible = {n.pk: n for n in nodes_in_scope(user).filter(pk__in=ids)}
    return [visible[i] for i in ids if i in visible]


def children_with_counts(user, node: Node):
    """Direct children of a node with counts of what lies below each, in a fixed number of queries."""
    from unionwork.directory.models import Enterprise, Member, Union

    # select_related("union"): the list links each union child to its file (no query per row).
    children = list(nodes_for(user).filter(parent=node).select_related("union").order_by("kind", "code"))
    if not children:
        return []
    # One grouped query per entity: rows are attributed to the child whose path prefixes theirs.
    by_path = {c.path: c for c in children}
    for child in children:
        child.n_enterprises = child.n_unions = child.n_members = 0

    def attribute(model, attr, extra=None):
        field = home_field(model)
        rows = (
            model.objects.filter(extra or Q(), archived_at__isnull=True)
            .filter(**{f"{field}__in": subtree(node).exclude(pk=node.pk).values("id")})
            .values(f"{field}__path")
            .annotate(n=Count("id"))
        )
        for row in rows:
            path = row[f"{field}__path"]
            prefix = "/".join(path.strip("/").split("/")[: node.depth + 2]) + "/"
            child = by_path.get(prefix)
            if child is not None:
                setattr(child, attr, getattr(child, attr) + row["n"])

    attribute(Enterprise, "n_enterprises")
    attribute(Union, "n_unions")
    attribute(Member, "n_members", Q(membership_status="active"))
    return children


def count_below(node: Node):
    from unionwork.directory.models import Enterprise, Member, Union

    ids = subtree(node).values("id")
    return {
        "enterprises": Enterprise.objects.filter(node__in=ids, archived_at__isnull=True).count(),
        "unions": Union.objects.filter(node__in=ids, archived_at__isnull=True).count(),
        "members": Member.objects.filter(node__in=ids, archived_at__isnull=True, membership_status="active").count(),
    }
