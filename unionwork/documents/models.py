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
