"""Rules of the service-to-workers records; writes are core.kinds.RecordService."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from unionwork.core import audit
from unionwork.core.kinds import RecordService, non_negative, not_future, raise_errors
from unionwork.core.validators import normalize_id_number, normalize_mobile, normalize_phone

from .choices import ApprovalLevel, CampaignKind, FileStatus, HardshipCause, SeekerStatus
from .models import HardshipFile, JobSeeker, classify, standard_for

LEVEL_ORDER = [ApprovalLevel.COMMUNITY, ApprovalLevel.STREET, ApprovalLevel.DISTRICT]





def _codes(e, obj, id_field="id_number", phone_field="phone", mobile=False):
    if getattr(obj, id_field):
        try:
            setattr(obj, id_field, normalize_id_number(getattr(obj, id_field)))
        except ValidationError as exc:
            e[id_field] = exc.messages
    if getattr(obj, phone_field):
        try:
            setattr(obj, phone_field, (normalize_mobile if mobile else normalize_phone)(getattr(obj, phone_field)))
        except ValidationError as exc:
            e[phone_field] = exc.messages


def hardship_assessment(f: HardshipFile):
    standard = standard_for(f.node, f.filed_on) if f.node_id and f.filed_on else None
    category, lines = classify(f.annual_income or 0, f.rigid_expenses or 0, f.family_size or 0,
                               standard.amount if standard else None, f.main_cause, f.secondary_list())
    if standard:
        lines.insert(0, f"适用低保标准：{standard.node.display_name} {standard.amount} 元/人·月"
                        f"（{standard.effective_from:%Y-%m-%d}起执行）")
    return category, lines


class HardshipService(RecordService):
    def validate(self, f, m2m):
        e = {}
        _codes(e, f)
        non_negative(e, f, "annual_income", "rigid_expenses")
        not_future(e, f, "filed_on", "exited_on")
        if f.family_size is not None and f.family_size < 1:
            e["family_size"] = ["家庭人口至少为1"]
        if f.member_id and not f.person_name:
            f.person_name = f.member.name
        valid = {str(c) for c in HardshipCause.values}
        labels = {str(label): str(value) for value, label in HardshipCause.choices}
        secondary = [labels.get(c, c) for c in f.secondary_list()]
        bad = [c for c in secondary if c not in valid]
        if bad:
            e["secondary_causes"] = [f"“{'、'.join(bad)}”不在致困原因目录中"]
        elif len(secondary) > 3:
            e["secondary_causes"] = ["次要致困原因最多三项"]
        elif f.main_cause in secondary:
            e["secondary_causes"] = ["次要原因不应与主要原因相同"]
        else:
            f.secondary_causes = "、".join(secondary)
        if f.status in (FileStatus.OUT_OF_HARDSHIP, FileStatus.RELIEVED):
            if not f.exited_on:
                e["exited_on"] = ["脱困或解困请填写退出日期"]
            if not f.exit_reason:
                e["exit_reason"] = ["脱困或解困请填写原因"]
        elif f.exited_on or f.exit_reason:
            e["status"] = ["填写了退出日期或原因时，档案状态应为“脱困”或“解困”"]
        if f.status == FileStatus.ACTIVE:
            levels = set(f.approvals.values_list("level", flat=True)) if f.pk else set()
            if levels != set(ApprovalLevel.values):
                e["status"] = ["三级审批（社区、街道、区）完成后档案才能“在档”"]
        if not e and f.node_id and f.filed_on:
            if standard_for(f.node, f.filed_on) is None:
                e["filed_on"] = [f"「{f.node.display_name}」及其上级没有建档日期时适用的低保标准，无法判定困难类别；"
                                 "请先登记低保标准"]
        raise_errors(e)
        f.category, _ = hardship_assessment(f)
        if f.category == "none" and f.status in (FileStatus.DRAFT, FileStatus.ACTIVE):
            raise ValidationError({"annual_income": ["按收入计算不符合困难职工建档标准（见计算过程）"]})
        f.next_review_on = self._next_review(f)

    @staticmethod
    def _next_review(f):
        last = f.filed_on
        if f.pk:
            reviewed = f.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
            last = max(last, reviewed) if reviewed else last
        try:
            return last.replace(year=last.year + 1)
        except ValueError:  # 29 February
            return last + datetime.timedelta(days=365)

    def validate_child(self, f, entry):
        e = {}
        day = getattr(entry, "approved_on", None) or getattr(entry, "reviewed_on", None)
        if day and day > timezone.localdate():
            e["approved_on" if hasattr(entry, "approved_on") else "reviewed_on"] = ["日期不能晚于今天"]
        if day and day < f.filed_on:
            e["approved_on" if hasattr(entry, "approved_on") else "reviewed_on"] = ["日期不能早于建档日期"]
        if hasattr(entry, "level") and entry.level:
            done = set(f.approvals.exclude(pk=entry.pk).values_list("level", flat=True))
            index = LEVEL_ORDER.index(entry.level)
            missing = [lvl.label for lvl in LEVEL_ORDER[:index] if lvl not in done]
            if missing:
                e["level"] = [f"须先完成{'、'.join(missing)}审批"]
            if entry.level in done:
                e["level"] = [f"{ApprovalLevel(entry.level).label}已审批"]
        if hasattr(entry, "annual_income") and entry.annual_income is not None and entry.annual_income < 0:
            e["annual_income"] = ["收入不能为负数"]
        raise_errors(e)

    def after_child(self, user, f, entry):
        changed = []
        if hasattr(entry, "reviewed_on"):
            f.next_review_on = self._next_review(f)
            changed.append("next_review_on")
        if hasattr(entry, "level") and f.status == FileStatus.DRAFT and set(
                f.approvals.values_list("level", flat=True)) == set(ApprovalLevel.values):
            f.status = FileStatus.ACTIVE
            changed.append("status")
        if changed:
            f.save(update_fields=changed)


class StandardService(RecordService):
    def validate(self, s, m2m):
        e = {}
        if s.amount is not None and s.amount <= 0:
            e["amount"] = ["低保标准应大于0"]
        if s.node_id and s.node.kind not in ("district", "street", "community"):
            e["node"] = ["低保标准按区、街道或社区设定"]
        raise_errors(e)


class CampaignService(RecordService):
    def validate(self, c, m2m):
        e = {}
        if c.starts_on and c.ends_on and c.ends_on < c.starts_on:
            e["ends_on"] = ["结束日期不能早于开始日期"]
        non_negative(e, c, "budget")
        if c.kind != CampaignKind.CUSTOM and not c.name:
            c.name = f"{c.starts_on.year}年{c.get_kind_display()}"
        raise_errors(e)


class AssistanceService(RecordService):
    def default_node(self, a, m2m):
        # With the person's file or membership; otherwise with whoever records it (a street's
        # campaign is carried out by its communities).
        for related in (a.hardship_file, a.member):
            if related is not None:
                return related.node
        return None

    def validate(self, a, m2m):
        e = {}
        not_future(e, a, "given_on")
        non_negative(e, a, "amount")
        if a.form == "cash" and not a.amount:
            e["amount"] = ["现金帮扶请填写金额"]
        if a.form == "goods" and not a.goods:
            e["goods"] = ["物资帮扶请填写物资内容"]
        if a.hardship_file_id and not a.recipient:
            a.recipient = a.hardship_file.person_name
        if a.member_id and not a.recipient:
            a.recipient = a.member.name
        if a.campaign_id and a.given_on and not (a.campaign.starts_on <= a.given_on <= (a.campaign.ends_on or a.given_on)):
            e["given_on"] = [f"发放日期不在「{a.campaign}」的活动期间内"]
        raise_errors(e)


class DonationService(RecordService):
    def validate(self, d, m2m):
        e = {}
        if d.ends_on and d.starts_on and d.ends_on < d.starts_on:
            e["ends_on"] = ["结束日期不能早于开始日期"]
        raise_errors(e)

    def validate_child(self, drive, c):
        e = {}
        if c.amount is not None and c.amount < 0:
            e["amount"] = ["金额不能为负数"]
        if not c.amount and not c.goods:
            e["amount"] = ["请填写捐款金额或捐赠物品"]
        if c.goods and not c.quantity:
            e["quantity"] = ["捐赠物品请填写数量"]
        if c.given_on and c.given_on < drive.starts_on:
            e["given_on"] = ["捐赠日期不能早于募捐开始日期"]
        if c.given_on and c.given_on > timezone.localdate():
            e["given_on"] = ["捐赠日期不能晚于今天"]
        raise_errors(e)


class SeekerService(RecordService):
    def validate(self, s, m2m):
        e = {}
        _codes(e, s, mobile=False)
        not_future(e, s, "registered_on")
        raise_errors(e)


class JobEventService(RecordService):
    def validate(self, j, m2m):
        e = {}
        not_future(e, j, "held_on")
        if j.kind == "training" and not j.hours:
            e["hours"] = ["培训班请填写课时"]
        raise_errors(e)


class PlacementService(RecordService):
    def default_node(self, p, m2m):
        return p.seeker.node if p.seeker_id else (p.employer.node if p.employer_id else None)

    def validate(self, p, m2m):
        e = {}
        not_future(e, p, "placed_on")
        if not p.seeker_id and not p.person_name:
            e["person_name"] = ["请选择求职人员或填写姓名"]
        if not p.employer_id and not p.employer_name:
            e["employer"] = ["请选择就业单位或填写单位名称"]
        if p.seeker_id and p.placed_on and p.placed_on < p.seeker.registered_on:
            e["placed_on"] = ["就业日期不能早于失业登记日期"]
        raise_errors(e)

    def after_save(self, user, p, created):
        if p.seeker_id and p.seeker.status != SeekerStatus.PLACED:
            seeker = p.seeker
            before = audit.snapshot(seeker, ["status"])
            JobSeeker.objects.filter(pk=seeker.pk).update(status=SeekerStatus.PLACED)
            seeker.status = SeekerStatus.PLACED
            # In the seeker's own history: the lists' kept counts (core.paging) and the indicators
            # see a change to a record kind only through its ChangeLog rows.
            audit.record(seeker, user, "update", audit.diff(before, audit.snapshot(seeker, ["status"]), JobSeeker),
                         message=f"登记就业：{p}")


class HealthCheckService(RecordService):
    def validate(self, h, m2m):
        e = {}
        not_future(e, h, "held_on")
        if h.attended is not None and h.eligible is not None and h.attended > h.eligible:
            e["attended"] = [f"实检人数（{h.attended}）不能多于应检人数（{h.eligible}）"]
        raise_errors(e)


class InsuranceService(RecordService):
    def validate(self, i, m2m):
        e = {}
        non_negative(e, i, "premium")
        if i.year and i.year > timezone.localdate().year + 1:
            e["year"] = ["年度不正确"]
        raise_errors(e)
