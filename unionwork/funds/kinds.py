"""Funds record kinds: seen by roles with 查看经费; dues and custody written by 经费 managers, audits by 经审."""

from unionwork.accounts.choices import Perm
from unionwork.core.exports import Column
from unionwork.core.filters import record_filter
from unionwork.core.kinds import Child, Kind

from . import models as m
from . import services

D = "%Y-%m-%d"


def _num(v):
    return float(v) if v is not None else None


DUES = Kind(
    slug="dues", app="funds", model=m.DuesCollection, label="经费税务代收", icon="receipt",
    fields=["enterprise", "period", "payroll_base", "collected", "returned", "node", "note"],
    filterset=record_filter(m.DuesCollection, "created_at", ("enterprise__name", "period")),
    service=services.DuesService(m.DuesCollection), select_related=("enterprise",),
    view_perm=Perm.VIEW_FUNDS, write_perm=Perm.MANAGE_FUNDS,
    columns=[Column("企业", lambda d: d.enterprise.name, width=30), Column("所属期", lambda d: d.period),
             Column("工资总额", lambda d: _num(d.payroll_base)), Column("应缴（2%）", lambda d: _num(d.due)),
             Column("代收", lambda d: _num(d.collected)), Column("返还", lambda d: _num(d.returned)),
             Column("差额", lambda d: _num(d.shortfall))],
    summary=lambda d: [f"应缴 = 工资总额 {d.payroll_base} × 2% = {d.due} 元；税务代收 {d.collected} 元，"
                       f"{'少缴' if d.shortfall > 0 else '多缴' if d.shortfall < 0 else '足额'}"
                       f"{'' if not d.shortfall else f' {abs(d.shortfall)} 元'}；返还基层工会 {d.returned} 元"],
    badges=lambda d: [("text-bg-warning", "未足额")] if d.shortfall > 0 else [],
    natural_key=("enterprise", "period"),
)

CUSTODY = Kind(
    slug="custody", app="funds", model=m.CustodyAccount, label="经费代管", icon="safe",
    fields=["enterprise", "union", "opened_on", "opening_balance", "node", "note"],
    filterset=record_filter(m.CustodyAccount, "opened_on", ("enterprise__name",)),
    service=services.CustodyService(m.CustodyAccount), select_related=("enterprise", "union"),
    prefetch=("movements",), view_perm=Perm.VIEW_FUNDS, write_perm=Perm.MANAGE_FUNDS,
    columns=[Column("企业", lambda a: a.enterprise.name, width=30), Column("开始代管", lambda a: a.opened_on),
             Column("期初余额", lambda a: _num(a.opening_balance)),
             Column("当前余额", lambda a: _num(a.balance(a.movements.all())))],
    children=[Child("movements", m.Movement, "收支明细", ["on", "kind", "amount", "description"], "account",
                    [("日期", lambda x: x.on.strftime(D)), ("收支", lambda x: x.get_kind_display()),
                     ("金额", lambda x: x.amount), ("摘要", lambda x: x.description)])],
    summary=lambda a: [f"期初余额 {a.opening_balance} 元，当前余额 {a.balance()} 元"],
    natural_key=("enterprise",),
)

AUDITS = Kind(
    slug="audits", app="funds", model=m.FundAudit, label="经费审查", icon="clipboard-data",
    fields=["subject", "audited_on", "auditors", "findings", "follow_up", "closed_on", "node", "note"],
    filterset=record_filter(m.FundAudit, "audited_on", ("subject", "findings")),
    service=services.AuditService(m.FundAudit), view_perm=Perm.VIEW_FUNDS, write_perm=Perm.AUDIT,
    columns=[Column("审查对象", lambda a: a.subject, width=30), Column("审查日期", lambda a: a.audited_on),
             Column("审查人员", lambda a: a.auditors), Column("发现的问题", lambda a: a.findings, width=40),
             Column("整改完成", lambda a: a.closed_on)],
    badges=lambda a: [("text-bg-warning", "整改中")] if not a.closed_on else [("text-bg-success", "已整改")],
    natural_key=("subject", "audited_on"),
)

KINDS = [DUES, CUSTODY, AUDITS]
