from decimal import Decimal

from django.db import models

from unionwork.core.records import Record

MONEY = {"max_digits": 14, "decimal_places": 2}
DUES_RATE = Decimal("0.02")  # union dues: 2% of the payroll (《工会法》第四十三条)


class DuesCollection(Record):
    """Dues collected by the tax bureau (税务代收) for one enterprise and period."""

    AUDIT_FIELDS = ["enterprise", "period", "payroll_base", "collected", "returned", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="dues")
    period = models.CharField("所属期", max_length=7, help_text="如 2026Q1 或 2026-03")
    payroll_base = models.DecimalField("工资总额（元）", **MONEY)
    collected = models.DecimalField("税务代收金额（元）", **MONEY)
    returned = models.DecimalField("返还基层工会（元）", default=0, **MONEY)

    class Meta:
        verbose_name = "经费税务代收"
        verbose_name_plural = "经费税务代收"
        ordering = ["-period", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "period"], name="one_dues_per_period")]

    def __str__(self):
        return f"{self.enterprise} {self.period}"

    @property
    def due(self):
        return (self.payroll_base * DUES_RATE).quantize(Decimal("0.01"))

    @property
    def shortfall(self):
        return self.due - self.collected


class CustodyAccount(Record):
    """A small enterprise's union funds kept by the street union (中小企业工会经费代管)."""

    AUDIT_FIELDS = ["enterprise", "union", "opened_on", "opening_balance", "note"]

    enterprise = models.ForeignKey("directory.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="custody_accounts")
    union = models.ForeignKey("directory.Union", verbose_name="工会", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    opened_on = models.DateField("开始代管日期")
    opening_balance = models.DecimalField("期初余额（元）", default=0, **MONEY)

    class Meta:
        verbose_name = "经费代管账户"
        verbose_name_plural = "经费代管账户"
        ordering = ["enterprise__name"]

    def __str__(self):
        return f"{self.enterprise} 代管账户"

    def balance(self, movements=None):
        movements = self.movements.all() if movements is None else movements
        total = self.opening_balance
        for m in movements:
            total += m.amount if m.kind == "in" else -m.amount
        return total


class Movement(models.Model):
    account = models.ForeignKey(CustodyAccount, on_delete=models.CASCADE, related_name="movements")
    on = models.DateField("日期")
    kind = models.CharField("收支", max_length=4, choices=[("in", "收入"), ("out", "支出")])
    amount = models.DecimalField("金额（元）", **MONEY)
    description = models.CharField("摘要", max_length=200)

    class Meta:
        verbose_name = "收支"
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.on} {self.get_kind_display()} {self.amount}"


class FundAudit(Record):
    AUDIT_FIELDS = ["subject", "audited_on", "auditors", "findings", "follow_up", "closed_on", "note"]

    subject = models.CharField("审查对象", max_length=200, help_text="如 2025年度街道总工会经费收支")
    audited_on = models.DateField("审查日期")
    auditors = models.CharField("审查人员", max_length=200)
    findings = models.TextField("发现的问题")
    follow_up = models.TextField("整改要求与落实", blank=True)
    closed_on = models.DateField("整改完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "经费审查"
        verbose_name_plural = "经费审查"
        ordering = ["-audited_on", "-id"]

    def __str__(self):
        return self.subject
