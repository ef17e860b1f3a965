"""工作计划 for next year, in the structure of the street plan in shared/seeds (003): the plan's targets for
the node and each child node, and the work that closes each gap named in records."""

import datetime

from django.urls import reverse
from django.utils import timezone

from unionwork.org.models import Node
from unionwork.plans import indicators as ind
from unionwork.plans.models import Plan

from .summary import Section, Segment, Summary, _n

GROUPS = [
    ("一、组织建设：应建尽建，完成建会指标", ["union_rate_25", "union_rate_all", "new_unions", "member_rate", "double_show",
                                           "term_timely"]),
    ("二、构建和谐劳动关系：建制与创建和谐企业", ["wage_rate", "new_wage", "harmony_rate", "new_harmony",
                                             "mediation_success"]),
    ("三、帮扶服务", ["aid_times", "aid_amount", "placements", "health_check_rate"]),
    ("四、安全稳定", ["rectification"]),
    ("五、干部队伍建设与调查研究", ["research_reports", "quarterly_info", "info_adoption", "question_participation",
                                 "question_score"]),
]


def build(node: Node, year: int) -> Summary:
    plan = Plan.objects.filter(node=node, year=year, archived_at__isnull=True).first()
    today = timezone.localdate()
    current = ind.Period.year(year - 1, until=min(today, datetime.date(year - 1, 12, 31)))
    figures = ind.compute(node, current)
    children = list(node.children.filter(archived_at__isnull=True).exclude(kind="group").order_by("code"))
    own, defaults, overrides = {}, {}, {}
    if plan:
        for t in plan.targets.all():
            if t.scope == "self":
                own[t.indicator] = t.value
            elif t.scope == "children":
                defaults[t.indicator] = t.value
            else:
                overrides.setdefault(t.indicator, {})[t.child_id] = t.value
    sections = []
    intro = Section("总体要求")
    intro.add(f"{year}年，{node.display_name}以构建和谐劳动关系、维护职工合法权益、帮扶困难职工为重点，"
              f"全面完成以下目标。现状数字截至{current.end:%Y年%m月%d日}，均由记录计算。")
    if not plan:
        intro.add(f"（尚未制定{year}年计划：请在“计划与考核”中新建，范本目标将自动带入。）")
    sections.append(intro)
    for title, keys in GROUPS:
        s = Section(title)
        for key in keys:
            indicator = ind.REGISTRY[key]
            target = own.get(key)
            each = defaults.get(key)
            if target is None and each is None:
                continue
            fig = figures[node.pk][key]
            unit = "%" if indicator.is_rate else indicator.unit
            parts = [f"{indicator.name}："]
            if target is not None:
                parts.append(f"全年达到{_n(target)}{unit}以上（目前")
                parts.append(Segment(f"{_n(fig.value)}{unit}", reverse("plans:records", args=[key])
                                     + f"?node={node.pk}&year={current.end.year}&which=num"))
                parts.append("）")
                g = ind.gap(indicator, fig, target)
                if g and indicator.has_missing:
                    parts.append("，需")
                    parts.append(Segment(f"{g['records']}{indicator.gap_noun}", reverse("plans:records", args=[key])
                                         + f"?node={node.pk}&year={current.end.year}&which=missing"))
                elif g:
                    parts.append(f"，还差{g['records']}{indicator.gap_noun or unit}")
            if each is not None and children:
                per_child = []
                for c in children:
                    value = overrides.get(key, {}).get(c.pk, each)
                    cf = figures[c.pk][key]
                    per_child.append(f"{c.name}{_n(value)}{unit}（现{_n(cf.value)}{unit if cf.value is not None else ''}）")
                lead = "；各下级" if target is not None else "各下级"
                parts.append(f"{lead}{'不少于' if not indicator.is_rate else '达到'}{_n(each)}{unit}：" + "，".join(per_child))
            parts.append("。")
            s.add(*parts)
        if s.paragraphs:
            sections.append(s)
    tasks = Section("六、重点工作清单")
    missing = ind.records(ind.REGISTRY["union_rate_25"], "missing", node, current)
    if missing is not None and missing.exists():
        names = "、".join(e.name for e in missing.order_by("-employees")[:15])
        tasks.add("25人以上未单独建会的企业（按职工人数排序）：", Segment(names, reverse("plans:records", args=["union_rate_25"])
                                                         + f"?node={node.pk}&year={current.end.year}&which=missing"),
                  f"{'等' if missing.count() > 15 else ''}，共{missing.count()}家，逐一上门做好建会工作。")
    wage = ind.records(ind.REGISTRY["wage_rate"], "missing", node, current)
    if wage is not None and wage.exists():
        tasks.add("已建会但未建立工资集体协商制度的企业", Segment(f"{wage.count()}家", reverse("plans:records", args=["wage_rate"])
                                                       + f"?node={node.pk}&year={current.end.year}&which=missing"),
                  "，年内开展工资集体协商要约行动。")
    if tasks.paragraphs:
        sections.append(tasks)
    return Summary(node=node, period=ind.Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"),
                   title=f"{node.display_name}{year}年工作计划", sections=sections)
