from django.shortcuts import render

from unionwork.core.scope import nodes_in_scope

from . import selectors


def home(request):
    node = request.user.node
    context = {"node": node}
    if node is not None:
        context["counts"] = selectors.count_below(node)
        context["children"] = selectors.children_with_counts(request.user, node)
    return render(request, "org/home.html", context)


def tree(request, pk=None):
    """The hierarchy navigator: 区 → 街道 → 社区 → 基层工会, one level at a time."""
    if pk is None:
        node = request.user.node
        if node is None:
            node = nodes_in_scope(request.user).filter(parent__isnull=True).first()
    else:
        node = selectors.get_node(request.user, pk)
    if node is None:
        return render(request, "org/tree.html", {"node": None})
    return render(request, "org/tree.html", {
        "node": node,
        "crumbs": selectors.breadcrumbs(request.user, node),
        "children": selectors.children_with_counts(request.user, node),
        "counts": selectors.count_below(node),
    })
