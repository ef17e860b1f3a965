from collections import defaultdict

from django.db.models import Count, Q

from unionwork.core import memo
from unionwork.core.scope import get_scoped, nodes_in_scope, path_prefix_q, scope_path, scoped

from .choices import NodeKind
from .models import Node


def nodes_for(user, kinds=None, include_archived=False):
    qs = scoped(user, Node)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


AREA_KINDS = (NodeKind.DISTRICT, NodeKind.STREET, NodeKind.COMMUNITY)
_AREAS = memo.VersionedMemo(keep=512)


def area_options(user) -> list[tuple[int, str, str]]:
    """(pk, name, kind) of the live districts, streets and communities in the user's scope, in tree order: the
    filter bars' area select on every list page (a district's ~300). Kept per scope until a node changes."""
    path = scope_path(user)
    if path is None:
        return []

    def compute(stale):
        rows = nodes_for(user, kinds=AREA_KINDS).values_list("pk", "union_name", "name", "kind")
        return {"areas": [(pk, union_name or name, kind) for pk, union_name, name, kind in rows]}

    return _AREAS.get(path, {"areas": memo.content_types([Node])}, compute)["areas"]


def forget_areas():
    _AREAS.clear()


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
    """Direct children of a node with counts of what lies below each (from the tree's memo)."""
    return _with_counts(list(_children(user, node).order_by("kind", "code")), _tree_counts(node))


def largest_children(user, node: Node, n: int) -> tuple[list, int]:
    """All children in the tree's order when there are at most n, else the n with the most members;
    and how many there are. Only those n are read whole (a community has hundreds of unions)."""
    counts = _tree_counts(node)
    children = _children(user, node)
    keys = list(children.order_by("kind", "code").values_list("pk", flat=True))
    top = keys if len(keys) <= n else sorted(keys, key=lambda pk: -counts["members"].get(pk, 0))[:n]
    rows = {c.pk: c for c in children.filter(pk__in=top)}
    return _with_counts([rows[pk] for pk in top if pk in rows], counts), len(keys)


def _children(user, node: Node):
    # select_related("union"): the list links each union child to its file (no query per row).
    return nodes_for(user).filter(parent=node).select_related("union")


def _with_counts(children, counts):
    for child in children:
        child.n_enterprises = counts["enterprises"].get(child.pk, 0)
        child.n_unions = counts["unions"].get(child.pk, 0)
        child.n_members = counts["members"].get(child.pk, 0)
    return children


def count_below(node: Node):
    counts = _tree_counts(node)
    return {part: counts[part].get(node.pk, 0) for part in ("enterprises", "unions", "members")}


_COUNTS = memo.VersionedMemo(keep=4)


def _count_parts():
    from unionwork.directory.models import Enterprise, Member, Union

    return {"enterprises": (Enterprise, Q()), "unions": (Union, Q()),
            "members": (Member, Q(membership_status="active"))}


def _tree_counts(node: Node) -> dict:
    """{part: {node id: live records at or below that node}} for the whole tree that holds node: three
    grouped queries, rolled up along the paths, kept until an enterprise, union, member or node changes.
    The home page and the tree showed these counted afresh over the subtree on every visit."""
    root = node.ancestor_ids()[0]
    parts = _count_parts()

    def compute(stale):
        paths = dict(Node.objects.filter(path_prefix_q("path", Node.objects.get(pk=root).path))
                     .values_list("pk", "path"))
        out = {}
        for part in stale:
            model, extra = parts[part]
            rows = (model.objects.filter(extra, archived_at__isnull=True, node__in=list(paths)).order_by()
                    .values("node").annotate(n=Count("id")).values_list("node", "n"))
            totals = defaultdict(int)
            for node_id, n in rows:
                for ancestor in paths[node_id].strip("/").split("/"):
                    totals[int(ancestor)] += n
            out[part] = dict(totals)
        return out

    deps = {part: memo.content_types([model, Node]) for part, (model, _) in parts.items()}
    return _COUNTS.get(root, deps, compute)
