import re

from django.utils import timezone

from unionwork.core.kinds import RecordService, raise_errors


class DuesService(RecordService):
    def validate(self, d, m2m):
        e = {}
        if d.period and not re.fullmatch(r"20\d\d(Q[1-4]|-(0[1-9]|1[0-2]))", d.period):
            e["period"] = ["所属期应写作 2026Q1 或 2026-03"]
        for name in ("payroll_base", "collected", "returned"):
            v = getattr(d, name)
            if v is not None and v < 0:
                e[name] = ["金额不能为负数"]
        if d.returned and d.collected is not None and d.returned > d.collected:
            e["returned"] = ["返还金额不能超过代收金额"]
        raise_errors(e)


class CustodyService(RecordService):
    def default_node(self, a, m2m):
        return a.enterprise.node if a.enterprise_id else None

    def validate(self, a, m2m):
        e = {}
        if a.opening_balance is not None and a.opening_balance < 0:
            e["opening_balance"] = ["期初余额不能为负数"]
        raise_errors(e)

    def validate_child(self, account, m):
        e = {}
        if m.amount is not None and m.amount <= 0:
            e["amount"] = ["金额应大于0"]
        if m.on and m.on < account.opened_on:
            e["on"] = ["日期不能早于开始代管日期"]
        if m.on and m.on > timezone.localdate():
            e["on"] = ["日期不能晚于今天"]
        if m.kind == "out" and m.amount and m.amount > account.balance():
            e["amount"] = [f"支出 {m.amount} 元超过账户余额 {account.balance()} 元"]
        raise_errors(e)


class AuditService(RecordService):
    def validate(self, a, m2m):
        e = {}
        if a.audited_on and a.audited_on > timezone.localdate():
            e["audited_on"] = ["审查日期不能晚于今天"]
        if a.closed_on and a.audited_on and a.closed_on < a.audited_on:
            e["closed_on"] = ["整改完成日期不能早于审查日期"]
        raise_errors(e)
