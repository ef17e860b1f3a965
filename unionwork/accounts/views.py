import time

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from unionwork.core.forms import apply_service_errors
from unionwork.core.listing import list_response
from unionwork.org.selectors import get_node, nodes_for

from . import selectors, services
from .filters import UserFilter
from .forms import AccountCreateForm, PasswordChangeForm, PasswordResetForm, TotpCodeForm
from .models import ApiToken, User

PENDING = "uw_pending_2fa"
PENDING_SECONDS = 300
ENROL = "uw_totp_enrol"


# ---------------------------------------------------------------- login in two steps


class LoginView(auth_views.LoginView):
    """Password first; a user with a second factor is signed in only after the code (login_otp)."""

    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if not services.totp_enabled(user):
            return super().form_valid(form)
        # Password right, code still due: no session for the user yet, so user_logged_in is not sent.
        self.request.session[PENDING] = {"uid": user.pk, "backend": user.backend, "at": time.time(),
                                         "next": self.get_redirect_url()}
        return redirect("login_otp")


login_view = login_not_required(LoginView.as_view())


@login_not_required
def login_otp(request):
    pending = request.session.get(PENDING)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        messages.error(request, "登录已超时，请重新输入用户名和密码。")
        return redirect("login")
    credentials = {"username": user.username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING, None)
        return get_lockout_response(request, None, credentials)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_totp(user, form.cleaned_data["code"]):
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            return redirect(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
        # A wrong code is a failed login: axes counts it (5, then locked) and the audit log sees it.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return get_lockout_response(request, None, credentials)
        form.add_error("code", "验证码不正确或已使用过，请输入手机验证器上当前显示的 6 位数字。")
    return render(request, "accounts/login_otp.html", {"form": form, "pending_user": user})


# ---------------------------------------------------------------- own account


def profile(request):
    new_key = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, "请填写令牌用途")
        else:
            _, new_key = ApiToken.issue(request.user, name)
    tokens = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/profile.html", {
        "tokens": tokens, "new_key": new_key, "totp_on": services.totp_enabled(request.user),
        "totp_required": services.totp_required(request.user),
    })


@require_POST
def revoke_token(request, pk):
    # Someone else's token (or one already revoked) does not exist for this user.
    token = get_object_or_404(request.user.api_tokens, pk=pk, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, "令牌已作废")
    return redirect("accounts:profile")


def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {
        "form": form, "forced": request.user.must_change_password,
    })


def totp(request):
    """Enrol a second factor (scan, then confirm a code), or turn it off where the node allows."""
    user = request.user
    enabled = services.totp_enabled(user)
    form = TotpCodeForm(request.POST or None)
    if enabled:
        if request.method == "POST" and form.is_valid():
            try:
                services.disable_own_totp(user, form.cleaned_data["code"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "已停用两步验证。")
                return redirect("accounts:profile")
        return render(request, "accounts/totp.html", {"form": form, "enabled": True,
                                                      "required": services.totp_required(user)})
    secret = request.session.get(ENROL) or services.new_totp_secret()
    request.session[ENROL] = secret
    if request.method == "POST" and form.is_valid():
        try:
            services.enrol_totp(user, secret, form.cleaned_data["code"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            request.session.pop(ENROL, None)
            messages.success(request, "两步验证已启用：今后登录时需输入手机验证器上的 6 位验证码。")
            return redirect("accounts:profile")
    uri = services.totp_uri(user, secret)
    return render(request, "accounts/totp.html", {
        "form": form, "enabled": False, "required": services.totp_required(user),
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=5, title="两步验证二维码"),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })


# ---------------------------------------------------------------- account management (MANAGE_USERS, scoped)


def user_list(request):
    return list_response(request, queryset=selectors.users_for(request.user), filterset_class=UserFilter,
                         template="accounts/user_list.html", extra={"locked": services.locked_usernames()})


def user_create(request):
    services.ensure_can_manage(request.user)
    form = AccountCreateForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, password = services.create_account(
                request.user, username=data["username"], display_name=data["display_name"], role=data["role"],
                node=data["node"], password=form.chosen_password())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _password_shown(request, account, password, "账号已创建")
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建账号"})


def _password_shown(request, account, password, title):
    # Rendered, not redirected: the password is never in a URL or kept in the session.
    response = render(request, "accounts/password_shown.html", {"account": account, "password": password,
                                                                "title": title})
    response["Cache-Control"] = "no-store"
    return response


def user_detail(request, pk):
    account = selectors.get_user_for(request.user, pk)
    return render(request, "accounts/user_detail.html", {
        "account": account, "locked": bool(services.locked_usernames([account.username])),
        "reset_form": PasswordResetForm(), "totp_required": services.totp_required(account),
    })


def user_reset_password(request, pk):
    account = selectors.get_user_for(request.user, pk)
    services.ensure_can_manage(request.user, account)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.reset_password(request.user, account, form.chosen_password())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _password_shown(request, account, password, "密码已重置")
    return render(request, "accounts/user_form.html", {"form": form, "title": f"重置「{account}」的密码",
                                                       "account": account})


def _action(request, pk, do, done):
    account = selectors.get_user_for(request.user, pk)
    try:
        do(request.user, account)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done.format(account=account))
    return redirect("accounts:user_detail", account.pk)


@require_POST
def user_deactivate(request, pk):
    return _action(request, pk, lambda m, a: services.set_active(m, a, False), "账号「{account}」已停用")


@require_POST
def user_activate(request, pk):
    return _action(request, pk, lambda m, a: services.set_active(m, a, True), "账号「{account}」已启用")


@require_POST
def user_unlock(request, pk):
    return _action(request, pk, services.unlock, "账号「{account}」已解除锁定，可以重新登录")


@require_POST
def user_reset_totp(request, pk):
    return _action(request, pk, services.reset_totp, "已清除「{account}」的两步验证，需重新绑定")


def totp_policy(request):
    """Which organisations require the second factor: each area in scope, set here or inherited."""
    services.ensure_can_manage(request.user)
    nodes = list(nodes_for(request.user, kinds=["district", "street", "community"]))
    nodes += [n for n in nodes_for(request.user).filter(require_totp=True).exclude(
        kind__in=["district", "street", "community"])]
    nodes.sort(key=lambda n: n.path)
    # Requirements set above the manager's node also bind their nodes (shown, not changeable here).
    above = {}
    if request.user.node_id:
        from unionwork.org.models import Node

        above = {n.pk: n for n in Node.objects.filter(pk__in=request.user.node.ancestor_ids(), require_totp=True)}
    requiring = {n.pk: n for n in nodes if n.require_totp} | above
    rows = []
    for n in nodes:
        by = next((requiring[i] for i in n.ancestor_ids() if i in requiring and i != n.pk), None)
        rows.append({"node": n, "inherited_from": by})
    return render(request, "accounts/totp_policy.html", {"rows": rows})


@require_POST
def node_totp(request, pk):
    node = get_node(request.user, pk)
    required = request.POST.get("required") == "1"
    services.set_node_totp_requirement(request.user, node, required)
    messages.success(request, f"「{node.display_name}」及下级账号" + ("今后须使用两步验证" if required else "不再统一要求两步验证"))
    return redirect(reverse("accounts:totp_policy"))
