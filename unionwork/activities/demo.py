"""Demo activity and cadre-work records for the shared generator."""

import datetime
import random

from unionwork.directory.models import Union
from unionwork.org.models import Node

from . import models as m

TITLES = [("study", "学习《工会法》专题讲座"), ("culture_sport", "职工太极拳比赛"), ("skill_contest", "岗位练兵技能比武"),
          ("volunteer", "清洁家园志愿服务"), ("co_building", "与共建单位联欢会"), ("lecture", "职工健康知识讲座"),
          ("labour_contest", "五比一创劳动竞赛")]


def generate(rng: random.Random, today: datetime.date, user=None):
    communities = list(Node.objects.filter(kind="community"))
    streets = list(Node.objects.filter(kind="street"))
    acts, info, reports = [], [], []
    for comm in communities:
        for kind, title in rng.sample(TITLES, 4):
            n = rng.randint(20, 120)
            acts.append(m.Activity(node=comm, created_by=user, kind=kind, title=f"{comm.name}{title}",
                                   starts_on=datetime.date(today.year, rng.randint(1, today.month), rng.randint(1, 28)),
                                   participants=n, person_times=n * rng.randint(1, 3),
                                   partners=rng.choice(["", "辖区派出所", "社区卫生服务中心", "物业公司"])))
        for q in range(1, (today.month - 1) // 3 + 2):
            for i in range(rng.randint(1, 4)):
                info.append(m.InfoReport(node=comm, created_by=user, title=f"{comm.name}工作信息{q}-{i}",
                                         reported_on=datetime.date(today.year, 3 * q - 2 + rng.randint(0, 2), 15),
                                         to_whom="街道总工会", adopted=rng.random() < 0.55,
                                         quarter=f"{today.year}Q{q}"))
    for i in info:
        i.outlet = "街道工会简报" if i.adopted else ""
    m.Activity.objects.bulk_create(acts, batch_size=1000)
    m.InfoReport.objects.bulk_create(info, batch_size=1000)
    for a in m.Activity.objects.filter(kind__in=["skill_contest", "labour_contest"])[:10]:
        m.Award.objects.create(activity=a, title=rng.choice(["团体第一名", "个人二等奖", "优秀组织奖"]), awarded_by="街道总工会")
    for u in Union.objects.exclude(chair_name="").select_related("node")[:: max(1, Union.objects.count() // 60)]:
        reports.append(m.ResearchReport(node=u.node, created_by=user, kind="research", union=u, author=u.chair_name,
                                        author_role="chair", title=f"关于{u.name[:10]}职工队伍稳定的调研",
                                        completed_on=datetime.date(today.year, rng.randint(1, today.month), 10)))
    m.ResearchReport.objects.bulk_create(reports)
    questions = []
    for street in streets:
        for month in range(1, today.month + 1):
            questions.append(m.MonthlyQuestion(node=street, created_by=user, month=f"{today.year}-{month:02d}",
                                               question="《工会法》规定基层工会的主要职责有哪些？",
                                               published_on=datetime.date(today.year, month, 1)))
        m.TrainingSession.objects.create(node=street, created_by=user, title="基层工会主席业务培训",
                                         held_on=datetime.date(today.year, 4, 20), hours=6, attendees=45,
                                         trainer="区总工会讲师")
    m.MonthlyQuestion.objects.bulk_create(questions)
    answers = []
    for q in m.MonthlyQuestion.objects.select_related("node"):
        for comm in [c for c in communities if c.parent_id == q.node_id]:
            if rng.random() < 0.8:
                answers.append(m.Answer(question=q, cadre=f"{comm.name[:2]}干部", cadre_node=comm,
                                        answered_on=q.published_on + datetime.timedelta(days=5),
                                        score=rng.randint(70, 100)))
    m.Answer.objects.bulk_create(answers, batch_size=2000)
    return {"活动": len(acts), "信息报送": len(info), "调研报告": len(reports), "每月一题": len(questions)}
