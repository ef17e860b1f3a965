from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


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
