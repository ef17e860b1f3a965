import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import ROLE_PERMS, Role


class User(AbstractUser):
    """A cadre: attached to one node of the tree, with one role."""

    node = models.ForeignKey(
        "org.Node", verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.VIEWER)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    # Set when the system or an administrator chose the password: the user must pick their own.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # Read and written only through accounts.services.get_totp_secret / set_totp_secret.
    totp_secret = models.CharField("两步验证密钥", max_length=255, blank=True, editable=False)
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)

    SCOPE_NODE_FIELD = "node"
    # What the change history keeps of an account: never the password hash or the TOTP secret.
    AUDIT_FIELDS = ["username", "display_name", "role", "node", "is_active", "must_change_password"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def totp_enrolled(self) -> bool:
        from .services import totp_enabled

        return totp_enabled(self)

    def has_role_perm(self, perm: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return perm in ROLE_PERMS.get(self.role, frozenset())


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        key = "uw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash_key(key))
        return token, key
