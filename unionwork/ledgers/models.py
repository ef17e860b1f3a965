from django.conf import settings
from django.db import models

from .choices import ImportMode, JobStatus


class ImportJob(models.Model):
    """One import of a ledger file: who, when, which file, what it found and what it changed."""

    SCOPE_NODE_FIELD = "node"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.PROTECT,
                             related_name="+")
    node = models.ForeignKey("org.Node", verbose_name="导入到", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=20)
    mode = models.CharField("方式", max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件SHA-256", max_length=64)
    file_path = models.CharField(max_length=500, blank=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    dry_run = models.BooleanField("仅检查", default=False)
    rows_total = models.PositiveIntegerField("数据行", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    rejected = models.PositiveIntegerField("退回", default=0)
    skipped = models.PositiveIntegerField("跳过（空行、合计行）", default=0)
    problems = models.JSONField("问题", default=list, blank=True)
    problem_count = models.PositiveIntegerField("问题数", default=0)
    notes = models.JSONField("提示", default=list, blank=True)
    rejected_path = models.CharField(max_length=500, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"导入#{self.pk} {self.kind_label} {self.file_name}"

    @property
    def kind_label(self):
        from .columns import import_kinds

        return import_kinds().get(self.kind, self.kind)

    @property
    def source(self):
        return f"import:{self.pk}"
