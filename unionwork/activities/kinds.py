"""Activity and cadre-work record kinds (see core/kinds.py)."""

from unionwork.core.exports import Column
from unionwork.core.filters import record_filter
from unionwork.core.kinds import Child, Kind

from . import models as m
from . import services

D = "%Y-%m-%d"


def _num(v):
    return float(v) if v is not None else None


def activity_summary(a):
    lines = []
    if a.participants or a.person_times:
        lines.append(f"参加 {a.participants} 人，{a.person_times} 人次")
    results = list(a.results.all())
    if results:
        lines.append("成果：" + "；".join(str(r) for r in results))
    awards = list(a.awards.all())
    if awards:
        lines.append("获奖：" + "；".join(str(w) for w in awards))
    return lines


def question_summary(q):
    answers = list(q.answers.all())
    scored = [a.score for a in answers if a.score is not None]
    avg = f"，平均 {sum(scored) / len(scored):.1f} 分" if scored else ""
    return [f"{len(answers)} 名干部作答{avg}（满分 {q.full_score}）"]


def test_summary(t):
    scores = [s.score for s in t.scores.all()]
    if not scores:
        return ["尚未登记成绩"]
    return [f"{len(scores)} 人参加，平均 {sum(scores) / len(scores):.1f} 分，最高 {max(scores)} 分，最低 {min(scores)} 分"]


ACTIVITIES = Kind(
    slug="activities", app="activities", model=m.Activity, label="活动", icon="flag",
    fields=["kind", "title", "starts_on", "ends_on", "union", "partners", "participants", "person_times", "content",
            "node", "note"],
    filterset=record_filter(m.Activity, "starts_on", ("title", "partners", "content"), ("kind",)),
    service=services.ActivityService(m.Activity), select_related=("union",), prefetch=("awards", "results"),
    columns=[Column("活动名称", lambda a: a.title, width=30), Column("类型", lambda a: a.get_kind_display()),
             Column("开始日期", lambda a: a.starts_on), Column("共建单位", lambda a: a.partners),
             Column("参加人数", lambda a: a.participants), Column("人次", lambda a: a.person_times),
             Column("获奖", lambda a: "；".join(str(w) for w in a.awards.all()), width=30),
             Column("成果", lambda a: "；".join(str(r) for r in a.results.all()), width=30)],
    children=[
        Child("awards", m.Award, "获奖", ["title", "awarded_by", "winner"], "activity",
              [("奖项/名次", lambda x: x.title), ("授予单位", lambda x: x.awarded_by), ("获奖者", lambda x: x.winner)]),
        Child("results", m.Result, "竞赛成果", ["description", "quantity", "unit"], "activity",
              [("成果", lambda x: x.description), ("数量", lambda x: f"{x.quantity.normalize():f}"),
               ("单位", lambda x: x.unit)]),
        Child("attachments", m.Attachment, "照片与附件", ["file", "caption"], "activity",
              [("文件", lambda x: x.file if x.file else ""), ("说明", lambda x: x.caption)]),
    ],
    summary=activity_summary,
    help="学习教育、劳动竞赛、技能比武、文体活动、讲座培训、志愿服务、走访慰问、共建活动；人次、获奖和成果由记录汇总。",
    natural_key=("title", "starts_on"),
)

FACILITIES = Kind(
    slug="facilities", app="activities", model=m.Facility, label="阵地建设", icon="house",
    fields=["kind", "name", "union", "built_on", "work_done", "cost", "node", "note"],
    filterset=record_filter(m.Facility, "built_on", ("name", "work_done"), ("kind",)),
    service=services.FacilityService(m.Facility), select_related=("union",),
    columns=[Column("名称", lambda f: f.name, width=30), Column("类型", lambda f: f.get_kind_display()),
             Column("日期", lambda f: f.built_on), Column("建设内容", lambda f: f.work_done, width=30),
             Column("投入（元）", lambda f: _num(f.cost))],
    natural_key=("name", "built_on"),
)

TRAININGS = Kind(
    slug="trainings", app="activities", model=m.TrainingSession, label="干部培训", icon="mortarboard",
    fields=["title", "held_on", "hours", "attendees", "trainer", "node", "note"],
    filterset=record_filter(m.TrainingSession, "held_on", ("title", "trainer")),
    service=services.TrainingService(m.TrainingSession),
    columns=[Column("培训名称", lambda t: t.title, width=30), Column("日期", lambda t: t.held_on),
             Column("学时", lambda t: _num(t.hours)), Column("参训人数", lambda t: t.attendees),
             Column("授课人", lambda t: t.trainer)],
    natural_key=("title", "held_on"),
)

QUESTIONS = Kind(
    slug="questions", app="activities", model=m.MonthlyQuestion, label="每月一题", icon="question-circle",
    fields=["month", "question", "published_on", "full_score", "node", "note"],
    filterset=record_filter(m.MonthlyQuestion, "published_on", ("question", "month")),
    service=services.QuestionService(m.MonthlyQuestion), prefetch=("answers",),
    columns=[Column("月份", lambda q: q.month), Column("题目", lambda q: q.question, width=40),
             Column("发布日期", lambda q: q.published_on), Column("作答人数", lambda q: len(q.answers.all()))],
    children=[Child("answers", m.Answer, "答题与评分", ["cadre", "cadre_node", "answered_on", "score"], "question",
                    [("干部", lambda x: x.cadre), ("所在组织", lambda x: x.cadre_node.display_name),
                     ("答题日期", lambda x: x.answered_on.strftime(D)), ("得分", lambda x: x.score)],
                    editable=["score"])],
    summary=question_summary,
    natural_key=("month",),
)

TESTS = Kind(
    slug="tests", app="activities", model=m.CadreTest, label="干部测试", icon="pencil-square",
    fields=["title", "held_on", "full_score", "node", "note"],
    filterset=record_filter(m.CadreTest, "held_on", ("title",)),
    service=services.TestService(m.CadreTest), prefetch=("scores",),
    columns=[Column("测试名称", lambda t: t.title, width=30), Column("日期", lambda t: t.held_on),
             Column("参加人数", lambda t: len(t.scores.all()))],
    children=[Child("scores", m.CadreTestScore, "成绩", ["cadre", "cadre_node", "score"], "test",
                    [("干部", lambda x: x.cadre), ("所在组织", lambda x: x.cadre_node.display_name),
                     ("成绩", lambda x: x.score)])],
    summary=test_summary,
    natural_key=("title", "held_on"),
)

INFO = Kind(
    slug="info", app="activities", model=m.InfoReport, label="信息报送", icon="send",
    fields=["title", "reported_on", "to_whom", "adopted", "outlet", "quarter", "node", "note"],
    filterset=record_filter(m.InfoReport, "reported_on", ("title", "to_whom", "outlet")),
    service=services.InfoService(m.InfoReport),
    columns=[Column("信息标题", lambda i: i.title, width=40), Column("报送日期", lambda i: i.reported_on),
             Column("报送单位", lambda i: i.to_whom), Column("被录用", lambda i: i.adopted),
             Column("录用渠道", lambda i: i.outlet), Column("计入季度", lambda i: i.quarter)],
    badges=lambda i: [("text-bg-success", "已录用")] if i.adopted else [],
    natural_key=("title", "reported_on"),
)

BRIEFINGS = Kind(
    slug="briefings", app="activities", model=m.Briefing, label="简报", icon="newspaper",
    fields=["title", "issue_no", "published_on", "node", "note"],
    filterset=record_filter(m.Briefing, "published_on", ("title",)),
    service=services.BriefingService(m.Briefing),
    columns=[Column("简报标题", lambda b: b.title, width=40), Column("期号", lambda b: b.issue_no),
             Column("印发日期", lambda b: b.published_on)],
    natural_key=("title", "published_on"),
)

REPORTS = Kind(
    slug="reports", app="activities", model=m.ResearchReport, label="调研报告与论文", icon="journal-richtext",
    fields=["kind", "title", "author", "author_role", "union", "completed_on", "award", "quarter", "node", "note"],
    filterset=record_filter(m.ResearchReport, "completed_on", ("title", "author", "award"),
                            ("kind", "author_role")),
    service=services.ResearchService(m.ResearchReport), select_related=("union",),
    columns=[Column("题目", lambda r: r.title, width=40), Column("类型", lambda r: r.get_kind_display()),
             Column("作者", lambda r: r.author), Column("职务", lambda r: r.get_author_role_display()),
             Column("所在工会", lambda r: r.union.name if r.union_id else ""),
             Column("完成日期", lambda r: r.completed_on), Column("获奖", lambda r: r.award)],
    badges=lambda r: [("text-bg-warning", r.award)] if r.award else [],
    natural_key=("title", "author"),
)

KINDS = [ACTIVITIES, FACILITIES, TRAININGS, QUESTIONS, TESTS, INFO, BRIEFINGS, REPORTS]
