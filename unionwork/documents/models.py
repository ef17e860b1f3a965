from django.db import models

from unionwork.core.records import Record


class DocumentTemplate(Record):
    """A node's own Word layout for a kind of document; used for that node and everything below it."""

    SHARED_DOWNWARD = True  # a street's template serves its communities too
    AUDIT_FIELDS = ["kind", "name", "note"]

    kind = models.CharField("文书", max_length=16, choices=[("summary", "工作总结"), ("plan", "工作计划"),
                                                          ("personal", "个人工作总结")])
    name = models.CharField("模板名称", max_length=100)
    file = models.FileField("Word 模板（.docx）", upload_to="templates/%Y/")

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = "文书模板"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class DocumentJob(models.Model):
    """A document written in the background (large nodes): who asked, for what, and the file."""

    SCOPE_NODE_FIELD = "node"

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey("org.Node", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("文书", max_length=16, choices=[("summary", "工作总结"), ("plan", "工作计划"),
                                                          ("statistics", "年度统计")])
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, default="queued",
                              choices=[("queued", "排队中"), ("running", "生成中"), ("done", "已完成"), ("failed", "出错")])
    file_path = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "文书生成任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.node}"
