"""What every work record shares: where it lives in the tree (its scope), who made it, archiving."""

from django.conf import settings
from django.db import models


class Record(models.Model):
    SCOPE_NODE_FIELD = "node"

    node = models.ForeignKey("org.Node", verbose_name="所属组织", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("备注", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


def quarter_of(date) -> str:
    return f"{date.year}Q{(date.month - 1) // 3 + 1}" if date else ""
