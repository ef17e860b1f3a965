"""The service-to-workers record kinds (see core/kinds.py)."""

from unionwork.core.exports import Column
from unionwork.core.filters import record_filter
from unionwork.core.kinds import Child, Kind

from . import models as m
from . import selectors, services
from .choices import FileStatus
from .filters import HardshipFilter

D = "%Y-%m-%d"


def _money(v):
    return float(v) if v is not None else None


def hardship_summary(f):
    _, lines = services.hardship_assessment(f)
    out = ["困难类别计算：", *lines]
    if f.review_overdue():
        out.append(f"年度复核已逾期（应于 {f.next_review_on:%Y-%m-%d} 前复核）")
    elif f.next_review_on:
        out.append(f"下次复核：{f.next_review_on:%Y-%m-%d}")
    return out


def _totals_lines(t):
    lines = [f"帮扶 {t['people']} 人（户），{t['times']} 人次；发放现金 {t['cash']} 元，"
             f"物资折款 {t['goods_value']} 元，合计 {t['total']} 元"]
    if t["goods"]:
        lines.append("物资：" + "，".join(f"{k} {v}" for k, v in t["goods"].items()))
    return lines


def campaign_summary(c):
    t = selectors.campaign_totals(c)
    lines = _totals_lines(t)
    if c.budget:
        lines.append(f"预算 {c.budget} 元，已使用 {t['total']} 元")
    return lines


def donation_summary(d):
    t = selectors.donation_totals(d)
    lines = [f"{t['donors']} 个单位和个人捐赠 {t['contributions']} 笔，捐款合计 {t['amount']} 元"]
    if t["goods"]:
        lines.append("捐物：" + "，".join(f"{k} {v}" for k, v in t["goods"].items()))
    return lines


HARDSHIP = Kind(
    slug="hardship", app="care", model=m.HardshipFile, label="困难职工档案", icon="house-heart",
    fields=["person_name", "member", "id_number", "phone", "enterprise_name", "family_size", "annual_income",
            "rigid_expenses", "main_cause", "secondary_causes", "health", "disability", "bank_name", "bank_account",
            "filed_on", "status", "exited_on", "exit_reason", "node", "note"],
    filterset=HardshipFilter,
    service=services.HardshipService(m.HardshipFile), select_related=("member",),
    columns=[
        Column("姓名", lambda f: f.person_name),
        Column("困难类别", lambda f: f.get_category_display()),
        Column("档案状态", lambda f: f.get_status_display()),
        Column("家庭人口", lambda f: f.family_size),
        Column("主要致困原因", lambda f: f.get_main_cause_display()),
        Column("建档日期", lambda f: f.filed_on),
        Column("下次复核", lambda f: f.next_review_on),
        Column("身份证号", lambda f: f.id_number, sensitive="id_number", width=22),
        Column("联系电话", lambda f: f.phone, sensitive="phone"),
    ],
    children=[
        Child("family", m.FamilyMember, "家庭成员", ["name", "relation", "birth_year", "occupation", "annual_income"],
              "file", [("姓名", lambda x: x.name), ("关系", lambda x: x.relation), ("出生年份", lambda x: x.birth_year),
                       ("职业/状况", lambda x: x.occupation), ("年收入", lambda x: x.annual_income)]),
        Child("approvals", m.Approval, "三级审批", ["level", "approved_on", "approver", "opinion"], "file",
              [("层级", lambda x: x.get_level_display()), ("日期", lambda x: x.approved_on.strftime(D)),
               ("审批人", lambda x: x.approver), ("意见", lambda x: x.opinion)]),
        Child("reviews", m.Review, "年度复核", ["reviewed_on", "result"], "file",
              [("复核日期", lambda x: x.reviewed_on.strftime(D)), ("结果", lambda x: x.result)]),
    ],
    summary=hardship_summary,
    badges=lambda f: ([("text-bg-danger", "复核逾期")] if f.review_overdue() else []) + (
        [("text-bg-secondary", f.get_status_display())] if f.status != FileStatus.ACTIVE else []),
    help="困难类别按（家庭年度可支配收入 − 刚性支出）÷ 12 ÷ 家庭人口 与当地低保标准比较自动计算；"
         "健康、残疾、银行信息为敏感信息。",
    extra_links=[("复核逾期", "status=active&review=overdue"), ("深度困难", "category=deep")],
    natural_key=("person_name", "filed_on"),
)

STANDARDS = Kind(
    slug="standards", app="care", model=m.LowIncomeStandard, label="低保标准", icon="cash-coin",
    fields=["node", "amount", "effective_from", "note"],
    filterset=record_filter(m.LowIncomeStandard, "effective_from"), service=services.StandardService(m.LowIncomeStandard),
    columns=[Column("地区", lambda s: s.node.display_name), Column("低保标准（元/人·月）", lambda s: _money(s.amount)),
             Column("执行日期", lambda s: s.effective_from)],
    natural_key=("node", "effective_from"),
)

CAMPAIGNS = Kind(
    slug="campaigns", app="care", model=m.Campaign, label="帮扶活动", icon="gift",
    fields=["name", "kind", "starts_on", "ends_on", "budget", "node", "note"],
    filterset=record_filter(m.Campaign, "starts_on", ("name",), ("kind",)),
    service=services.CampaignService(m.Campaign),
    columns=[Column("活动名称", lambda c: c.name, width=30), Column("类型", lambda c: c.get_kind_display()),
             Column("开始", lambda c: c.starts_on), Column("结束", lambda c: c.ends_on),
             Column("预算（元）", lambda c: _money(c.budget))],
    summary=campaign_summary,
    help="春送岗位、夏送清凉、金秋助学、冬送温暖、节日慰问、医疗救助；人数、人次、金额由帮扶记录汇总。",
    natural_key=("name",),
)

ASSISTANCE = Kind(
    slug="assistance", app="care", model=m.Assistance, label="帮扶记录", icon="hand-thumbs-up",
    fields=["campaign", "hardship_file", "recipient", "member", "form", "amount", "goods", "quantity",
            "funding_source", "given_on", "node", "note"],
    filterset=record_filter(m.Assistance, "given_on", ("recipient", "goods", "campaign__name"),
                            ("form", "funding_source")),
    service=services.AssistanceService(m.Assistance), select_related=("campaign", "hardship_file", "member"),
    columns=[Column("受助人（户）", lambda a: a.recipient), Column("帮扶活动", lambda a: str(a.campaign or "")),
             Column("形式", lambda a: a.get_form_display()), Column("金额（元）", lambda a: _money(a.amount)),
             Column("物资", lambda a: a.goods), Column("数量", lambda a: a.quantity),
             Column("资金来源", lambda a: a.get_funding_source_display()), Column("发放日期", lambda a: a.given_on)],
    natural_key=("recipient", "given_on", "form"),
)

DONATIONS = Kind(
    slug="donations", app="care", model=m.DonationDrive, label="捐款捐物", icon="piggy-bank",
    fields=["name", "purpose", "starts_on", "ends_on", "node", "note"],
    filterset=record_filter(m.DonationDrive, "starts_on", ("name", "purpose")),
    service=services.DonationService(m.DonationDrive), prefetch=("contributions",),
    columns=[Column("募捐名称", lambda d: d.name, width=30), Column("开始日期", lambda d: d.starts_on),
             Column("笔数", lambda d: len(d.contributions.all())),
             Column("捐款合计（元）", lambda d: float(sum((c.amount or 0) for c in d.contributions.all())))],
    children=[Child("contributions", m.Contribution, "捐赠明细",
                    ["donor", "donor_kind", "amount", "goods", "quantity", "given_on"], "drive",
                    [("捐赠人（单位）", lambda c: c.donor), ("捐赠方", lambda c: c.get_donor_kind_display()),
                     ("金额（元）", lambda c: c.amount), ("物品", lambda c: c.goods), ("数量", lambda c: c.quantity),
                     ("日期", lambda c: c.given_on.strftime(D))])],
    summary=donation_summary,
    natural_key=("name",),
)

SEEKERS = Kind(
    slug="seekers", app="care", model=m.JobSeeker, label="求职登记", icon="person-badge",
    fields=["name", "id_number", "phone", "registered_on", "skills", "wishes", "status", "node", "note"],
    filterset=record_filter(m.JobSeeker, "registered_on", ("name", "skills", "wishes"), ("status",)),
    service=services.SeekerService(m.JobSeeker),
    columns=[Column("姓名", lambda s: s.name), Column("失业登记日期", lambda s: s.registered_on),
             Column("技能", lambda s: s.skills), Column("求职意向", lambda s: s.wishes),
             Column("状态", lambda s: s.get_status_display()),
             Column("身份证号", lambda s: s.id_number, sensitive="id_number", width=22),
             Column("联系电话", lambda s: s.phone, sensitive="phone")],
    natural_key=("name", "registered_on"),
)

JOB_EVENTS = Kind(
    slug="job-events", app="care", model=m.JobEvent, label="招聘会与培训班", icon="briefcase",
    fields=["kind", "title", "held_on", "positions_offered", "attendees", "hours", "node", "note"],
    filterset=record_filter(m.JobEvent, "held_on", ("title",), ("kind",)),
    service=services.JobEventService(m.JobEvent),
    columns=[Column("名称", lambda j: j.title, width=30), Column("类型", lambda j: j.get_kind_display()),
             Column("日期", lambda j: j.held_on), Column("岗位数", lambda j: j.positions_offered),
             Column("参加人数", lambda j: j.attendees), Column("课时", lambda j: _money(j.hours))],
    natural_key=("title", "held_on"),
)

PLACEMENTS = Kind(
    slug="placements", app="care", model=m.Placement, label="安置就业", icon="person-check",
    fields=["seeker", "person_name", "employer", "employer_name", "position", "placed_on", "node", "note"],
    filterset=record_filter(m.Placement, "placed_on", ("person_name", "seeker__name", "employer__name",
                                                        "employer_name")),
    service=services.PlacementService(m.Placement), select_related=("seeker", "employer"),
    columns=[Column("姓名", lambda p: p.who), Column("就业单位", lambda p: p.where, width=30),
             Column("岗位", lambda p: p.position), Column("就业日期", lambda p: p.placed_on)],
    natural_key=("person_name", "placed_on"),
)

HEALTH_CHECKS = Kind(
    slug="health-checks", app="care", model=m.HealthCheckRound, label="女职工妇检", icon="heart-pulse",
    fields=["title", "held_on", "enterprise", "eligible", "attended", "node", "note"],
    filterset=record_filter(m.HealthCheckRound, "held_on", ("title", "enterprise__name")),
    service=services.HealthCheckService(m.HealthCheckRound), select_related=("enterprise",),
    columns=[Column("名称", lambda h: h.title, width=30), Column("日期", lambda h: h.held_on),
             Column("单位", lambda h: h.enterprise.name if h.enterprise_id else h.node.display_name),
             Column("应检", lambda h: h.eligible), Column("实检", lambda h: h.attended),
             Column("参检率%", lambda h: h.rate)],
    natural_key=("title", "held_on"),
)

INSURANCE = Kind(
    slug="insurance", app="care", model=m.InsuranceEnrolment, label="女职工安康保险", icon="shield-plus",
    fields=["year", "enterprise", "enrolled", "premium", "node", "note"],
    filterset=record_filter(m.InsuranceEnrolment, "year", ("enterprise__name",)),
    service=services.InsuranceService(m.InsuranceEnrolment), select_related=("enterprise",),
    columns=[Column("年度", lambda i: i.year),
             Column("单位", lambda i: i.enterprise.name if i.enterprise_id else i.node.display_name, width=30),
             Column("参保人数", lambda i: i.enrolled), Column("保费（元）", lambda i: _money(i.premium))],
    natural_key=("year", "enterprise"),
)

KINDS = [HARDSHIP, STANDARDS, CAMPAIGNS, ASSISTANCE, DONATIONS, SEEKERS, JOB_EVENTS, PLACEMENTS, HEALTH_CHECKS,
         INSURANCE]
