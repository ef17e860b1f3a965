"""Demo labour-relations records for the shared generator (directory/demo.py calls it)."""

import datetime
import random

from unionwork.directory.models import Enterprise

from . import models as m

PROBLEMS = ["职工反映加班时间长", "食堂卫生需改善", "希望增加技能培训", "工资发放偶有延迟", "宿舍空调不足",
            "劳动合同到期未及时续签", "夏季防暑降温措施不足"]
HAZARDS = ["消防通道堆放杂物", "配电箱未上锁", "灭火器过期", "安全出口指示灯损坏", "叉车司机无证上岗", "车间通风不良"]
ITEMS = ["上年度招待费使用情况", "年度工作目标完成情况", "本年度工作目标", "职工福利方案", "工资集体协商方案"]


def _d(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days)))


def generate(rng: random.Random, today: datetime.date, user=None):
    ents = list(Enterprise.objects.filter(union__isnull=False, status="operating").select_related("node", "union"))
    if not ents:
        return {}
    made = {}
    contracts, rounds = [], []
    for e in ents:
        if rng.random() < 0.7:  # most unionised enterprises have a wage agreement
            signed = _d(rng, today - datetime.timedelta(days=3 * 365), today - datetime.timedelta(days=20))
            end = signed + datetime.timedelta(days=rng.choice([365, 2 * 365, 3 * 365]) - 1)
            contracts.append(m.CollectiveContract(
                node=e.node, created_by=user, title=f"{e.name}工资专项集体合同", kind="wage", reach="enterprise",
                union=e.union, signed_on=signed, effective_from=signed, effective_to=end,
                covered_employees=e.employees, wage_increase=rng.choice([3, 4, 5, 5.5, 6, 8]),
                filing_status=rng.choice(["filed", "approved", "not_filed"]),
                filed_on=signed + datetime.timedelta(days=10)))
    # filed_on must stay empty for the unfiled ones
    for c in contracts:
        if c.filing_status == "not_filed":
            c.filed_on = None
    m.CollectiveContract.objects.bulk_create(contracts, batch_size=1000)
    contracts = list(m.CollectiveContract.objects.filter(kind="wage").order_by("id"))
    by_title = {c.title: c for c in contracts}
    links = []
    for e in ents:
        c = by_title.get(f"{e.name}工资专项集体合同")
        if c:
            links.append(m.CollectiveContract.enterprises.through(collectivecontract_id=c.pk, enterprise_id=e.pk))
            for k in range(rng.choice([1, 2, 3])):
                rounds.append(m.NegotiationRound(contract=c, held_on=c.signed_on - datetime.timedelta(days=30 * (3 - k)),
                                                 summary=f"第{k + 1}轮协商：双方就工资增长幅度交换方案"))
    m.CollectiveContract.enterprises.through.objects.bulk_create(links, batch_size=2000)
    m.NegotiationRound.objects.bulk_create(rounds, batch_size=2000)
    made["集体合同"] = len(contracts)

    ratings = []
    for e in ents:
        if e.employees >= 25 and e.union.kind == "single" and rng.random() < 0.45:
            level = "A"
            for year in range(today.year - 2, today.year + 1):
                if rng.random() < 0.8:
                    ratings.append(m.HarmonyRating(node=e.node, created_by=user, enterprise=e, year=year, level=level,
                                                   score=rng.randint(75, 98), rated_on=datetime.date(year, 6, 30)
                                                   if datetime.date(year, 6, 30) <= today else today))
                    level = {"A": "AA", "AA": "AAA", "AAA": "AAA"}[level]
                else:
                    break
    m.HarmonyRating.objects.bulk_create(ratings, batch_size=2000)
    made["和谐企业评定"] = len(ratings)

    disputes = []
    for e in rng.sample(ents, max(1, len(ents) // 25)):
        applied = _d(rng, today - datetime.timedelta(days=300), today - datetime.timedelta(days=1))
        outcome = rng.choices(["success", "arbitration", "withdrawn", "pending"], weights=[60, 15, 5, 20])[0]
        closed = min(today, applied + datetime.timedelta(days=rng.randint(3, 14))) if outcome != "pending" else None
        kind = rng.choice(["wages", "wages", "contract", "social_insurance", "injury"])
        claimed = rng.choice([3000, 5000, 8000, 12000, 26000])
        disputes.append(m.DisputeCase(
            node=e.node, created_by=user, title=f"{'拖欠工资' if kind == 'wages' else '劳动争议'}（{e.name}）",
            enterprise=e, kind=kind, workers="、".join(rng.sample(["孙伟", "周敏", "吴杰", "郑丽", "冯强"], 2)),
            worker_count=rng.randint(1, 6), amount_claimed=claimed,
            mediator=rng.choice(["enterprise", "community", "street"]), applied_on=applied, outcome=outcome,
            closed_on=closed, amount_recovered=claimed if outcome == "success" else None))
    m.DisputeCase.objects.bulk_create(disputes, batch_size=1000)
    m.DisputeStep.objects.bulk_create([m.DisputeStep(case=d, on=d.applied_on, description="受理调解申请")
                                       for d in m.DisputeCase.objects.all()], batch_size=2000)
    made["劳动争议"] = len(disputes)

    visits, follow_ups = [], []
    for e in rng.sample(ents, max(1, len(ents) // 4)):
        day = _d(rng, today.replace(month=1, day=1), today)
        visits.append(m.Visit(node=e.node, created_by=user, enterprise=e, visited_on=day, visitors="社区工会干部",
                              purpose="走访企业，了解生产经营和职工诉求", problems=rng.choice(PROBLEMS),
                              quarter=f"{day.year}Q{(day.month - 1) // 3 + 1}"))
    m.Visit.objects.bulk_create(visits, batch_size=1000)
    for v in m.Visit.objects.all():
        if rng.random() < 0.6:
            due = v.visited_on + datetime.timedelta(days=30)
            follow_ups.append(m.FollowUp(visit=v, action="协调企业解决职工反映的问题", due_on=due,
                                         closed_on=min(today, due) if rng.random() < 0.7 else None))
    m.FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    made["走访"] = len(visits)

    inspections = []
    for e in rng.sample(ents, max(1, len(ents) // 6)):
        inspections.append(m.SafetyInspection(node=e.node, created_by=user, enterprise=e,
                                              inspected_on=_d(rng, today.replace(month=1, day=1), today),
                                              inspectors="工会劳动保护监督员", scope="节前安全生产检查"))
    m.SafetyInspection.objects.bulk_create(inspections, batch_size=1000)
    hazards = []
    for i in m.SafetyInspection.objects.all():
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            deadline = i.inspected_on + datetime.timedelta(days=15)
            hazards.append(m.Hazard(inspection=i, description=rng.choice(HAZARDS), deadline=deadline,
                                    rectified_on=min(today, deadline) if rng.random() < 0.85 else None))
    m.Hazard.objects.bulk_create(hazards, batch_size=2000)
    made["安全检查"] = len(inspections)

    congresses, affairs = [], []
    for e in rng.sample(ents, max(1, len(ents) // 5)):
        delegates = max(10, e.employees // 5 if e.employees > 100 else e.employees)
        congresses.append(m.CongressMeeting(
            node=e.node, created_by=user, enterprise=e, kind="congress" if e.employees > 100 else "assembly",
            held_on=_d(rng, today.replace(month=1, day=1), today), delegates=delegates,
            attended=delegates - rng.randint(0, delegates // 10), items_reviewed="\n".join(rng.sample(ITEMS, 3)),
            resolutions="审议通过年度工作目标"))
        affairs.append(m.OpenAffairsItem(node=e.node, created_by=user, enterprise=e, kind="enterprise",
                                         published_on=_d(rng, today.replace(month=1, day=1), today),
                                         title=rng.choice(["招待费使用情况", "工程中标情况", "职工福利发放情况"]),
                                         channel="公开栏"))
    m.CongressMeeting.objects.bulk_create(congresses, batch_size=1000)
    m.OpenAffairsItem.objects.bulk_create(affairs, batch_size=1000)
    made["职代会"], made["厂务公开"] = len(congresses), len(affairs)

    communities = sorted({e.node for e in ents}, key=lambda n: n.pk)
    rounds_ = []
    for node in communities:
        for title, month in (("春节前职工队伍稳定情况排查", 1), ("年中劳动关系矛盾排查", 7)):
            held = datetime.date(today.year, month, 15)
            if held <= today:
                rounds_.append(m.ScreeningRound(node=node, created_by=user, title=f"{today.year}年{title}", held_on=held,
                                                units_screened=sum(1 for e in ents if e.node_id == node.pk)))
    m.ScreeningRound.objects.bulk_create(rounds_, batch_size=1000)
    issues = []
    for r in m.ScreeningRound.objects.all():
        for _ in range(rng.choice([0, 1, 2])):
            issues.append(m.ScreeningIssue(round=r, description=rng.choice(PROBLEMS),
                                           resolved_on=r.held_on + datetime.timedelta(days=10)
                                           if rng.random() < 0.8 else None))
    m.ScreeningIssue.objects.bulk_create(issues, batch_size=2000)
    made["排查"] = len(rounds_)
    return made
