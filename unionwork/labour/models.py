import datetime

from django.db import models
from django.utils import timezone

from unionwork.core.records import Record, quarter_of

from .choices import (
    EXPIRY_WARNING_DAYS,
    MEDIATION_DAYS,
    ContractKind,
    ContractReach,
    DisputeKind,
    DisputeOutcome,
    FilingStatus,
    HarmonyLevel,
    Mediator,
    MeetingKind,
    OpenAffairsKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class CollectiveContract(Record):
    AUDIT_FIELDS = ["title", "kind", "reach", "union", "signed_on", "effective_from", "effective_to",
                    "covered_employees", "wage_increase", "filing_status", "filed_on", "renews", "note"]

    title = models.CharField("合同名称", max_length=200)
    kind = models.CharField("合同类别", max_length=16, choices=ContractKind.choices)
    reach = models.CharField("覆盖范围", max_length=16, choices=ContractReach.choices, default=ContractReach.ENTERPRISE)
    union = models.ForeignKey("directory.Union", verbose_name="签约工会", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    enterprises = models.ManyToManyField("directory.Enterprise", verbose_name="覆盖企业", related_name="contracts",
                                         blank=True)
    signed_on = models.DateField("签订日期")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("到期日期")
    covered_employees = models.PositiveIntegerField("覆盖职工人数", default=0)
    wage_increase = models.DecimalField("工资增长幅度（%）", max_digits=6, decimal_places=2, null=True, blank=True)
    filing_status = models.CharField("备案状态", max_length=16, choices=FilingStatus.choices,
                                     default=FilingStatus.NOT_FILED)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    renews = models.OneToOneField("self", verbose_name="续签自", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="renewed_by")

    class Meta:
        verbose_name = "集体合同"
        verbose_name_plural = "集体合同"
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["effective_to"]), models.Index(fields=["kind", "effective_from"])]

    def __str__(self):
        return self.title

    def in_force_on(self, day):
        return self.effective_from <= day <= self.effective_to

    @property
    def days_left(self):
        return (self.effective_to - timezone.localdate()).days

    @property
    def expiring(self):
        return 0 <= self.days_left <= EXPIRY_WARNING_DAYS

    @property
    def expired(self):
        return self.days_left < 0


class NegotiationRound(models.Model):
    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="rounds")
    held_on = models.DateField("协商日期")
    summary = models.CharField("协商内容与结果", max_length=500)

    class Meta:
        verbose_name = "协商轮次"
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.held_on} {self.summary[:20]}"


class ComplianceCheck(models.Model):
    contract = models.ForeignKey(CollectiveContract, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField("检查日期")
    findings = models.CharField("检查发现", max_length=500)
    compliant = models.BooleanField("履约良好", default=True)

    class Meta:
        verbose_name = "履约检查"
        ordering = ["checked_on", "id"]

    def __str__(self):
        return f"{self.checked_on} {self.findings[:20]}"


class HarmonyRating(Record):
    AUDIT_FIELDS = ["enterprise", "year", "level", "score", "rated_on", "revoked_on", "revoke_reason", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="harmony_ratings")
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("等级", max_length=3, choices=HarmonyLevel.choices)
    score = models.DecimalField("评分", max_digits=5, decimal_places=1, null=True, blank=True)
    rated_on = models.DateField("评定日期")
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "和谐劳动关系企业评定"
        verbose_name_plural = "和谐劳动关系企业评定"
        ordering = ["-year", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_rating_per_enterprise_year")]

    def __str__(self):
        return f"{self.enterprise} {self.year} {self.level}"


class DisputeCase(Record):
    AUDIT_FIELDS = ["title", "enterprise", "kind", "workers", "worker_count", "amount_claimed", "mediator",
                    "applied_on", "outcome", "closed_on", "amount_recovered", "note"]

    title = models.CharField("案由", max_length=200)
    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="用人单位", on_delete=models.PROTECT,
                                   related_name="disputes")
    kind = models.CharField("争议类别", max_length=20, choices=DisputeKind.choices)
    workers = models.CharField("职工方", max_length=300, help_text="申请人姓名，多人用顿号分隔")
    members = models.ManyToManyField("directory.Member", verbose_name="其中会员", blank=True, related_name="disputes")
    worker_count = models.PositiveIntegerField("涉及职工人数", default=1)
    amount_claimed = models.DecimalField("请求金额（元）", null=True, blank=True, **MONEY)
    mediator = models.CharField("调解组织", max_length=16, choices=Mediator.choices)
    applied_on = models.DateField("申请日期")
    outcome = models.CharField("结果", max_length=16, choices=DisputeOutcome.choices, default=DisputeOutcome.PENDING)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    amount_recovered = models.DecimalField("追回金额（元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "劳动争议调解"
        verbose_name_plural = "劳动争议调解"
        ordering = ["-applied_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def arbitration_eligible(self):
        """Open 15 days after the application without an agreement: the parties may go to arbitration."""
        return self.outcome == DisputeOutcome.PENDING and (
            timezone.localdate() - self.applied_on).days > MEDIATION_DAYS

    @property
    def arbitration_from(self):
        return self.applied_on + datetime.timedelta(days=MEDIATION_DAYS)


class DisputeStep(models.Model):
    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="steps")
    on = models.DateField("日期")
    description = models.CharField("经过", max_length=500)

    class Meta:
        verbose_name = "调解经过"
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.on} {self.description[:20]}"


class Visit(Record):
    AUDIT_FIELDS = ["enterprise", "visited_on", "visitors", "purpose", "problems", "quarter", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="走访企业", on_delete=models.PROTECT,
                                   related_name="visits")
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人员", max_length=200)
    purpose = models.CharField("走访事由", max_length=300, blank=True)
    problems = models.TextField("发现的问题与职工诉求", blank=True)
    quarter = models.CharField("计入季度", max_length=6, blank=True, help_text="如 2026Q1；留空按走访日期")

    class Meta:
        verbose_name = "走访调研"
        verbose_name_plural = "走访调研"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.visited_on} 走访{self.enterprise}"

    def save(self, *args, **kwargs):
        self.quarter = self.quarter or quarter_of(self.visited_on)
        super().save(*args, **kwargs)


class FollowUp(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField("跟进事项", max_length=300)
    due_on = models.DateField("完成期限")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    result = models.CharField("办理结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "跟进事项"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.action

    @property
    def overdue(self):
        return self.closed_on is None and self.due_on < timezone.localdate()


class SafetyInspection(Record):
    AUDIT_FIELDS = ["enterprise", "unit_name", "inspected_on", "inspectors", "scope", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="受检企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="inspections")
    unit_name = models.CharField("受检单位（非名录企业）", max_length=200, blank=True)
    inspected_on = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=200, blank=True)
    scope = models.CharField("检查内容", max_length=300, blank=True, help_text="如 节前安全生产检查")

    class Meta:
        verbose_name = "安全检查"
        verbose_name_plural = "安全检查"
        ordering = ["-inspected_on", "-id"]

    def __str__(self):
        return f"{self.inspected_on} {self.unit}"

    @property
    def unit(self):
        return self.enterprise.name if self.enterprise_id else self.unit_name


class Hazard(models.Model):
    inspection = models.ForeignKey(SafetyInspection, on_delete=models.CASCADE, related_name="hazards")
    description = models.CharField("隐患", max_length=300)
    deadline = models.DateField("整改期限")
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "安全隐患"
        ordering = ["deadline", "id"]

    def __str__(self):
        return self.description


class CongressMeeting(Record):
    AUDIT_FIELDS = ["enterprise", "kind", "held_on", "delegates", "attended", "items_reviewed", "resolutions", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="congresses")
    kind = models.CharField("会议类型", max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField("召开日期")
    delegates = models.PositiveIntegerField("应到代表（职工）人数")
    attended = models.PositiveIntegerField("实到人数")
    items_reviewed = models.TextField("审议事项", help_text="每行一项，如：上年度招待费使用情况")
    resolutions = models.TextField("形成的决议", blank=True)

    class Meta:
        verbose_name = "职代会/职工大会"
        verbose_name_plural = "职代会/职工大会"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    @property
    def items(self):
        return [line.strip() for line in self.items_reviewed.splitlines() if line.strip()]


class OpenAffairsItem(Record):
    AUDIT_FIELDS = ["enterprise", "kind", "published_on", "title", "content", "channel", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="open_affairs")
    kind = models.CharField("公开类型", max_length=16, choices=OpenAffairsKind.choices)
    published_on = models.DateField("公开日期")
    title = models.CharField("公开事项", max_length=200, help_text="如 工程中标情况、招待费使用情况")
    content = models.TextField("公开内容摘要", blank=True)
    channel = models.CharField("公开形式", max_length=100, blank=True, help_text="如 公开栏、职工大会、意见箱")

    class Meta:
        verbose_name = "厂务（企务、政务）公开"
        verbose_name_plural = "厂务（企务、政务）公开"
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.title


class ScreeningRound(Record):
    AUDIT_FIELDS = ["title", "held_on", "scope", "units_screened", "note"]

    title = models.CharField("排查名称", max_length=200, help_text="如 2026年春节前职工队伍稳定情况排查")
    held_on = models.DateField("排查日期")
    scope = models.CharField("排查范围", max_length=300, blank=True)
    units_screened = models.PositiveIntegerField("排查单位数", default=0)

    class Meta:
        verbose_name = "稳定排查"
        verbose_name_plural = "稳定排查"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class ScreeningIssue(models.Model):
    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="issues")
    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="涉及企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    description = models.CharField("发现的问题", max_length=300)
    resolved_on = models.DateField("化解日期", null=True, blank=True)
    resolution = models.CharField("化解情况", max_length=300, blank=True)

    class Meta:
        verbose_name = "排查问题"
        ordering = ["id"]

    def __str__(self):
        return self.description
