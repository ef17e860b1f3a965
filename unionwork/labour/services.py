"""Rules of the labour-relations records; the writes themselves are core.kinds.RecordService."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from unionwork.core.kinds import RecordService, not_future, raise_errors

from .choices import LEVEL_RANK, ContractReach, DisputeOutcome, FilingStatus
from .models import HarmonyRating


class ContractService(RecordService):
    def default_node(self, c, m2m):
        if c.union_id:
            return c.union.node.parent
        nodes = {e.node for e in m2m.get("enterprises", [])}
        return nodes.pop() if len(nodes) == 1 else None

    def validate(self, c, m2m):
        e = {}
        if c.effective_from and c.effective_to and c.effective_to <= c.effective_from:
            e["effective_to"] = ["到期日期应晚于生效日期"]
        if c.signed_on and c.effective_from and c.effective_from < c.signed_on:
            e["effective_from"] = ["生效日期不能早于签订日期"]
        not_future(e, c, "signed_on")
        if c.wage_increase is not None and c.wage_increase < 0:
            e["wage_increase"] = ["工资增长幅度不能为负数"]
        if c.filing_status != FilingStatus.NOT_FILED and not c.filed_on:
            e["filed_on"] = ["已备案的合同请填写备案日期"]
        if c.filed_on and c.signed_on and c.filed_on < c.signed_on:
            e["filed_on"] = ["备案日期不能早于签订日期"]
        enterprises = m2m.get("enterprises")
        if enterprises is not None:
            if c.reach == ContractReach.ENTERPRISE and len(enterprises) != 1:
                e["enterprises"] = ["单个企业的集体合同应选择且只选择一家覆盖企业"]
            if c.reach != ContractReach.ENTERPRISE and len(enterprises) < 2:
                e["enterprises"] = ["行业性、区域性集体合同应覆盖两家以上企业"]
        if c.renews_id:
            old = c.renews
            if old.pk == c.pk:
                e["renews"] = ["合同不能续签自身"]
            elif c.signed_on and c.signed_on < old.signed_on:
                e["renews"] = [f"续签合同的签订日期不能早于原合同（{old.signed_on:%Y-%m-%d}）"]
            elif c.effective_from and c.effective_from < old.effective_from:
                e["renews"] = [f"续签合同的生效日期不能早于原合同（{old.effective_from:%Y-%m-%d}）"]
            elif old.kind != c.kind:
                e["renews"] = [f"续签合同应与原合同类别相同（原为{old.get_kind_display()}）"]
        raise_errors(e)

    def validate_child(self, contract, entry):
        e = {}
        day = getattr(entry, "held_on", None) or getattr(entry, "checked_on", None)
        today = timezone.localdate()
        if day and day > today:
            e["held_on" if hasattr(entry, "held_on") else "checked_on"] = ["日期不能晚于今天"]
        if hasattr(entry, "held_on") and contract.signed_on and entry.held_on and entry.held_on > contract.signed_on:
            e["held_on"] = [f"协商应在合同签订（{contract.signed_on:%Y-%m-%d}）之前或当天"]
        if hasattr(entry, "checked_on") and entry.checked_on and entry.checked_on < contract.effective_from:
            e["checked_on"] = ["履约检查应在合同生效之后"]
        raise_errors(e)


class RatingService(RecordService):
    def validate(self, r, m2m):
        e = {}
        if r.rated_on and r.year and r.rated_on.year < r.year:
            e["rated_on"] = [f"评定日期早于{r.year}年度"]
        not_future(e, r, "rated_on", "revoked_on")
        if r.revoked_on and not r.revoke_reason:
            e["revoke_reason"] = ["撤销评定请填写原因"]
        if r.revoked_on and r.rated_on and r.revoked_on < r.rated_on:
            e["revoked_on"] = ["撤销日期不能早于评定日期"]
        if r.enterprise_id and r.level and r.year:
            needed = LEVEL_RANK[r.level] - 1
            if needed:
                prev = HarmonyRating.objects.filter(enterprise_id=r.enterprise_id, year=r.year - 1,
                                                    revoked_on__isnull=True).exclude(pk=r.pk).first()
                below = {1: "A", 2: "AA"}[needed]
                if prev is None or LEVEL_RANK[prev.level] < needed:
                    held = f"{prev.get_level_display()}" if prev else "无评定"
                    e["level"] = [f"评定为{r.level}级须上一年度（{r.year - 1}年）已是{below}级，该企业上一年度为{held}；"
                                  "不能越级评定"]
            if HarmonyRating.objects.filter(enterprise_id=r.enterprise_id, year=r.year).exclude(pk=r.pk).exists():
                e["year"] = [f"该企业{r.year}年度已有评定记录"]
        raise_errors(e)


class DisputeService(RecordService):
    def validate(self, d, m2m):
        e = {}
        not_future(e, d, "applied_on", "closed_on")
        for name in ("amount_claimed", "amount_recovered"):
            v = getattr(d, name)
            if v is not None and v < 0:
                e[name] = ["金额不能为负数"]
        if d.outcome == DisputeOutcome.PENDING and d.closed_on:
            e["closed_on"] = ["调解中的案件不应有结案日期；结案请选择结果"]
        if d.outcome != DisputeOutcome.PENDING and not d.closed_on:
            e["closed_on"] = ["已结案的案件请填写结案日期"]
        if d.closed_on and d.applied_on and d.closed_on < d.applied_on:
            e["closed_on"] = ["结案日期不能早于申请日期"]
        if d.amount_recovered and d.outcome != DisputeOutcome.SUCCESS:
            e["amount_recovered"] = ["只有调解成功的案件才有追回金额"]
        if d.amount_recovered is not None and d.amount_claimed is not None and d.amount_recovered > d.amount_claimed:
            e["amount_recovered"] = ["追回金额不能超过请求金额"]
        if d.worker_count < 1:
            e["worker_count"] = ["涉及职工人数至少为1"]
        raise_errors(e)

    def validate_child(self, case, step):
        if step.on and case.applied_on and step.on < case.applied_on:
            raise ValidationError({"on": [f"调解经过的日期不能早于申请日期（{case.applied_on:%Y-%m-%d}）"]})
        if step.on and step.on > timezone.localdate():
            raise ValidationError({"on": ["日期不能晚于今天"]})


class VisitService(RecordService):
    def validate(self, v, m2m):
        e = {}
        not_future(e, v, "visited_on")
        if v.quarter and not (len(v.quarter) == 6 and v.quarter[:4].isdigit() and v.quarter[4] == "Q"
                              and v.quarter[5] in "1234"):
            e["quarter"] = ["计入季度应写作 2026Q1 这样的格式"]
        raise_errors(e)

    def validate_child(self, visit, f):
        e = {}
        if f.due_on and f.due_on < visit.visited_on:
            e["due_on"] = ["完成期限不能早于走访日期"]
        if f.closed_on and f.closed_on < visit.visited_on:
            e["closed_on"] = ["办结日期不能早于走访日期"]
        if f.closed_on and f.closed_on > timezone.localdate():
            e["closed_on"] = ["办结日期不能晚于今天"]
        raise_errors(e)


class InspectionService(RecordService):
    def validate(self, i, m2m):
        e = {}
        not_future(e, i, "inspected_on")
        if not i.enterprise_id and not i.unit_name:
            e["enterprise"] = ["请选择受检企业，或填写受检单位名称"]
        raise_errors(e)

    def validate_child(self, inspection, h):
        e = {}
        if h.deadline and h.deadline < inspection.inspected_on:
            e["deadline"] = ["整改期限不能早于检查日期"]
        if h.rectified_on and h.rectified_on < inspection.inspected_on:
            e["rectified_on"] = ["整改完成日期不能早于检查日期"]
        if h.rectified_on and h.rectified_on > timezone.localdate():
            e["rectified_on"] = ["整改完成日期不能晚于今天"]
        raise_errors(e)


class CongressService(RecordService):
    def validate(self, m, m2m):
        e = {}
        not_future(e, m, "held_on")
        if m.attended > m.delegates:
            e["attended"] = [f"实到人数（{m.attended}）不能多于应到人数（{m.delegates}）"]
        raise_errors(e)


class OpenAffairsService(RecordService):
    def validate(self, o, m2m):
        e = {}
        not_future(e, o, "published_on")
        raise_errors(e)


class ScreeningService(RecordService):
    def validate(self, s, m2m):
        e = {}
        not_future(e, s, "held_on")
        raise_errors(e)

    def validate_child(self, rnd, issue):
        if issue.resolved_on and issue.resolved_on < rnd.held_on:
            raise ValidationError({"resolved_on": ["化解日期不能早于排查日期"]})
        if issue.resolved_on and issue.resolved_on > timezone.localdate():
            raise ValidationError({"resolved_on": ["化解日期不能晚于今天"]})
