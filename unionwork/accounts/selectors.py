"""Reads on accounts: the accounts an administrator may see (through the scope choke point)."""

from unionwork.core.scope import ensure_perm, get_scoped, scoped

from .choices import Perm
from .models import User


def users_for(manager):
    """Accounts on the manager's node and below (operators' accounts only for operators)."""
    ensure_perm(manager, Perm.MANAGE_USERS)
    qs = scoped(manager, User).select_related("node")
    if not manager.is_superuser:
        qs = qs.filter(is_superuser=False)
    return qs.order_by("node__path", "username")


def get_user_for(manager, pk) -> User:
    """One account the manager may manage, or 404."""
    return get_scoped(manager, users_for(manager), pk=pk)
