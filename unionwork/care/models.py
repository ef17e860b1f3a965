import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import timezone

from unionwork.core.fields import EncryptedTextField
from unionwork.core.records import Record

from .choices import (
    ACCIDENT_CAUSES,
    AidForm,
    ApprovalLevel,
    CampaignKind,
    DonorKind,
    FileStatus,
    FundingSource,
    HardshipCategory,
    HardshipCause,
    JobEventKind,
    SeekerStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
CENT = Decimal("0.01")


class LowIncomeStandard(Record):
    """The local 低保标准 (元/人·月), set per area with the date it takes effect."""

    SHARED_DOWNWARD = True
    AUDIT_FIELDS = ["amount", "effective_from", "note"]

    amount = models.DecimalField("低保标准（元/人·月）", **MONEY)
    effective_from = models.DateField("执行日期")

    class Meta:
        verbose_name = "低保标准"
        verbose_name_plural = "低保标准"
        ordering = ["-effective_from"]
        constraints = [models.UniqueConstraint(fields=["node", "effective_from"], name="one_standard_per_area_date")]

    def __str__(self):
        return f"{self.node} {self.amount}元（{self.effective_from:%Y-%m-%d}起）"


class HardshipFile(Record):
    """困难职工档案. Health, disability and bank details are sensitive: masked, revealed by role, logged."""

    # Masked on pages, exports, the API and in the history, unless a role that may reveal them asks.
    SENSITIVE = {"id_number": "id_number", "phone": "phone", "health": "text", "disability": "text",
                 "bank_name": "text", "bank_account": "account"}
    AUDIT_FIELDS = ["person_name", "member", "id_number", "phone", "enterprise_name", "family_size",
                    "annual_income", "rigid_expenses", "main_cause", "secondary_causes", "health", "disability",
                    "bank_name", "bank_account", "status", "filed_on", "next_review_on", "exited_on", "exit_reason",
                    "note"]

    person_name = models.CharField("姓名", max_length=50)
    member = models.ForeignKey("directory.Member", verbose_name="会员档案", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="hardship_files")
    id_number = EncryptedTextField("身份证号", blank=True, plain_max_length=18)
    phone = EncryptedTextField("联系电话", blank=True, plain_max_length=20)
    enterprise_name = models.CharField("工作单位", max_length=200, blank=True)
    family_size = models.PositiveSmallIntegerField("家庭人口")
    annual_income = models.DecimalField("家庭年度可支配收入（元）", **MONEY)
    rigid_expenses = models.DecimalField("家庭年度刚性支出（元）", default=0, **MONEY,
                                         help_text="医疗、教育等必需支出")
    main_cause = models.CharField("主要致困原因", max_length=20, choices=HardshipCause.choices)
    secondary_causes = models.CharField("次要致困原因", max_length=100, blank=True,
                                        help_text="最多三项，从致困原因中选择，用顿号分隔")
    health = EncryptedTextField("健康状况", blank=True, plain_max_length=200)
    disability = EncryptedTextField("残疾情况", blank=True, plain_max_length=200)
    bank_name = EncryptedTextField("开户银行", blank=True, plain_max_length=100)
    bank_account = EncryptedTextField("银行账号", blank=True, plain_max_length=40)
    category = models.CharField("困难类别", max_length=16, choices=HardshipCategory.choices, editable=False,
                                default=HardshipCategory.NONE)
    status = models.CharField("档案状态", max_length=16, choices=FileStatus.choices, default=FileStatus.DRAFT)
    filed_on = models.DateField("建档日期")
    next_review_on = models.DateField("下次复核日期", null=True, blank=True, editable=False)
    exited_on = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "困难职工档案"
        verbose_name_plural = "困难职工档案"
        ordering = ["-filed_on", "-id"]

    def __str__(self):
        return f"{self.person_name}（{self.get_category_display()}）"

    def secondary_list(self):
        return [c for c in self.secondary_causes.replace(",", "、").split("、") if c]

    def review_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status == FileStatus.ACTIVE and self.next_review_on is not None and self.next_review_on < today


def standard_for(node, on: datetime.date):
    """The 低保标准 in force for a node on a day: its own, or the nearest area above that has one."""
    ids = node.ancestor_ids()
    found = (LowIncomeStandard.objects.filter(node_id__in=ids, effective_from__lte=on, archived_at__isnull=True)
             .select_related("node").order_by("-node__depth", "-effective_from").first())
    return found


def classify(annual_income: Decimal, rigid_expenses: Decimal, family_size: int, standard: Decimal | None,
             main_cause: str, secondary: list) -> tuple[str, list[str]]:
    """The hardship category and the arithmetic that decides it, line by line (shown to the user)."""
    lines = []
    disposable = annual_income - rigid_expenses
    per_capita = (disposable / 12 / family_size).quantize(CENT, ROUND_HALF_UP) if family_size else Decimal(0)
    lines.append(f"（{annual_income:.2f} − {rigid_expenses:.2f}）÷ 12 ÷ {family_size} = {per_capita:.2f} 元/人·月")
    if standard is None:
        lines.append("未找到适用的低保标准，无法判定：请先在“低保标准”中登记本地标准")
        return HardshipCategory.NONE, lines
    if per_capita < standard:
        lines.append(f"{per_capita:.2f} < 低保标准 {standard:.2f} → 深度困难")
        return HardshipCategory.DEEP, lines
    double = standard * 2
    if per_capita < double:
        lines.append(f"低保标准 {standard:.2f} ≤ {per_capita:.2f} < 2 × 低保标准 {double:.2f} → 相对困难")
        return HardshipCategory.RELATIVE, lines
    lines.append(f"{per_capita:.2f} ≥ 2 × 低保标准 {double:.2f}")
    causes = {main_cause, *secondary}
    if causes & {str(c) for c in ACCIDENT_CAUSES}:
        lines.append("因意外事故或自然灾害致困 → 意外致困")
        return HardshipCategory.ACCIDENT, lines
    if annual_income > 0 and rigid_expenses * 100 > annual_income * 80:
        share = (rigid_expenses * 100 / annual_income).quantize(CENT, ROUND_HALF_UP)
        lines.append(f"刚性支出占家庭收入 {share}% > 80% → 意外致困")
        return HardshipCategory.ACCIDENT, lines
    lines.append("收入不低于两倍低保标准，且非意外致困 → 不符合建档标准")
    return HardshipCategory.NONE, lines


class FamilyMember(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="family")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与户主关系", max_length=20)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    occupation = models.CharField("职业/状况", max_length=100, blank=True, help_text="如 在读、退休、待业")
    annual_income = models.DecimalField("年收入（元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "家庭成员"
        ordering = ["id"]

    def __str__(self):
        return f"{self.relation} {self.name}"


class Approval(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="approvals")
    level = models.CharField("审批层级", max_length=16, choices=ApprovalLevel.choices)
    approved_on = models.DateField("审批日期")
    approver = models.CharField("审批人", max_length=50)
    opinion = models.CharField("意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "审批"
        ordering = ["approved_on", "id"]
        constraints = [models.UniqueConstraint(fields=["file", "level"], name="one_approval_per_level")]

    def __str__(self):
        return f"{self.get_level_display()} {self.approved_on}"


class Review(models.Model):
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("复核日期")
    result = models.CharField("复核结果", max_length=300)

    class Meta:
        verbose_name = "年度复核"
        ordering = ["reviewed_on", "id"]

    def __str__(self):
        return f"{self.reviewed_on} {self.result[:20]}"


class Campaign(Record):
    SHARED_DOWNWARD = True  # a street's 冬送温暖: its communities record their assistance under it
    AUDIT_FIELDS = ["name", "kind", "starts_on", "ends_on", "budget", "note"]

    name = models.CharField("活动名称", max_length=200, help_text="如 2026年冬送温暖")
    kind = models.CharField("类型", max_length=20, choices=CampaignKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    budget = models.DecimalField("预算（元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "帮扶活动"
        verbose_name_plural = "帮扶活动"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class Assistance(Record):
    AUDIT_FIELDS = ["campaign", "hardship_file", "recipient", "member", "form", "amount", "goods", "quantity",
                    "funding_source", "given_on", "note"]

    campaign = models.ForeignKey(Campaign, verbose_name="所属帮扶活动", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assistance")
    hardship_file = models.ForeignKey(HardshipFile, verbose_name="困难职工档案", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="assistance")
    recipient = models.CharField("受助人（户）", max_length=100)
    member = models.ForeignKey("directory.Member", verbose_name="会员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="assistance")
    form = models.CharField("帮扶形式", max_length=16, choices=AidForm.choices)
    amount = models.DecimalField("金额（元）", null=True, blank=True, **MONEY,
                                 help_text="现金金额，或物资折合金额")
    goods = models.CharField("物资/服务内容", max_length=200, blank=True, help_text="如 棉被、米面油")
    quantity = models.PositiveIntegerField("数量", null=True, blank=True)
    funding_source = models.CharField("资金来源", max_length=16, choices=FundingSource.choices,
                                      default=FundingSource.UNION)
    given_on = models.DateField("发放日期")

    class Meta:
        verbose_name = "帮扶记录"
        verbose_name_plural = "帮扶记录"
        ordering = ["-given_on", "-id"]

    def __str__(self):
        return f"{self.given_on} {self.recipient}"

    @property
    def person_key(self):
        return f"file:{self.hardship_file_id}" if self.hardship_file_id else (
            f"member:{self.member_id}" if self.member_id else f"name:{self.recipient}")


class DonationDrive(Record):
    AUDIT_FIELDS = ["name", "purpose", "starts_on", "ends_on", "note"]

    name = models.CharField("募捐名称", max_length=200, help_text="如 玉树地震捐款")
    purpose = models.CharField("用途", max_length=300, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "捐款捐物"
        verbose_name_plural = "捐款捐物"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class Contribution(models.Model):
    drive = models.ForeignKey(DonationDrive, on_delete=models.CASCADE, related_name="contributions")
    donor = models.CharField("捐赠人（单位）", max_length=100)
    donor_kind = models.CharField("捐赠方", max_length=8, choices=DonorKind.choices, default=DonorKind.PERSON)
    amount = models.DecimalField("金额（元）", null=True, blank=True, **MONEY)
    goods = models.CharField("物品", max_length=100, blank=True)
    quantity = models.PositiveIntegerField("数量", null=True, blank=True)
    given_on = models.DateField("捐赠日期")

    class Meta:
        verbose_name = "捐赠"
        ordering = ["given_on", "id"]

    def __str__(self):
        what = f"{self.amount}元" if self.amount else f"{self.goods}{self.quantity or ''}"
        return f"{self.donor} {what}"


class JobSeeker(Record):
    SENSITIVE = {"id_number": "id_number", "phone": "phone"}
    AUDIT_FIELDS = ["name", "id_number", "phone", "registered_on", "skills", "wishes", "status", "note"]

    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号", blank=True, plain_max_length=18)
    phone = EncryptedTextField("联系电话", blank=True, plain_max_length=20)
    registered_on = models.DateField("失业登记日期")
    skills = models.CharField("技能", max_length=200, blank=True)
    wishes = models.CharField("求职意向", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=SeekerStatus.choices, default=SeekerStatus.SEEKING)

    class Meta:
        verbose_name = "求职登记"
        verbose_name_plural = "求职登记"
        ordering = ["-registered_on", "-id"]

    def __str__(self):
        return self.name


class JobEvent(Record):
    AUDIT_FIELDS = ["kind", "title", "held_on", "positions_offered", "attendees", "hours", "note"]

    kind = models.CharField("类型", max_length=20, choices=JobEventKind.choices)
    title = models.CharField("名称", max_length=200)
    held_on = models.DateField("举办日期")
    positions_offered = models.PositiveIntegerField("提供岗位数", default=0)
    attendees = models.PositiveIntegerField("参加人数", default=0)
    hours = models.DecimalField("培训课时", max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = "招聘会/培训班"
        verbose_name_plural = "招聘会/培训班"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class Placement(Record):
    AUDIT_FIELDS = ["seeker", "person_name", "employer", "employer_name", "position", "placed_on", "note"]

    seeker = models.ForeignKey(JobSeeker, verbose_name="求职人员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="placements")
    person_name = models.CharField("姓名", max_length=50, blank=True, help_text="未登记求职的人员填写姓名")
    employer = models.ForeignKey("directory.Enterprise", verbose_name="就业单位", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    employer_name = models.CharField("就业单位（名录外）", max_length=200, blank=True)
    position = models.CharField("岗位", max_length=100, blank=True)
    placed_on = models.DateField("就业日期")

    class Meta:
        verbose_name = "安置就业"
        verbose_name_plural = "安置就业"
        ordering = ["-placed_on", "-id"]

    def __str__(self):
        return f"{self.who} → {self.where}"

    @property
    def who(self):
        return self.seeker.name if self.seeker_id else self.person_name

    @property
    def where(self):
        return self.employer.name if self.employer_id else self.employer_name


class HealthCheckRound(Record):
    """妇检: one round of women workers' check-ups."""

    AUDIT_FIELDS = ["title", "held_on", "enterprise", "eligible", "attended", "note"]

    title = models.CharField("名称", max_length=200, help_text="如 2026年三八节女职工妇检")
    held_on = models.DateField("日期")
    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    eligible = models.PositiveIntegerField("应检人数")
    attended = models.PositiveIntegerField("实检人数")

    class Meta:
        verbose_name = "女职工妇检"
        verbose_name_plural = "女职工妇检"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def rate(self):
        return round(self.attended * 100 / self.eligible, 1) if self.eligible else None


class InsuranceEnrolment(Record):
    """安康保险: women workers enrolled in a year."""

    AUDIT_FIELDS = ["year", "enterprise", "enrolled", "premium", "note"]

    year = models.PositiveSmallIntegerField("年度")
    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    enrolled = models.PositiveIntegerField("参保人数")
    premium = models.DecimalField("保费（元）", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "女职工安康保险"
        verbose_name_plural = "女职工安康保险"
        ordering = ["-year", "-id"]

    def __str__(self):
        return f"{self.year}年 {self.enterprise or self.node} {self.enrolled}人"
