from unionwork.accounts.choices import Perm


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "scope_node": user.node,
        "can": {p: user.has_role_perm(p) for p in Perm.values},
    }
