from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class ChangeAction(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    ARCHIVE = "archive", "归档"
    RESTORE = "restore", "恢复"
    TRANSFER = "transfer", "转会"
    STATUS = "status", "状态变更"
    FOUND_UNION = "found_union", "建会"


class ChangeLog(models.Model):
    """Who changed what, when, and through what (page, API, an import job…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    obj = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    action = models.CharField("操作", max_length=16, choices=ChangeAction.choices)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField("来源", max_length=64, default="web")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class RevealLog(models.Model):
    """Each time personal information is shown in full (page, export or API)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True)
    object_id = models.BigIntegerField(null=True)
    fields = models.CharField("字段", max_length=200)
    channel = models.CharField("途径", max_length=16, default="page")
    detail = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} 查看 {self.fields}"


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    ARCHIVE = "archive", "归档"
    RESTORE = "restore", "恢复"
    TRANSFER = "transfer", "转会"
    STATUS = "status", "状态变更"
    FOUND_UNION = "found_union", "建会"
    REVEAL = "reveal", "查看完整个人信息"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    DOCUMENT = "document", "生成文书"
    KEY_ROTATION = "key_rotation", "轮换加密密钥"


# Rows younger than this cannot be deleted at all; the database triggers hold the same number.
AUDIT_MIN_RETENTION_DAYS = 180


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event outside the retention command."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("安全审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("安全审计日志只能由 purge_audit 命令按保存期限清理，不能删除")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("安全审计日志只能追加，不能修改")

    def _purge(self):
        """The retention command's own path (the triggers still refuse rows younger than 180 days)."""
        return super().delete()


class AuditEvent(models.Model):
    """The security audit trail: who did what, when, from where. Append-only (see the triggers)."""

    SCOPE_NODE_FIELD = "node"

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    # No database constraint: an account may be removed, its events stay (with the name kept below).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField("地址", null=True, blank=True)
    action = models.CharField("操作", max_length=16, choices=AuditAction.choices, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    node = models.ForeignKey("org.Node", verbose_name="组织", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    detail = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("详细信息", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "安全审计日志"
        verbose_name_plural = "安全审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "-created_at"])]

    def __str__(self):
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M:%S} {self.username or '-'} " \
               f"{self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("安全审计日志只能追加，不能修改")
        # Always an INSERT: a preset pk must never turn this into an UPDATE of an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("安全审计日志只能由 purge_audit 命令按保存期限清理，不能删除")
