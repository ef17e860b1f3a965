"""The data-scope choke point: every read and write of scoped rows goes through here.

A user sees and changes only their own node and what lies below it ("本级及以下").
Anything that cannot be placed in the tree is denied.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND
from django.http import Http404

from unionwork.accounts.choices import Perm, Role


def path_prefix_q(field: str, prefix: str) -> Q:
    """Indexed "path starts with prefix" on both databases.

    SQLite's LIKE is case-insensitive and skips the index, so a range is used there (paths are
    digits and "/", all below "~" in SQLite's binary collation). PostgreSQL compares with the
    database collation, where only LIKE on the varchar_pattern_ops index Django creates is safe.
    """
    if not prefix:
        return Q()
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "~"})


def scope_path(user) -> str | None:
    """The path prefix the user may see; "" for operators (superusers without a node); None: nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.node_id:
        node = user.node
        return None if node.archived_at else node.path
    if user.is_superuser:
        return ""
    return None


def nodes_in_scope(user) -> QuerySet:
    from unionwork.org.models import Node

    path = scope_path(user)
    if path is None:
        return Node.objects.none()
    return Node.objects.filter(path_prefix_q("path", path))


# {(model, database, path): the model's rows of that scope, never evaluated}. Building the scope's filter
# (node lists as subqueries) took ~0.2 ms of every page, and the same few scopes are asked again and
# again; a clone of the kept queryset is a tenth of that. The SQL holds the path, not the nodes: a new or
# moved node is found by the subquery when it runs. Not for SHARED_DOWNWARD models, whose filter holds
# the user's ancestors' ids.
_SCOPED: dict = {}


def forget_scoped():
    _SCOPED.clear()


def scoped(user, qs_or_model) -> QuerySet:
    """Rows of a model (or queryset) that the user may see. Models declare SCOPE_NODE_FIELD."""
    path = scope_path(user)
    if isinstance(qs_or_model, QuerySet) or path is None or getattr(qs_or_model, "SHARED_DOWNWARD", False):
        return _scoped(user, qs_or_model, path)
    manager = qs_or_model._default_manager
    key = (qs_or_model, manager.db, path)
    kept = _SCOPED.get(key)
    if kept is None:
        if len(_SCOPED) > 4096:
            _SCOPED.clear()
        kept = _SCOPED[key] = _scoped(user, manager.all(), path)
    return kept.all()


def _scoped(user, qs_or_model, path) -> QuerySet:
    from unionwork.org.models import Node

    qs = qs_or_model if isinstance(qs_or_model, QuerySet) else qs_or_model._default_manager.all()
    if path is None:
        return qs.none()
    if qs.model is Node:
        return qs.filter(path_prefix_q("path", path))
    fields = scope_fields(qs.model)
    if path == "":
        return qs
    if _bound_to(qs.query.where, path):
        return qs  # already scoped to this path: a selector's rows passed to get_scoped, say
    ids = nodes_in_scope(user).values("id")
    ids.query.uw_scope_path = path  # found again by within(); a Query's attributes survive its clones
    narrow = path_depth(path) >= NARROW_DEPTH
    cond = Q()
    for field in fields:
        cond |= _in_nodes(qs.model, field, ids) if narrow else Q(**{f"{field}__in": ids})
    if getattr(qs.model, "SHARED_DOWNWARD", False) and user.node_id:
        # Set above, used below (a street's campaign, a district's 低保标准): readable from below,
        # still written only by the node that owns it.
        cond |= Q(**{f"{fields[0]}__in": user.node.ancestor_ids()})
    return qs.filter(cond)


def _bound_to(where, path: str) -> bool:
    """Whether every row the WHERE tree lets through is in the scope of path: one of its AND-ed conditions
    is (or all of an OR's are) "IN the nodes of path" as scoped() writes them. A second scoping of such a
    queryset added the same node lists again (a detail page's selector, then get_scoped: ~0.3 ms). A tree
    OR-ed with anything else, negated, or scoped to another path is not bound, and is scoped again."""
    if getattr(where, "negated", False):
        return False
    children = getattr(where, "children", None)
    if children is None:  # a lookup
        rhs = getattr(where, "rhs", None)
        return getattr(where, "lookup_name", None) == "in" and getattr(rhs, "uw_scope_path", None) == path
    if not children:
        return False
    if where.connector == "AND":
        return any(_bound_to(child, path) for child in children)
    if where.connector == "OR":
        return all(_bound_to(child, path) for child in children)
    return False


def within(qs: QuerySet, node) -> QuerySet | None:
    """qs (a scoped queryset) narrowed to node's subtree by adding node's path to the scope's own node list
    ("node IN (nodes of the scope and under node)"), or None when qs has no such list to narrow (then
    filter otherwise). Rows are only ever taken away. Next to a second node list, SQLite would seek by
    the first, the whole scope, and test the other row by row: a district cadre's members of one street
    8.7 → 4 ms to count."""
    qs = qs._chain()
    node_path = path_prefix_q("path", node.path)

    def narrow(where) -> bool:
        if where.negated or where.connector != "AND":
            return False
        for i, child in enumerate(where.children):
            rhs = getattr(child, "rhs", None)
            scope = getattr(rhs, "uw_scope_path", None)
            if scope is not None and getattr(child, "lookup_name", None) == "in":
                if not node.path.startswith(scope):
                    return False  # not under the scope: leave qs to the caller's filter (it finds nothing)
                inner = rhs.clone()
                inner.add_q(node_path)
                where.children[i] = type(child)(child.lhs, inner)
                return True
            if hasattr(child, "children") and narrow(child):
                return True
        return False

    where = qs.query.where
    if not narrow(where):
        return None
    return qs


# Scopes above a community (a district "1/", a street "1/4/") hold a large part of every table.
NARROW_DEPTH = 2


def path_depth(path: str) -> int:
    """0 for a district's path (and the operators' ""), 1 for a street, 2 for a community …"""
    return max(path.count("/") - 1, 0)


def _in_nodes(model, field: str, ids) -> Q:
    """field__in=ids, with a path through foreign keys ("union__node") as nested IN subqueries rather
    than joins, for narrow scopes: an OR over a joined table makes SQLite scan the whole table (10 ms
    for a community's 748 enterprises of 20,000), while IN lists keep each branch on its own index
    (1 ms). For a broad scope the one scan is cheaper than an index lookup per row (38 ms against
    10 ms for a whole district), and the join keeps the list's sort on its index."""
    first, _, rest = field.partition("__")
    if not rest:
        return Q(**{f"{field}__in": ids})
    related = model._meta.get_field(first).related_model
    return Q(**{f"{first}__in": related._base_manager.filter(_in_nodes(related, rest, ids)).values("pk")})


def scope_fields(model) -> tuple[str, ...]:
    """The node fields that place a row in the tree; the first is where the row lives.

    A further field lets a row be seen from a node below its home (an enterprise by the chair
    of the union that covers it); writes are always checked against the home node.
    """
    field = getattr(model, "SCOPE_NODE_FIELD", None)
    if not field:
        raise ImproperlyConfigured(f"{model.__name__} has no SCOPE_NODE_FIELD: it cannot be scoped")
    return field if isinstance(field, tuple) else (field,)


def _for_one_row(qs: QuerySet) -> QuerySet:
    """qs with each of the scope's node lists asked for the row's own node only: "node IN (the scope's nodes
    that are this row's node)". The same rows; but SQLite builds a whole list before it tests one row, and a
    district's is every node of the tree (1 ms each, two per detail page: the selector's scope and
    get_scoped's). Asked for the row's node it is one lookup by key (member detail 2.2 → 0.1 ms of SQL)."""
    from unionwork.org.models import Node

    qs = qs._chain()

    def correlate(where):
        for i, child in enumerate(where.children):
            rhs = getattr(child, "rhs", None)
            if getattr(rhs, "uw_scope_path", None) is not None and getattr(child, "lookup_name", None) == "in":
                inner = rhs.clone()
                inner.where.add(Exact(Col(inner.get_initial_alias(), Node._meta.pk), child.lhs), AND)
                where.children[i] = type(child)(child.lhs, inner)
            elif hasattr(child, "children"):
                correlate(child)

    correlate(qs.query.where)
    return qs


def home_field(model) -> str:
    return scope_fields(model)[0]


def get_scoped(user, qs_or_model, **lookup) -> Model:
    """One row the user may see, or 404 (a row outside the scope does not exist for them)."""
    qs = _for_one_row(scoped(user, qs_or_model))
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在或不在您的管辖范围内") from exc


def node_in_scope(user, node) -> bool:
    path = scope_path(user)
    return path is not None and node is not None and node.path.startswith(path) and not node.archived_at


def ensure_node_in_scope(user, node, what="该组织"):
    if not node_in_scope(user, node):
        name = getattr(node, "display_name", None) or what
        raise PermissionDenied(f"「{name}」不在您的管辖范围内，不能在此新建或移入记录")


def ensure_visible(user, obj, what="关联记录"):
    """A row referenced by a write (e.g. a member's employer) must be one the user can see."""
    if not scoped(user, type(obj)._default_manager.filter(pk=obj.pk)).exists():
        raise PermissionDenied(f"{what}「{obj}」不在您的管辖范围内")


def ensure_perm(user, perm: str):
    if user is None or not user.has_role_perm(perm):
        role = Role(user.role).label if user is not None and user.role in Role.values else "未知角色"
        raise PermissionDenied(f"您的角色（{role}）无权{Perm(perm).label}")


def ensure_can_write(user, perm: str, node):
    """Writes need both the role's permission and the node inside the user's scope."""
    ensure_perm(user, perm)
    ensure_node_in_scope(user, node)
