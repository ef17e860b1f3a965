"""Writes on accounts: management by an administrator (scoped), own password, second factor (TOTP)."""

import secrets
import time

import pyotp
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from unionwork.core import audit
from unionwork.core.models import ChangeAction
from unionwork.core.scope import ensure_node_in_scope, ensure_perm, node_in_scope

from .choices import ROLE_PERMS, Perm, Role
from .models import User

TOTP_ISSUER = "工会工作平台"


# ---------------------------------------------------------------- the TOTP secret (one place to read/write it)


def get_totp_secret(user) -> str:
    """The user's TOTP secret ("" when not enrolled). The only read of User.totp_secret."""
    return user.totp_secret or ""


def set_totp_secret(user, secret: str) -> None:
    """Store (or with "" remove) the TOTP secret. The only write of User.totp_secret."""
    user.totp_secret = secret or ""
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_last_step"])


# ---------------------------------------------------------------- TOTP


def totp_enabled(user) -> bool:
    return bool(get_totp_secret(user))


# The nodes that require the second factor, read at most every TOTP_NODES_TTL seconds per process:
# every page asks (AccountStepsMiddleware), the answer changes when an administrator says so. The
# process that makes the change forgets at once; other workers follow within the TTL.
TOTP_NODES_TTL = 10.0
_totp_nodes: list = [float("-inf"), frozenset()]


def _nodes_requiring_totp() -> frozenset:
    from unionwork.org.models import Node

    read_at, ids = _totp_nodes
    if time.monotonic() - read_at > TOTP_NODES_TTL:
        ids = frozenset(Node.objects.filter(require_totp=True).values_list("pk", flat=True))
        _totp_nodes[:] = [time.monotonic(), ids]
    return ids


def forget_totp_nodes() -> None:
    _totp_nodes[0] = float("-inf")


def totp_required(user) -> bool:
    """Whether the user's node, or a node above it, requires the second factor."""
    if user.node_id is None:
        return False
    required = _nodes_requiring_totp()
    return bool(required) and not required.isdisjoint(user.node.ancestor_ids())


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, last_step=None) -> int | None:
    """The time step (now ±1, for clock drift) whose code equals `code`, not one already used."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time()
    for offset in (0, -1, 1):
        step = totp.timecode(now + offset * totp.interval)
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp_code(secret: str, code: str) -> bool:
    """A code for a secret being enrolled (not yet stored)."""
    return _matching_step(secret, code) is not None


@transaction.atomic
def verify_totp(user, code: str) -> bool:
    """Check a code against the user's stored secret; a code is accepted once only (no replay)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    secret = get_totp_secret(user)
    if not secret:
        return False
    step = _matching_step(secret, code, user.totp_last_step)
    if step is None:
        return False
    User.objects.filter(pk=user.pk).update(totp_last_step=step)
    return True


@transaction.atomic
def enrol_totp(user, secret: str, code: str) -> None:
    if not check_totp_code(secret, code):
        raise ValidationError({"code": "验证码不正确，请核对手机上显示的 6 位数字（注意时间是否准确）后重试。"})
    set_totp_secret(user, secret)
    user.totp_last_step = _matching_step(secret, code)
    user.save(update_fields=["totp_last_step"])
    audit.record(user, user, ChangeAction.UPDATE, message="启用两步验证")


@transaction.atomic
def disable_own_totp(user, code: str) -> None:
    if totp_required(user):
        raise ValidationError("您所在的组织要求使用两步验证，不能停用。")
    if not verify_totp(user, code):
        raise ValidationError({"code": "验证码不正确，未停用两步验证。"})
    set_totp_secret(user, "")
    audit.record(user, user, ChangeAction.UPDATE, message="停用两步验证")


# ---------------------------------------------------------------- passwords


def generate_password(length: int = 14) -> str:
    """A random password that passes the rules: every kind of character, no look-alikes (0/O, 1/l/I)."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnpqrstuvwxyz"
    digits = "23456789"
    symbols = "!@#$%^&*-_+=?"
    alphabet = upper + lower + digits + symbols
    while True:
        chars = [secrets.choice(s) for s in (upper, lower, digits, symbols)]
        chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password)
        except ValidationError:
            continue
        return password


@transaction.atomic
def change_own_password(user, new_password: str) -> None:
    """The user chose their own password (validated by the form): the forced change is done."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(user, user, ChangeAction.UPDATE, message="修改本人密码")


# ---------------------------------------------------------------- account management (scoped)


def roles_assignable_by(manager) -> list[tuple[str, str]]:
    """Roles a manager may give: none with a permission the manager does not have."""
    if manager.is_superuser:
        return list(Role.choices)
    own = ROLE_PERMS.get(manager.role, frozenset())
    return [(value, label) for value, label in Role.choices if ROLE_PERMS[value] <= own]


def ensure_can_manage(manager, target=None):
    """MANAGE_USERS, and the account (if any) on a node in the manager's scope."""
    ensure_perm(manager, Perm.MANAGE_USERS)
    if target is not None:
        if target.is_superuser and not manager.is_superuser:
            raise PermissionDenied("不能管理系统运维账号")
        if not manager.is_superuser and not node_in_scope(manager, target.node):
            raise PermissionDenied(f"账号「{target.username}」不在您的管辖范围内")


def _check_role(manager, role):
    if role not in dict(roles_assignable_by(manager)):
        raise ValidationError({"role": "您不能授予这个角色"})


def _set_chosen_or_generated(user, password: str | None) -> str:
    if password:
        validate_password(password, user)
    else:
        password = generate_password()
    user.set_password(password)
    return password


@transaction.atomic
def create_account(manager, *, username: str, display_name: str, role: str, node, password: str | None = None,
                   source: str = "web") -> tuple[User, str]:
    """A new account in the manager's scope; returns it and its initial password (to show once).

    The user must change the password at first login. Without `password` one is generated.
    """
    if manager is not None:
        ensure_can_manage(manager)
        ensure_node_in_scope(manager, node)
        _check_role(manager, role)
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名「{username}」已被使用"})
    user = User(username=username, display_name=(display_name or "").strip(), role=role, node=node,
                must_change_password=True)
    user.full_clean(exclude=["password"])
    try:
        password = _set_chosen_or_generated(user, password)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.save()
    audit.record_created(user, manager, source=source, message="新建账号")
    return user, password


@transaction.atomic
def reset_password(manager, target, password: str | None = None) -> str:
    """A new password chosen by an administrator: the user must change it at next login."""
    ensure_can_manage(manager, target)
    try:
        password = _set_chosen_or_generated(target, password)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    audit.record(target, manager, ChangeAction.UPDATE, message="管理员重置密码")
    return password


@transaction.atomic
def set_active(manager, target, active: bool) -> None:
    ensure_can_manage(manager, target)
    if target.pk == manager.pk and not active:
        raise ValidationError("不能停用自己的账号")
    if target.is_active == active:
        return
    target.is_active = active
    target.save(update_fields=["is_active"])
    audit.record(target, manager, ChangeAction.STATUS, {
        "is_active": {"label": "有效", "old": "否" if active else "是", "new": "是" if active else "否"}},
        message="启用账号" if active else "停用账号")


@transaction.atomic
def reset_totp(manager, target) -> None:
    """For a user who lost their phone: they enrol again (at next login if their node requires it)."""
    ensure_can_manage(manager, target)
    set_totp_secret(target, "")
    audit.record(target, manager, ChangeAction.UPDATE, message="管理员重置两步验证")


def lockout_cutoff():
    return timezone.now() - (
        settings.AXES_COOLOFF_TIME if hasattr(settings.AXES_COOLOFF_TIME, "total_seconds")
        else timezone.timedelta(hours=settings.AXES_COOLOFF_TIME))


def locked_usernames(usernames=None) -> set[str]:
    """Accounts locked out now (by failed attempts for the username alone); all of them, or of these."""
    from django.db.models import Sum

    rows = AccessAttempt.objects.filter(attempt_time__gte=lockout_cutoff(), username__isnull=False)
    if usernames is not None:
        rows = rows.filter(username__in=list(usernames))
    rows = rows.values("username").annotate(n=Sum("failures_since_start")).order_by()
    return {r["username"] for r in rows if r["n"] >= settings.AXES_FAILURE_LIMIT}


@transaction.atomic
def unlock(manager, target) -> int:
    """Clear the failed attempts recorded for that account (from every address)."""
    ensure_can_manage(manager, target)
    count = AxesProxyHandler.reset_attempts(username=target.username)
    audit.record(target, manager, ChangeAction.STATUS, message="解除登录锁定")
    return count


@transaction.atomic
def set_node_totp_requirement(manager, node, required: bool) -> None:
    """A node administrator requires (or not) the second factor for the node and everything below."""
    ensure_can_manage(manager)
    ensure_node_in_scope(manager, node)
    if node.require_totp == required:
        return
    node.require_totp = required
    node.save(update_fields=["require_totp"])
    forget_totp_nodes()
    audit.record(node, manager, ChangeAction.UPDATE, {"require_totp": {
        "label": "本组织及下级账号须使用两步验证", "old": "否" if required else "是", "new": "是" if required else "否"}})
