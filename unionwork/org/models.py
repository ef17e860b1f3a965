from django.db import models

from .choices import NodeKind


class Node(models.Model):
    """One tree for areas (区/街道/社区) and the union organisations on them.

    `path` is the materialised ancestry ("1/4/17/"): "this node and below" is one indexed prefix
    filter, never a walk of the tree in Python.
    """

    kind = models.CharField("类型", max_length=16, choices=NodeKind.choices)
    name = models.CharField("名称", max_length=100)
    union_name = models.CharField("工会组织名称", max_length=120, blank=True)
    code = models.CharField("编码", max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    # Applies to this node and every node below it (accounts.services.totp_required).
    require_totp = models.BooleanField("本组织及下级账号须使用两步验证", default=False)

    class Meta:
        verbose_name = "组织节点"
        verbose_name_plural = "组织节点"
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.union_name or self.name

    def ancestor_ids(self):
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_at_or_below(self, other: "Node") -> bool:
        return self.path.startswith(other.path)
