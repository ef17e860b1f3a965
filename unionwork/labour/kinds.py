"""The labour-relations record kinds (see core/kinds.py): pages, exports, API and import declared once."""

from django.utils import timezone

from unionwork.core.exports import Column
from unionwork.core.kinds import Child, Kind

from . import filters, models, services

D = "%Y-%m-%d"


def _ents(c):
    return "、".join(e.name for e in c.enterprises.all())


def contract_badges(c):
    out = []
    if c.expired and not hasattr(c, "renewed_by"):
        out.append(("text-bg-danger", "已到期未续签"))
    elif c.expired:
        out.append(("text-bg-secondary", "已到期（已续签）"))
    elif c.expiring:
        out.append(("text-bg-warning", f"{c.days_left}天后到期"))
    if c.renews_id:
        out.append(("text-bg-info", "续签"))
    return out


def dispute_badges(d):
    if d.arbitration_eligible:
        return [("text-bg-danger", f"已超{(timezone.localdate() - d.applied_on).days}日未结，可申请仲裁")]
    return [("text-bg-light border", d.get_outcome_display())]


CONTRACTS = Kind(
    slug="contracts", app="labour", model=models.CollectiveContract, label="集体合同", icon="file-earmark-text",
    fields=["title", "kind", "reach", "union", "enterprises", "signed_on", "effective_from", "effective_to",
            "covered_employees", "wage_increase", "filing_status", "filed_on", "renews", "node", "note"],
    filterset=filters.ContractFilter, service=services.ContractService(models.CollectiveContract),
    select_related=("union", "renews", "renewed_by"), prefetch=("enterprises",),
    columns=[
        Column("合同名称", lambda c: c.title, width=30),
        Column("类别", lambda c: c.get_kind_display(), width=20),
        Column("覆盖范围", lambda c: c.get_reach_display()),
        Column("覆盖企业", _ents, width=30),
        Column("签订日期", lambda c: c.signed_on, sort="signed"),
        Column("生效日期", lambda c: c.effective_from),
        Column("到期日期", lambda c: c.effective_to, sort="ends"),
        Column("覆盖职工", lambda c: c.covered_employees),
        Column("工资增幅%", lambda c: float(c.wage_increase) if c.wage_increase is not None else None),
        Column("备案", lambda c: c.get_filing_status_display()),
        Column("所属组织", lambda c: c.node.display_name),
    ],
    children=[
        Child("rounds", models.NegotiationRound, "协商轮次", ["held_on", "summary"], "contract",
              [("协商日期", lambda r: r.held_on.strftime(D)), ("协商内容与结果", lambda r: r.summary)]),
        Child("checks", models.ComplianceCheck, "履约检查", ["checked_on", "findings", "compliant"], "contract",
              [("检查日期", lambda r: r.checked_on.strftime(D)), ("检查发现", lambda r: r.findings),
               ("履约良好", lambda r: r.compliant)]),
    ],
    badges=contract_badges,
    help="单个企业、行业性、区域性集体合同；续签时在新合同中选择“续签自”。",
    extra_links=[("90天内到期", "expiry=expiring"), ("已到期未续签", "expiry=expired_unrenewed"),
                 ("工资专项", "kind=wage")],
    natural_key=("title", "signed_on"),
)

RATINGS = Kind(
    slug="ratings", app="labour", model=models.HarmonyRating, label="和谐企业评定", icon="award",
    fields=["enterprise", "year", "level", "score", "rated_on", "revoked_on", "revoke_reason", "node", "note"],
    filterset=filters.RatingFilter, service=services.RatingService(models.HarmonyRating),
    select_related=("enterprise",),
    columns=[
        Column("企业", lambda r: r.enterprise.name, width=30),
        Column("年度", lambda r: r.year),
        Column("等级", lambda r: r.level),
        Column("评分", lambda r: float(r.score) if r.score is not None else None),
        Column("评定日期", lambda r: r.rated_on),
        Column("撤销日期", lambda r: r.revoked_on),
        Column("撤销原因", lambda r: r.revoke_reason),
    ],
    badges=lambda r: [("text-bg-secondary", "已撤销")] if r.revoked_on else [("text-bg-success", r.level)],
    help="等级逐级评定：AA 级须上一年度为 A 级，AAA 级须上一年度为 AA 级；撤销时填写撤销日期和原因。",
    natural_key=("enterprise", "year"),
)

DISPUTES = Kind(
    slug="disputes", app="labour", model=models.DisputeCase, label="劳动争议调解", icon="people",
    fields=["title", "enterprise", "kind", "workers", "worker_count", "amount_claimed", "mediator",
            "applied_on", "outcome", "closed_on", "amount_recovered", "node", "note"],
    filterset=filters.DisputeFilter, service=services.DisputeService(models.DisputeCase),
    select_related=("enterprise",),
    columns=[
        Column("案由", lambda d: d.title, width=30),
        Column("用人单位", lambda d: d.enterprise.name, width=28),
        Column("类别", lambda d: d.get_kind_display()),
        Column("职工方", lambda d: d.workers),
        Column("人数", lambda d: d.worker_count),
        Column("请求金额", lambda d: float(d.amount_claimed) if d.amount_claimed is not None else None),
        Column("调解组织", lambda d: d.get_mediator_display()),
        Column("申请日期", lambda d: d.applied_on),
        Column("结果", lambda d: d.get_outcome_display()),
        Column("结案日期", lambda d: d.closed_on),
        Column("追回金额", lambda d: float(d.amount_recovered) if d.amount_recovered is not None else None),
    ],
    children=[
        Child("steps", models.DisputeStep, "调解经过", ["on", "description"], "case",
              [("日期", lambda s: s.on.strftime(D)), ("经过", lambda s: s.description)]),
    ],
    badges=dispute_badges,
    help="申请调解之日起 15 日内未达成协议的，当事人可以依法申请仲裁（《劳动争议调解仲裁法》第十四条）。",
    extra_links=[("超过15日未结", "overdue=1"), ("欠薪案件", "kind=wages")],
    natural_key=("enterprise", "applied_on", "title"),
)

VISITS = Kind(
    slug="visits", app="labour", model=models.Visit, label="走访调研", icon="signpost",
    fields=["enterprise", "visited_on", "visitors", "purpose", "problems", "quarter", "node", "note"],
    filterset=filters.VisitFilter, service=services.VisitService(models.Visit), select_related=("enterprise",),
    prefetch=("follow_ups",),
    columns=[
        Column("走访企业", lambda v: v.enterprise.name, width=30),
        Column("走访日期", lambda v: v.visited_on),
        Column("计入季度", lambda v: v.quarter),
        Column("走访人员", lambda v: v.visitors),
        Column("发现的问题", lambda v: v.problems, width=40),
        Column("跟进事项", lambda v: len(v.follow_ups.all())),
        Column("未办结", lambda v: sum(1 for f in v.follow_ups.all() if not f.closed_on)),
    ],
    children=[
        Child("follow_ups", models.FollowUp, "跟进事项", ["action", "due_on", "closed_on", "result"], "visit",
              [("跟进事项", lambda f: f.action), ("完成期限", lambda f: f.due_on.strftime(D)),
               ("办结日期", lambda f: f.closed_on.strftime(D) if f.closed_on else ("已逾期" if f.overdue else "")),
               ("办理结果", lambda f: f.result)],
              editable=["closed_on", "result"]),
    ],
    badges=lambda v: [("text-bg-warning", "有逾期未办结")] if any(f.overdue for f in v.follow_ups.all()) else [],
    help="为企业办实事、解难题；每季度反馈一次情况。",
    natural_key=("enterprise", "visited_on"),
)

INSPECTIONS = Kind(
    slug="inspections", app="labour", model=models.SafetyInspection, label="安全检查", icon="shield-check",
    fields=["enterprise", "unit_name", "inspected_on", "inspectors", "scope", "node", "note"],
    filterset=filters.InspectionFilter, service=services.InspectionService(models.SafetyInspection),
    select_related=("enterprise",), prefetch=("hazards",),
    columns=[
        Column("受检单位", lambda i: i.unit, width=30),
        Column("检查日期", lambda i: i.inspected_on),
        Column("检查内容", lambda i: i.scope, width=24),
        Column("检查人员", lambda i: i.inspectors),
        Column("查出隐患", lambda i: len(i.hazards.all())),
        Column("已整改", lambda i: sum(1 for h in i.hazards.all() if h.rectified_on)),
    ],
    children=[
        Child("hazards", models.Hazard, "安全隐患", ["description", "deadline", "rectified_on"], "inspection",
              [("隐患", lambda h: h.description), ("整改期限", lambda h: h.deadline.strftime(D)),
               ("整改完成", lambda h: h.rectified_on.strftime(D) if h.rectified_on else "未整改")],
              editable=["rectified_on"]),
    ],
    badges=lambda i: [("text-bg-warning", "有未整改隐患")] if any(not h.rectified_on for h in i.hazards.all()) else [],
    natural_key=("enterprise", "unit_name", "inspected_on"),
)

CONGRESSES = Kind(
    slug="congresses", app="labour", model=models.CongressMeeting, label="职代会/职工大会", icon="megaphone",
    fields=["enterprise", "kind", "held_on", "delegates", "attended", "items_reviewed", "resolutions", "node", "note"],
    filterset=filters.CongressFilter, service=services.CongressService(models.CongressMeeting),
    select_related=("enterprise",),
    columns=[
        Column("单位", lambda m: m.enterprise.name if m.enterprise_id else m.node.display_name, width=30),
        Column("会议类型", lambda m: m.get_kind_display()),
        Column("召开日期", lambda m: m.held_on),
        Column("应到", lambda m: m.delegates),
        Column("实到", lambda m: m.attended),
        Column("审议事项", lambda m: "；".join(m.items), width=40),
    ],
    natural_key=("enterprise", "kind", "held_on"),
)

OPEN_AFFAIRS = Kind(
    slug="open-affairs", app="labour", model=models.OpenAffairsItem, label="厂务公开", icon="clipboard-check",
    fields=["enterprise", "kind", "published_on", "title", "content", "channel", "node", "note"],
    filterset=filters.OpenAffairsFilter, service=services.OpenAffairsService(models.OpenAffairsItem),
    select_related=("enterprise",),
    columns=[
        Column("公开事项", lambda o: o.title, width=30),
        Column("类型", lambda o: o.get_kind_display()),
        Column("单位", lambda o: o.enterprise.name if o.enterprise_id else o.node.display_name, width=28),
        Column("公开日期", lambda o: o.published_on),
        Column("公开形式", lambda o: o.channel),
    ],
    natural_key=("title", "published_on"),
)

SCREENINGS = Kind(
    slug="screenings", app="labour", model=models.ScreeningRound, label="稳定排查", icon="search",
    fields=["title", "held_on", "scope", "units_screened", "node", "note"],
    filterset=filters.ScreeningFilter, service=services.ScreeningService(models.ScreeningRound),
    prefetch=("issues",),
    columns=[
        Column("排查名称", lambda s: s.title, width=30),
        Column("排查日期", lambda s: s.held_on),
        Column("排查单位数", lambda s: s.units_screened),
        Column("发现问题", lambda s: len(s.issues.all())),
        Column("已化解", lambda s: sum(1 for i in s.issues.all() if i.resolved_on)),
    ],
    children=[
        Child("issues", models.ScreeningIssue, "发现的问题", ["enterprise", "description", "resolved_on", "resolution"],
              "round", [("涉及企业", lambda i: i.enterprise.name if i.enterprise_id else ""),
                        ("问题", lambda i: i.description),
                        ("化解日期", lambda i: i.resolved_on.strftime(D) if i.resolved_on else "未化解"),
                        ("化解情况", lambda i: i.resolution)],
              editable=["resolved_on", "resolution"]),
    ],
    natural_key=("title", "held_on"),
)

KINDS = [CONTRACTS, RATINGS, DISPUTES, VISITS, INSPECTIONS, CONGRESSES, OPEN_AFFAIRS, SCREENINGS]
