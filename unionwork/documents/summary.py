"""工作总结 from records: sections in the order unions write them, every figure computed and linked.

A paragraph is a list of segments: plain text, or a figure with the address of the records behind it.
The HTML preview shows the links; the Word document shows the same words.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from unionwork.activities.models import (
    Activity,
    CadreTest,
    InfoReport,
    MonthlyQuestion,
    ResearchReport,
    TrainingSession,
)
from unionwork.care.models import (
    Campaign,
    DonationDrive,
    HardshipFile,
    HealthCheckRound,
    InsuranceEnrolment,
)
from unionwork.care.selectors import campaign_totals, donation_totals
from unionwork.core.scope import path_prefix_q
from unionwork.directory.models import Union
from unionwork.labour.models import (
    CollectiveContract,
    CongressMeeting,
    DisputeCase,
    OpenAffairsItem,
    SafetyInspection,
    ScreeningRound,
    Visit,
)
from unionwork.labour.selectors import rectification, screening_totals
from unionwork.org.models import Node
from unionwork.plans import indicators as ind
from unionwork.plans.services import targets_for

SECTION_TITLES = ["一、学习教育", "二、组织建设", "三、维权", "四、帮扶服务", "五、文化活动", "六、共建", "七、安全稳定",
                  "八、存在的不足", "九、下一步打算"]


@dataclass
class Segment:
    text: str
    url: str = ""


@dataclass
class Section:
    title: str
    paragraphs: list = field(default_factory=list)

    def add(self, *parts):
        segs = [p if isinstance(p, Segment) else Segment(str(p)) for p in parts]
        self.paragraphs.append(segs)


@dataclass
class Summary:
    node: Node
    period: ind.Period
    title: str
    sections: list

    def text(self):
        return "\n".join(s.title + "\n" + "\n".join("".join(seg.text for seg in p) for p in s.paragraphs)
                         for s in self.sections)


def _n(value):
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}" if value.as_tuple(
        ).exponent == -1 else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _fig(node, period, key, which="num"):
    return reverse("plans:records", args=[key]) + f"?node={node.pk}&year={period.end.year}&which={which}"


def _list_url(kind_url, year):
    return f"{kind_url}?year={year}"


def build(node: Node, period: ind.Period) -> Summary:
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    in_period = lambda f: {f"{f}__range": (period.start, period.end)}  # noqa: E731
    figures = ind.compute(node, period)[node.pk]
    last = ind.compute(node, period.shifted_year(-1))[node.pk]
    targets = targets_for(node, period.end.year)
    year = period.end.year

    def compare(key):
        now, before = figures[key].value, last[key].value
        if now is None or before is None:
            return ""
        unit = "个百分点" if ind.REGISTRY[key].is_rate else ind.REGISTRY[key].unit
        diff = Decimal(now) - Decimal(before)
        if diff == 0:
            return "，与上年同期持平"
        return f"，比上年同期{'增加' if diff > 0 else '减少'}{_n(abs(diff))}{unit}"

    def against_target(key):
        target, value = targets.get(key), figures[key].value
        if target is None or value is None:
            return ""
        return f"（目标{_n(target)}{'%' if ind.REGISTRY[key].is_rate else ind.REGISTRY[key].unit}，" + (
            "已完成）" if value >= target else "尚未完成）")

    def rate(key, label):
        f = figures[key]
        if f.value is None:
            return None
        return [Segment(f"{label}"), Segment(f"{_n(f.value)}%", _fig(node, period, key)),
                Segment(against_target(key) + compare(key))]

    sections = {t: Section(t) for t in SECTION_TITLES}

    # 一、学习教育
    s = sections["一、学习教育"]
    study = Activity.objects.filter(node__in=ids, archived_at__isnull=True, kind__in=["study", "lecture"],
                                    **in_period("starts_on"))
    agg = study.aggregate(n=Count("pk"), times=Sum("person_times"))
    if agg["n"]:
        names = "、".join(f"“{a.title}”" for a in study[:5])
        s.add("开展学习教育和讲座培训", Segment(f"{agg['n']}次", _list_url(reverse("activities:activities_list"), year)),
              f"，职工参加{agg['times'] or 0}人次，主要有{names}{'等' if agg['n'] > 5 else ''}。")
    trainings = TrainingSession.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("held_on"))
    t = trainings.aggregate(n=Count("pk"), people=Sum("attendees"), hours=Sum("hours"))
    if t["n"]:
        s.add("举办工会干部培训", Segment(f"{t['n']}期", reverse("activities:trainings_list")),
              f"，参训{t['people']}人次，共{_n(t['hours'])}学时。")
    questions = MonthlyQuestion.objects.filter(Q(node__in=ids) | Q(node_id__in=node.ancestor_ids()),
                                               archived_at__isnull=True, **in_period("published_on")).count()
    if questions:
        answered = figures["question_participation"]
        s.add(f"坚持“每月一题”学习，共{questions}题，干部答题", Segment(f"{_n(answered.num)}人次",
                                                                  _fig(node, period, "question_participation")),
              f"，平均{_n(figures['question_score'].value)}分。" if figures["question_score"].value is not None else "。")
    tests = CadreTest.objects.filter(Q(node__in=ids) | Q(node_id__in=node.ancestor_ids()), archived_at__isnull=True,
                                     **in_period("held_on"))
    for test in tests[:3]:
        scores = list(test.scores.filter(cadre_node__in=ids).values_list("score", flat=True))
        if scores:
            s.add(f"组织{test.title}，{len(scores)}名干部参加，平均{_n(sum(scores) / len(scores))}分。")

    # 二、组织建设
    s = sections["二、组织建设"]
    new_unions = Union.objects.filter(node__parent__in=ids, archived_at__isnull=True, **in_period("founded_on"))
    if new_unions.exists():
        names = "、".join(u.name for u in new_unions[:6])
        s.add("新建基层工会", Segment(f"{new_unions.count()}个", _fig(node, period, "new_unions")),
              compare("new_unions") + f"，有{names}{'等' if new_unions.count() > 6 else ''}。")
    parts = [p for p in (rate("union_rate_25", "25人以上企业单独建会率"), rate("union_rate_all", "名录库正常经营企业建会率"))
             if p]
    if parts:
        s.add(*parts[0], *([Segment("；")] + parts[1] if len(parts) > 1 else []), "。")
    members = figures["member_rate"]
    if members.den:
        s.add("已建会企业在册会员", Segment(f"{_n(members.num)}人", _fig(node, period, "member_rate")),
              f"，入会率{_n(members.value)}%{compare('member_rate')}。")
    ds = rate("double_show", "推行工会亮牌子、主席亮身份“双亮”，双亮率")
    if ds:
        s.add(*ds, "。")

    # 三、维权
    s = sections["三、维权"]
    contracts = CollectiveContract.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("signed_on"))
    if contracts.exists():
        by_kind = contracts.values("kind").annotate(n=Count("pk"))
        labels = dict(CollectiveContract._meta.get_field("kind").choices)
        kinds = "、".join(f"{labels[r['kind']]}{r['n']}份" for r in by_kind)
        rounds = [c for c in contracts.annotate(r=Count("rounds")).filter(r__gte=2)[:3]]
        detail = "".join(f"；{c.title}经{c.r}轮协商签订" for c in rounds)
        s.add("签订集体合同", Segment(f"{contracts.count()}份", reverse("labour:contracts_list") + f"?year={year}"),
              f"（{kinds}）{detail}。")
    wr = rate("wage_rate", "工资集体协商建制率")
    if wr:
        s.add(*wr, "；", "新增建制企业", Segment(f"{_n(figures['new_wage'].num)}家", _fig(node, period, "new_wage")), "。")
    hr = rate("harmony_rate", "A级以上和谐企业占单独建会企业的")
    if hr and figures["harmony_rate"].num:
        s.add(*hr, "；新增和谐企业", Segment(f"{_n(figures['new_harmony'].num)}家", _fig(node, period, "new_harmony")),
              "。")
    disputes = DisputeCase.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("applied_on"))
    if disputes.exists():
        d = disputes.aggregate(n=Count("pk"), ok=Count("pk", filter=Q(outcome="success")),
                               recovered=Sum("amount_recovered"), workers=Sum("worker_count"))
        s.add("受理劳动争议调解", Segment(f"{d['n']}件", reverse("labour:disputes_list") + f"?year={year}"),
              f"，涉及职工{d['workers'] or 0}人，调解成功{d['ok']}件"
              + (f"，为职工追回{_n(d['recovered'])}元" if d["recovered"] else "") + "。")
    congresses = CongressMeeting.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("held_on"))
    if congresses.exists():
        s.add("指导企业召开职代会、职工大会", Segment(f"{congresses.count()}次", reverse("labour:congresses_list")),
              "，审议", "、".join(sorted({i for m in congresses[:20] for i in m.items})[:4]), "等事项。")
    affairs = OpenAffairsItem.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("published_on"))
    if affairs.exists():
        s.add("推行厂务、企务、政务公开，公开事项", Segment(f"{affairs.count()}项", reverse("labour:open-affairs_list")), "。")
    visits = Visit.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("visited_on"))
    if visits.exists():
        s.add("走访企业", Segment(f"{visits.count()}家次", reverse("labour:visits_list") + f"?year={year}"),
              "，了解企业生产经营状况和职工诉求，帮助解决实际问题。")

    # 四、帮扶服务
    s = sections["四、帮扶服务"]
    for c in Campaign.objects.filter(Q(node__in=ids) | Q(node_id__in=node.ancestor_ids()), archived_at__isnull=True,
                                     starts_on__lte=period.end, ends_on__gte=period.start):
        totals = campaign_totals(c)
        if totals["times"]:
            s.add(f"开展“{c.get_kind_display() if c.kind != 'custom' else c.name}”活动，帮扶",
                  Segment(f"{totals['people']}人（户）", reverse("care:campaigns_detail", args=[c.pk])),
                  f"、{totals['times']}人次，发放资金和物资{_n(totals['total'])}元。")
    files = HardshipFile.objects.filter(node__in=ids, archived_at__isnull=True, status="active")
    if files.exists():
        overdue = files.filter(next_review_on__lt=period.end).count()
        s.add("在档困难职工", Segment(f"{files.count()}户", reverse("care:hardship_list") + "?status=active"),
              f"，其中{overdue}户尚未按期复核。" if overdue else "，均已按期复核。")
    drives = {}
    for drive in DonationDrive.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("starts_on")):
        t = donation_totals(drive)  # drives of the same name in several communities are told as one
        total = drives.setdefault(drive.name, {"amount": Decimal(0), "goods": {}, "n": 0})
        total["amount"] += t["amount"]
        total["n"] += 1
        for k, v in t["goods"].items():
            total["goods"][k] = total["goods"].get(k, 0) + v
    for name, t in drives.items():
        goods = "，捐赠" + "、".join(f"{k}{v}" for k, v in t["goods"].items()) if t["goods"] else ""
        s.add(f"组织“{name}”，捐款", Segment(f"{_n(t['amount'])}元", reverse("care:donations_list") + f"?q={name}"),
              f"{goods}。")
    placed = figures["placements"]
    if placed.num:
        s.add("帮助下岗失业人员再就业", Segment(f"{_n(placed.num)}人", _fig(node, period, "placements")), compare("placements") + "。")
    checks = HealthCheckRound.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("held_on"))
    if checks.exists():
        hc = figures["health_check_rate"]
        s.add("组织女职工妇检", Segment(f"{_n(hc.num)}人", _fig(node, period, "health_check_rate")),
              f"，参检率{_n(hc.value)}%。")
    insured = InsuranceEnrolment.objects.filter(node__in=ids, archived_at__isnull=True, year=year).aggregate(
        n=Sum("enrolled"))["n"]
    if insured:
        s.add(f"为{insured}名女职工办理安康保险。")

    # 五、文化活动
    s = sections["五、文化活动"]
    culture = Activity.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("starts_on"),
                                      kind__in=["culture_sport", "skill_contest", "labour_contest", "volunteer"])
    if culture.exists():
        agg = culture.aggregate(n=Count("pk"), times=Sum("person_times"))
        s.add("开展劳动竞赛、技能比武和文体活动", Segment(f"{agg['n']}次", reverse("activities:activities_list")),
              f"，参加{agg['times'] or 0}人次。")
        for a in culture.prefetch_related("awards", "results")[:30]:
            awards, results = list(a.awards.all()), list(a.results.all())
            if awards or results:
                what = "；".join([*(str(r) for r in results), *(f"获得{w.title}" for w in awards)])
                s.add(f"“{a.title}”：{what}。")

    # 六、共建
    s = sections["六、共建"]
    co = Activity.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("starts_on")).filter(
        Q(kind="co_building") | ~Q(partners=""))
    if co.exists():
        partners = sorted({p for a in co for p in a.partners.replace(",", "、").split("、") if p})
        s.add("与", "、".join(partners[:8]) or "共建单位", "等共建单位联合开展活动",
              Segment(f"{co.count()}次", reverse("activities:activities_list")), "。")

    # 七、安全稳定
    s = sections["七、安全稳定"]
    inspections = SafetyInspection.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("inspected_on"))
    r = rectification(inspections)
    if r["inspections"]:
        s.add("组织安全检查", Segment(f"{r['inspections']}次", reverse("labour:inspections_list") + f"?year={year}"),
              "，查出安全隐患", Segment(f"{r['found']}处", _fig(node, period, "rectification", "den")),
              "，督促整改", Segment(f"{r['rectified']}处", _fig(node, period, "rectification")),
              f"，整改率达{_n(Decimal(str(r['rate'])))}%。" if r["rate"] is not None else "。")
    rounds = ScreeningRound.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("held_on"))
    sc = screening_totals(rounds)
    if sc["rounds"]:
        s.add("开展职工队伍稳定排查", Segment(f"{sc['rounds']}次", reverse("labour:screenings_list")),
              f"，发现问题{sc['found']}个，已化解{sc['resolved']}个。")

    # 八、存在的不足 and 九、下一步打算: indicators below target.
    short, nexts = sections["八、存在的不足"], sections["九、下一步打算"]
    for key, target in targets.items():
        indicator = ind.REGISTRY.get(key)
        fig = figures.get(key)
        if indicator is None or fig is None:
            continue
        g = ind.gap(indicator, fig, target)
        if not g:
            continue
        unit = "%" if indicator.is_rate else indicator.unit
        short.add(f"{indicator.name}为", Segment(f"{_n(fig.value)}{unit}", _fig(node, period, key)),
                  f"，未达到{_n(target)}{unit}的目标" + (f"，差{g['points']}个百分点" if g["points"] else "") + "。")
        link = _fig(node, period, key, "missing") if indicator.has_missing else _fig(node, period, key)
        nexts.add(f"围绕{indicator.name}目标，", Segment(f"还需{g['records']}{indicator.gap_noun or unit}", link),
                  "，逐一落实到社区和企业，按季度跟踪。")
    info = InfoReport.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("reported_on"))
    if info.exists():
        adoption = figures["info_adoption"]
        sections["一、学习教育"].add("报送各类信息", Segment(f"{_n(adoption.den)}篇", _fig(node, period, "info_adoption", "den")),
                                    "，被录用", Segment(f"{_n(adoption.num)}篇", _fig(node, period, "info_adoption")), "。")
    reports = ResearchReport.objects.filter(node__in=ids, archived_at__isnull=True, **in_period("completed_on"))
    if reports.exists():
        awarded = reports.exclude(award="").count()
        sections["一、学习教育"].add("撰写调研报告和论文", Segment(f"{reports.count()}篇", reverse("activities:reports_list")),
                                    f"，其中{awarded}篇获奖。" if awarded else "。")

    kept = [s for s in sections.values() if s.paragraphs]
    title = f"{node.display_name}{period.label}工作总结"
    return Summary(node=node, period=period, title=title, sections=kept)
