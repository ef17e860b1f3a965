from django.conf import settings
from django.db import models

from unionwork.core.records import Record


class Plan(Record):
    """A node's plan for a year: targets for the node itself and for each child node."""

    AUDIT_FIELDS = ["year", "title", "note"]

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"
        ordering = ["-year", "node__path"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="one_plan_per_node_year")]

    def __str__(self):
        return self.title or f"{self.node.display_name}{self.year}年工作计划"


class Target(models.Model):
    """A target on one indicator: for the plan's node, for all children by default, or for one child."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField("指标", max_length=40)
    scope = models.CharField("适用于", max_length=8, choices=[("self", "本级"), ("children", "各下级（默认）"),
                                                            ("child", "某个下级")])
    child = models.ForeignKey("org.Node", verbose_name="下级组织", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    value = models.DecimalField("目标值", max_digits=14, decimal_places=2)
    weight = models.DecimalField("考核权重", max_digits=6, decimal_places=2, default=0)

    class Meta:
        verbose_name = "指标目标"
        ordering = ["indicator", "scope", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "scope"], condition=models.Q(child__isnull=True),
                                    name="one_target_per_scope"),
            models.UniqueConstraint(fields=["plan", "indicator", "child"], condition=models.Q(child__isnull=False),
                                    name="one_target_per_child"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.value}"


class Assessment(models.Model):
    """A frozen 考核评比 of a plan's children: later edits to records do not change it."""

    SCOPE_NODE_FIELD = "plan__node"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveSmallIntegerField("版本")
    reference_date = models.DateField("统计截止日")
    rules = models.JSONField("规则", default=dict)
    results = models.JSONField("结果", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "考核评比"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="one_assessment_version")]

    def __str__(self):
        return f"{self.plan} 考核 第{self.version}版"


class Snapshot(models.Model):
    """A frozen copy of every indicator of every node below a node, for a reference date."""

    SCOPE_NODE_FIELD = "node"

    node = models.ForeignKey("org.Node", on_delete=models.PROTECT, related_name="+")
    reference_date = models.DateField("统计截止日")
    period_start = models.DateField("期间开始")
    data = models.JSONField("数据", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "年度快照"
        ordering = ["-reference_date", "-created_at"]

    def __str__(self):
        return f"{self.node} {self.reference_date} 快照"
