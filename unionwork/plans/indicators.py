"""The indicator registry: every figure the union reports, defined once, computed from records.

An indicator has a numerator (and, for a rate, a denominator) given as querysets of records at a
reference date or over a period. Values for every node of a subtree come from one grouped query per
part, rolled up along the tree's paths in Python, so the cost does not grow with the number of nodes.
"""

import calendar
import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, Q, Sum

from unionwork.activities.models import Answer, InfoReport, MonthlyQuestion, ResearchReport
from unionwork.care.models import Assistance, HealthCheckRound, Placement
from unionwork.core.paging import NoIndex
from unionwork.core.scope import path_prefix_q
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.labour.models import CollectiveContract, DisputeCase, HarmonyRating, Hazard
from unionwork.org.models import Node

# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # also the reference date of stock figures (建会率 at the end of the period)
    label: str = ""

    @classmethod
    def year(cls, year, until=None):
        end = datetime.date(year, 12, 31)
        if until and until < end:
            end = until
        return cls(datetime.date(year, 1, 1), end, f"{year}年" + ("" if end.month == 12 and end.day == 31
                                                                  else f"（截至{end:%m月%d日}）"))

    @classmethod
    def half(cls, year, half):
        return cls(datetime.date(year, 1 if half == 1 else 7, 1),
                   datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31),
                   f"{year}年{'上' if half == 1 else '下'}半年")

    @classmethod
    def quarter(cls, year, q):
        start_month = 3 * (q - 1) + 1
        end_month = start_month + 2
        return cls(datetime.date(year, start_month, 1),
                   datetime.date(year, end_month, calendar.monthrange(year, end_month)[1]), f"{year}年第{q}季度")

    def shifted_year(self, years=-1):
        def shift(d):
            try:
                return d.replace(year=d.year + years)
            except ValueError:
                return d.replace(year=d.year + years, day=28)
        return Period(shift(self.start), shift(self.end), "")

    @property
    def quarters_elapsed(self):
        return (self.end.month - 1) // 3 + 1 if self.end.year == self.start.year else 4


# ---------------------------------------------------------------- record sets at a date


def operating_enterprises(day):
    """Operating on that day: established by then, and not closed, suspended or moved out by then."""
    return Enterprise.objects.filter(
        Q(established_on__isnull=True) | Q(established_on__lte=day),
        Q(status="operating") | Q(status_date__gt=day), archived_at__isnull=True)


def live_unions(day):
    return Union.objects.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day),
                                Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day), archived_at__isnull=True)


def covered(day, own=False):
    qs = operating_enterprises(day).filter(union__in=live_unions(day))
    return qs.filter(union__kind="single") if own else qs


def wage_contracts_in_force(day):
    return CollectiveContract.objects.filter(kind="wage", effective_from__lte=day, effective_to__gte=day,
                                             archived_at__isnull=True)


def wage_covered_ids(day):
    """Enterprises named on a wage agreement in force: a flat subquery of the link table."""
    return CollectiveContract.enterprises.through.objects.filter(
        collectivecontract__in=wage_contracts_in_force(day)).values("enterprise_id")


def rated(day):
    ratings = HarmonyRating.objects.filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=day), archived_at__isnull=True,
                                           year__in=[day.year, day.year - 1], rated_on__lte=day)
    return Enterprise.objects.filter(pk__in=ratings.values("enterprise"))


# ---------------------------------------------------------------- the registry


@dataclass
class Part:
    """One side of a figure: records, the field that places each in the tree, and what to add up."""

    records: Any  # callable(period) -> queryset
    node_field: str = "node"
    total: str = ""  # a field to sum; empty: count the records
    distinct_by: str = ""  # count distinct values of this field per node (e.g. quarter)
    grouped: Any = None  # callable(period, base_ids) -> {node_id: value}: a faster way to the same numbers


@dataclass
class Indicator:
    key: str
    name: str
    explanation: str
    unit: str  # "%" for rates, else what is counted: 家, 个, 人次, 元, 人
    section: str
    num: Part
    den: Part | None = None
    den_constant: Any = None  # callable(period) -> the denominator when it is not a record count
    gap_noun: str = ""  # "家企业新建会": what the missing records are, for "还需…N家"
    missing: Any = None  # callable(period) -> queryset of the records still to be won (denominator − numerator)
    target_default: Decimal | None = None
    per_child_default: Decimal | None = None
    drill: dict = field(default_factory=dict)

    @property
    def is_rate(self):
        return self.unit == "%"

    @property
    def has_missing(self):
        return self.missing is not None

    @property
    def has_den(self):
        return self.den is not None


REGISTRY: dict[str, Indicator] = {}


def register(ind: Indicator):
    REGISTRY[ind.key] = ind
    return ind


def _year_of(p):
    return p.end.year


register(Indicator(
    "union_rate_25", "25人以上企业单独建会率",
    "正常经营、职工25人及以上、已单独建会的企业 ÷ 正常经营、职工25人及以上的企业（以统计截止日为准）",
    "%", "组织建设",
    num=Part(lambda p: covered(p.end, own=True).filter(employees__gte=25)),
    den=Part(lambda p: operating_enterprises(p.end).filter(employees__gte=25)),
    missing=lambda p: operating_enterprises(p.end).filter(employees__gte=25).exclude(
        pk__in=covered(p.end, own=True).values("pk")),
    gap_noun="家企业单独建会", target_default=Decimal(95)))

register(Indicator(
    "union_rate_all", "名录库正常经营企业建会率",
    "被工会（单独或联合）覆盖的正常经营企业 ÷ 正常经营企业", "%", "组织建设",
    num=Part(lambda p: covered(p.end)), den=Part(lambda p: operating_enterprises(p.end)),
    missing=lambda p: operating_enterprises(p.end).exclude(pk__in=covered(p.end).values("pk")),
    gap_noun="家企业建会", target_default=Decimal(95)))

register(Indicator(
    "new_unions", "新增建会", "期间内成立的基层工会", "个", "组织建设",
    num=Part(lambda p: Union.objects.filter(founded_on__range=(p.start, p.end), archived_at__isnull=True),
             node_field="node__parent"),
    gap_noun="个工会", per_child_default=Decimal(2)))

def _members_of_covered(period, base_ids):
    """Active members per community, counting only those whose employer is covered on the date.

    The same count as the numerator's queryset, but as two flat grouped queries: SQLite plans the
    subquery form over 200,000 members badly.
    """
    enterprises = dict(covered(period.end).filter(node__in=base_ids).order_by().values_list("pk", "node_id"))
    out = defaultdict(Decimal)
    # A member's own node is their union's, inside the same subtree as their employer's community.
    # The node test row by row (NoIndex), so SQLite reads the (enterprise, status, archive, node) index
    # in enterprise order and groups as it goes: 43 ms for a district, where finding the members through
    # the node index and grouping them in a temporary tree took 430.
    rows = (Member.objects.alias(member_node=NoIndex("node_id", output_field=BigIntegerField()))
            .filter(member_node__in=base_ids, membership_status="active", archived_at__isnull=True)
            .order_by().values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n"))
    for enterprise_id, n in rows:
        node_id = enterprises.get(enterprise_id)
        if node_id is not None:
            out[node_id] += n
    return out


register(Indicator(
    "member_rate", "入会率", "已建会的正常经营企业中在册会员 ÷ 这些企业的职工人数", "%", "组织建设",
    num=Part(lambda p: Member.objects.filter(enterprise__in=covered(p.end), membership_status="active",
                                             archived_at__isnull=True), node_field="enterprise__node",
             grouped=_members_of_covered),
    den=Part(lambda p: covered(p.end), total="employees"), gap_noun="名职工入会"))

register(Indicator(
    "double_show", "双亮率", "工会亮牌子且主席亮身份的基层工会 ÷ 基层工会", "%", "组织建设",
    num=Part(lambda p: live_unions(p.end).filter(sign_shown=True, chair_shown=True), node_field="node__parent"),
    den=Part(lambda p: live_unions(p.end), node_field="node__parent"),
    missing=lambda p: live_unions(p.end).exclude(sign_shown=True, chair_shown=True), gap_noun="个工会实现双亮"))

register(Indicator(
    "term_timely", "换届及时率", "本届任期未届满的基层工会 ÷ 登记了届满日期的基层工会", "%", "组织建设",
    num=Part(lambda p: live_unions(p.end).filter(term_end__gte=p.end), node_field="node__parent"),
    den=Part(lambda p: live_unions(p.end).filter(term_end__isnull=False), node_field="node__parent"),
    missing=lambda p: live_unions(p.end).filter(term_end__lt=p.end), gap_noun="个工会按期换届"))

register(Indicator(
    "wage_rate", "工资集体协商建制率",
    "被工资专项集体合同（在有效期内）覆盖的已建会正常经营企业 ÷ 已建会正常经营企业", "%", "维权",
    num=Part(lambda p: covered(p.end).filter(contracts__in=wage_contracts_in_force(p.end)).distinct()),
    den=Part(lambda p: covered(p.end)),
    # Not exclude(contracts__in=…): SQLite plans that anti-join over every enterprise badly (11 s).
    missing=lambda p: covered(p.end).exclude(pk__in=wage_covered_ids(p.end)),
    gap_noun="家企业建制", target_default=Decimal(90)))

register(Indicator(
    "new_wage", "新增建制企业", "期间内首次被工资专项集体合同覆盖的企业", "家", "维权",
    num=Part(lambda p: Enterprise.objects.annotate(
        first=Count("contracts", filter=Q(contracts__kind="wage", contracts__effective_from__lt=p.start,
                                          contracts__archived_at__isnull=True)))
        .filter(first=0, contracts__kind="wage", contracts__effective_from__range=(p.start, p.end),
                contracts__archived_at__isnull=True).distinct()),
    gap_noun="家企业", per_child_default=Decimal(2)))

register(Indicator(
    "harmony_rate", "A级以上和谐企业占比", "评定为A级及以上（有效）的单独建会正常经营企业 ÷ 单独建会正常经营企业",
    "%", "维权",
    num=Part(lambda p: covered(p.end, own=True).filter(pk__in=rated(p.end).values("pk"))),
    den=Part(lambda p: covered(p.end, own=True)),
    missing=lambda p: covered(p.end, own=True).exclude(pk__in=rated(p.end).values("pk")),
    gap_noun="家企业评为和谐企业", target_default=Decimal(40)))

register(Indicator(
    "new_harmony", "新增和谐企业", "期间内首次评定为A级及以上的企业", "家", "维权",
    num=Part(lambda p: Enterprise.objects.annotate(
        earlier=Count("harmony_ratings", filter=Q(harmony_ratings__rated_on__lt=p.start)))
        .filter(earlier=0, harmony_ratings__rated_on__range=(p.start, p.end)).distinct()),
    gap_noun="家企业", per_child_default=Decimal(2)))

register(Indicator(
    "mediation_success", "调解成功率", "期间内调解成功结案的争议 ÷ 期间内结案的争议", "%", "维权",
    num=Part(lambda p: DisputeCase.objects.filter(outcome="success", closed_on__range=(p.start, p.end),
                                                  archived_at__isnull=True)),
    den=Part(lambda p: DisputeCase.objects.filter(closed_on__range=(p.start, p.end), archived_at__isnull=True)
             .exclude(outcome="pending"))))

register(Indicator(
    "rectification", "隐患整改率", "期间内检查查出的隐患中已整改的 ÷ 查出的隐患", "%", "安全稳定",
    num=Part(lambda p: Hazard.objects.filter(inspection__inspected_on__range=(p.start, p.end),
                                             inspection__archived_at__isnull=True, rectified_on__isnull=False),
             node_field="inspection__node"),
    den=Part(lambda p: Hazard.objects.filter(inspection__inspected_on__range=(p.start, p.end),
                                             inspection__archived_at__isnull=True), node_field="inspection__node"),
    gap_noun="处隐患整改"))

register(Indicator(
    "info_adoption", "信息录用率", "期间内报送并被录用的信息 ÷ 报送的信息", "%", "自身建设",
    num=Part(lambda p: InfoReport.objects.filter(reported_on__range=(p.start, p.end), adopted=True,
                                                 archived_at__isnull=True)),
    den=Part(lambda p: InfoReport.objects.filter(reported_on__range=(p.start, p.end), archived_at__isnull=True))))

register(Indicator(
    "quarterly_info", "按季信息报送", "有信息报送的季度 ÷ 已过去的季度（每个组织自己的报送；上级汇总下级）", "%",
    "自身建设",
    num=Part(lambda p: InfoReport.objects.filter(reported_on__range=(p.start, p.end), archived_at__isnull=True),
             distinct_by="quarter"),
    den_constant=lambda p: p.quarters_elapsed, target_default=Decimal(100), gap_noun="个季度报送信息"))

register(Indicator(
    "research_reports", "调研报告完成率", "年内完成调研报告的基层工会主席、副主席 ÷ 基层工会主席、副主席", "%",
    "自身建设",
    num=Part(lambda p: ResearchReport.objects.filter(
        kind="research", completed_on__year=_year_of(p), author_role__in=["chair", "vice_chair"],
        archived_at__isnull=True, union__isnull=False), node_field="union__node__parent",
        distinct_by="author"),
    den=Part(lambda p: live_unions(p.end), node_field="node__parent", total="officer_count"),
    target_default=Decimal(100), gap_noun="名主席、副主席完成调研报告"))

register(Indicator(
    "aid_times", "帮扶人次", "期间内的帮扶记录（人次）", "人次", "帮扶服务",
    num=Part(lambda p: Assistance.objects.filter(given_on__range=(p.start, p.end), archived_at__isnull=True))))

register(Indicator(
    "aid_amount", "帮扶金额", "期间内发放的帮扶资金和物资折款", "元", "帮扶服务",
    num=Part(lambda p: Assistance.objects.filter(given_on__range=(p.start, p.end), archived_at__isnull=True),
             total="amount")))

register(Indicator(
    "placements", "再就业安置", "期间内安置就业的人数", "人", "帮扶服务",
    num=Part(lambda p: Placement.objects.filter(placed_on__range=(p.start, p.end), archived_at__isnull=True))))

register(Indicator(
    "health_check_rate", "妇检参检率", "期间内女职工妇检实检人数 ÷ 应检人数", "%", "帮扶服务",
    num=Part(lambda p: HealthCheckRound.objects.filter(held_on__range=(p.start, p.end), archived_at__isnull=True),
             total="attended"),
    den=Part(lambda p: HealthCheckRound.objects.filter(held_on__range=(p.start, p.end), archived_at__isnull=True),
             total="eligible")))

register(Indicator(
    "question_participation", "每月一题参与率", "期间内各社区干部的答题次数 ÷（发布的题目数 × 社区数）", "%",
    "自身建设",
    num=Part(lambda p: Answer.objects.filter(question__published_on__range=(p.start, p.end),
                                             question__archived_at__isnull=True), node_field="cadre_node"),
    den_constant=lambda p, node=None: None))

register(Indicator(
    "question_score", "每月一题平均分", "期间内已评分答题的平均分", "分", "自身建设",
    num=Part(lambda p: Answer.objects.filter(question__published_on__range=(p.start, p.end), score__isnull=False,
                                             question__archived_at__isnull=True), node_field="cadre_node",
             total="score"),
    den=Part(lambda p: Answer.objects.filter(question__published_on__range=(p.start, p.end), score__isnull=False,
                                             question__archived_at__isnull=True), node_field="cadre_node")))

SECTIONS = ["组织建设", "维权", "帮扶服务", "安全稳定", "自身建设"]


# ---------------------------------------------------------------- computing


@dataclass
class Figure:
    num: Decimal
    den: Decimal | None
    value: Decimal | None

    def as_dict(self):
        return {"num": str(self.num), "den": None if self.den is None else str(self.den),
                "value": None if self.value is None else str(self.value)}


def _officer_counts(qs):
    """Chairs and vice-chairs named on each union (the research-report denominator)."""
    out = defaultdict(int)
    for node_id, chair, vices in qs.values_list("node__parent", "chair_name", "vice_chairs"):
        names = [chair] if chair else []
        names += [v for v in vices.replace(",", "、").replace("，", "、").split("、") if v.strip()]
        out[node_id] += len(names)
    return out


def _grouped(part: Part, period: Period, base_ids):
    if part.grouped is not None:
        return part.grouped(period, base_ids), False
    qs = part.records(period).filter(**{f"{part.node_field}__in": base_ids})
    if part.total == "officer_count":
        return _officer_counts(qs), False
    if part.distinct_by:
        rows = qs.values_list(part.node_field, part.distinct_by).distinct()
        out = defaultdict(set)
        for node_id, key in rows:
            out[node_id].add(key)
        return out, True
    agg = Sum(part.total) if part.total else Count("pk", distinct=True)
    rows = qs.order_by().values(part.node_field).annotate(v=agg).values_list(part.node_field, "v")
    return {node_id: Decimal(v or 0) for node_id, v in rows}, False


def _roll_up(values, is_set, paths, base_path):
    """Add (or unite) each node's own value into every ancestor within the subtree."""
    totals = defaultdict(set) if is_set else defaultdict(Decimal)
    depth0 = len(base_path.strip("/").split("/")) if base_path else 0
    for node_id, v in values.items():
        path = paths.get(node_id)
        if path is None:
            continue
        ids = [int(x) for x in path.strip("/").split("/")][max(depth0 - 1, 0):]
        for anc in ids:
            if is_set:
                totals[anc] |= v
            else:
                totals[anc] += v
    return totals


def compute(base: Node, period: Period, keys=None) -> dict[int, dict[str, Figure]]:
    """Every indicator for the base node and every node below it."""
    nodes = list(Node.objects.filter(path_prefix_q("path", base.path)).values_list("pk", "path", "kind"))
    paths = {pk: path for pk, path, _ in nodes}
    base_ids = Node.objects.filter(path_prefix_q("path", base.path)).values("pk")
    result = {pk: {} for pk in paths}
    questions_cache = {}
    for key in keys or REGISTRY:
        ind = REGISTRY[key]
        num_values, num_is_set = _grouped(ind.num, period, base_ids)
        num = _roll_up(num_values, num_is_set, paths, base.path)
        den = None
        if ind.den is not None:
            den_values, den_is_set = _grouped(ind.den, period, base_ids)
            den = _roll_up(den_values, den_is_set, paths, base.path)
        for pk in paths:
            n = num.get(pk, set() if num_is_set else Decimal(0))
            n = Decimal(len(n)) if num_is_set else n
            if ind.key == "question_participation":
                if "q" not in questions_cache:
                    questions_cache["q"] = _questions_expected(period, nodes)
                d = Decimal(questions_cache["q"].get(pk, 0))
            elif ind.den_constant is not None:
                d = Decimal(ind.den_constant(period))
            elif den is not None:
                d = den.get(pk, Decimal(0))
            else:
                d = None
            result[pk][key] = Figure(n, d, _value(ind, n, d))
    return result


def _questions_expected(period, nodes):
    """Answers expected below each node: every community answers each question published above it."""
    published = dict(MonthlyQuestion.objects.filter(published_on__range=(period.start, period.end),
                                                     archived_at__isnull=True)
                     .values("node").annotate(n=Count("pk")).values_list("node", "n"))
    out = defaultdict(int)
    for _pk, path, kind in nodes:
        if kind != "community":
            continue
        ids = [int(x) for x in path.strip("/").split("/")]
        expected = sum(published.get(i, 0) for i in ids)
        for i in ids:
            out[i] += expected
    return out


def _value(ind, n, d):
    if ind.key == "question_score":
        return (n / d).quantize(Decimal("0.1"), ROUND_HALF_UP) if d else None
    if not ind.is_rate:
        return n
    if not d:
        return None
    return (n * 100 / d).quantize(Decimal("0.1"), ROUND_HALF_UP)


def compute_one(node: Node, period: Period, key: str) -> Figure:
    return compute(node, period, [key])[node.pk][key]


def gap(ind: Indicator, fig: Figure, target: Decimal | None):
    """(percentage points short, records short) of a figure against its target; None when met or unknown."""
    if target is None or fig.value is None:
        return None
    if ind.is_rate:
        if fig.value >= target:
            return None
        need = math.ceil(target * fig.den / 100 - fig.num) if fig.den else 0
        return {"points": (target - fig.value).quantize(Decimal("0.1")), "records": max(need, 0)}
    if fig.value >= target:
        return None
    return {"points": None, "records": int(math.ceil(target - fig.value))}


def records(ind: Indicator, which: str, node: Node, period: Period):
    """The records behind a figure: its numerator, its denominator, or what is still missing."""
    part = {"num": ind.num, "den": ind.den}.get(which)
    if which == "missing":
        if ind.missing is None:
            return None
        qs = ind.missing(period)
        field = "node"
        if qs.model is Union:
            field = "node__parent"
    elif part is None:
        return None
    else:
        qs, field = part.records(period), part.node_field
    return qs.filter(**{f"{field}__in": Node.objects.filter(path_prefix_q("path", node.path)).values("pk")})

