"""个人工作总结: a cadre's own year, drawn from the records that cadre created, led or took part in."""

import datetime

from django.db.models import Sum

from unionwork.activities.models import (
    Activity,
    Answer,
    CadreTestScore,
    InfoReport,
    ResearchReport,
    TrainingSession,
)
from unionwork.care.models import Assistance, HardshipFile
from unionwork.labour.models import DisputeCase, SafetyInspection, Visit
from unionwork.plans.indicators import Period

from .summary import Section, Summary, _n


def build(user, year: int) -> Summary:
    period = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年")
    name = user.display_name or user.username
    mine = {"created_by": user, "archived_at__isnull": True}
    between = (period.start, period.end)
    sections = []

    s = Section("一、学习与业务能力")
    answers = Answer.objects.filter(cadre=name, question__published_on__range=between)
    scored = [a.score for a in answers if a.score is not None]
    if answers:
        s.add(f"参加“每月一题”{len(answers)}次" + (f"，平均{_n(sum(scored) / len(scored))}分。" if scored else "。"))
    for score in CadreTestScore.objects.filter(cadre=name, test__held_on__range=between).select_related("test"):
        s.add(f"参加{score.test.title}，成绩{_n(score.score)}分。")
    trainings = TrainingSession.objects.filter(**mine, held_on__range=between)
    if trainings.exists():
        s.add(f"组织干部培训{trainings.count()}期，共{_n(trainings.aggregate(h=Sum('hours'))['h'])}学时。")
    sections.append(s)

    s = Section("二、主要工作")
    acts = Activity.objects.filter(**mine, starts_on__range=between)
    if acts.exists():
        titles = "、".join(f"“{a.title}”" for a in acts[:6])
        s.add(f"组织开展活动{acts.count()}次，职工参加{acts.aggregate(t=Sum('person_times'))['t'] or 0}人次，"
              f"包括{titles}{'等' if acts.count() > 6 else ''}。")
    visits = Visit.objects.filter(**mine, visited_on__range=between)
    if visits.exists():
        s.add(f"走访企业{visits.count()}家次，登记职工诉求和问题并跟进办理。")
    disputes = DisputeCase.objects.filter(**mine, applied_on__range=between)
    if disputes.exists():
        ok = disputes.filter(outcome="success").count()
        s.add(f"参与劳动争议调解{disputes.count()}件，调解成功{ok}件。")
    inspections = SafetyInspection.objects.filter(**mine, inspected_on__range=between)
    if inspections.exists():
        s.add(f"参加安全检查{inspections.count()}次。")
    aid = Assistance.objects.filter(**mine, given_on__range=between)
    if aid.exists():
        s.add(f"登记帮扶{aid.count()}人次，发放资金和物资{_n(aid.aggregate(a=Sum('amount'))['a'] or 0)}元。")
    files = HardshipFile.objects.filter(**mine, filed_on__range=between)
    if files.exists():
        s.add(f"为{files.count()}户困难职工建立档案。")
    sections.append(s)

    s = Section("三、信息与调研")
    info = InfoReport.objects.filter(**mine, reported_on__range=between)
    if info.exists():
        s.add(f"报送信息{info.count()}篇，被录用{info.filter(adopted=True).count()}篇。")
    reports = ResearchReport.objects.filter(author=name, completed_on__range=between, archived_at__isnull=True)
    for r in reports:
        s.add(f"撰写{r.get_kind_display()}《{r.title}》" + (f"，获{r.award}。" if r.award else "。"))
    sections.append(s)

    kept = [x for x in sections if x.paragraphs]
    role = user.get_role_display()
    where = user.node.display_name if user.node_id else ""
    return Summary(node=user.node, period=period, title=f"{where}{role}{name}{year}年个人工作总结", sections=kept)
