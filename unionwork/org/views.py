from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from unionwork.accounts.choices import Perm
from unionwork.core.forms import apply_service_errors
from unionwork.core.scope import ensure_perm, nodes_in_scope

from . import selectors
from .forms import NodeForm
from .services import create_node

HOME_CHILDREN = 20  # a community has hundreds of unions: the home page shows the largest, the tree all


def home(request):
    node = request.user.node
    context = {"node": node}
    if node is not None:
        context["counts"] = selectors.count_below(node)
        context["children"], context["children_total"] = selectors.largest_children(request.user, node,
                                                                                    HOME_CHILDREN)
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


def node_create(request, pk):
    """A new street, community or union group under a node (unions are founded by 建会)."""
    parent = selectors.get_node(request.user, pk)
    ensure_perm(request.user, Perm.CREATE)
    form = NodeForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            node = create_node(request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已新建{node.get_kind_display()}「{node.display_name}」")
            return redirect("org:node", node.pk)
    return render(request, "directory/form.html", {
        "form": form, "title": f"在「{parent.display_name}」下新建组织", "cancel": reverse("org:node", args=[parent.pk]),
    })
