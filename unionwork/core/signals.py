"""Logins, logouts and failed logins in the audit trail, from Django's own auth signals."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def on_login(sender, request, user, **kwargs):
    with audit.request_context(request):
        audit.log_event("login", user=user)


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:  # a logout without a session logs nobody out
        return
    with audit.request_context(request):
        audit.log_event("logout", user=user)


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    # Placed at the account's node, so the administrators of that node see attempts on it.
    account = User.objects.filter(**{User.USERNAME_FIELD: tried}).select_related("node").first() if tried else None
    with audit.request_context(request):
        audit.log_event("login_failed", user=None, username=tried, node=account.node if account else None,
                        detail=f"尝试的用户名：{tried}" if tried else "未填写用户名",
                        data={"account_exists": account is not None})
