"""年度统计: the content areas of the national 基层工会调查表 that the records cover, for a node and each
child node, over the reference period (10月1日–9月30日 by default), with the logic checks between tables."""

import datetime
import io
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Count, Q, Sum

from unionwork.activities.models import Activity, InfoReport
from unionwork.care.models import Assistance, HardshipFile, HealthCheckRound
from unionwork.core.scope import path_prefix_q
from unionwork.directory.models import Member
from unionwork.funds.models import DuesCollection
from unionwork.labour.models import (
    CollectiveContract,
    CongressMeeting,
    DisputeCase,
    HarmonyRating,
    Hazard,
    OpenAffairsItem,
    SafetyInspection,
)
from unionwork.org.models import Node
from unionwork.plans.indicators import covered, live_unions, operating_enterprises


@dataclass
class StatPeriod:
    start: datetime.date
    end: datetime.date

    @classmethod
    def survey_year(cls, year):
        """The survey's year: 1 October of the year before to 30 September."""
        return cls(datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30))

    @property
    def label(self):
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"


def _row(node, period):
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    day, between = period.end, (period.start, period.end)
    ents = operating_enterprises(day).filter(node__in=ids)
    e = ents.aggregate(n=Count("pk"), workers=Sum("employees"), women=Sum("female_employees"),
                       migrants=Sum("migrant_workers"))
    cov = covered(day).filter(node__in=ids)
    c = cov.aggregate(n=Count("pk"), own=Count("pk", filter=Q(union__kind="single")), workers=Sum("employees"),
                      women=Sum("female_employees"))
    unions = live_unions(day).filter(node__parent__in=ids)
    u = unions.aggregate(n=Count("pk"), new=Count("pk", filter=Q(founded_on__range=between)),
                         shows=Count("pk", filter=Q(sign_shown=True, chair_shown=True)),
                         homes=Count("pk", filter=Q(staff_home=True)), rooms=Count("pk", filter=Q(reading_room=True)),
                         women_cttee=Count("pk", filter=Q(women_committee=True)),
                         mediation_cttee=Count("pk", filter=Q(mediation_committee=True)))
    members = Member.objects.filter(node__in=ids, archived_at__isnull=True, membership_status="active")
    m = members.aggregate(n=Count("pk"), women=Count("pk", filter=Q(gender="F")),
                          migrants=Count("pk", filter=Q(is_migrant=True)),
                          new=Count("pk", filter=Q(joined_on__range=between)))
    contracts = CollectiveContract.objects.filter(node__in=ids, archived_at__isnull=True, effective_from__lte=day,
                                                  effective_to__gte=day)
    k = contracts.aggregate(n=Count("pk"), wage=Count("pk", filter=Q(kind="wage")),
                            women=Count("pk", filter=Q(kind="women")), safety=Count("pk", filter=Q(kind="safety")),
                            workers=Sum("covered_employees"))
    k["enterprises"] = cov.filter(contracts__in=contracts).distinct().count()
    k["signed"] = CollectiveContract.objects.filter(node__in=ids, archived_at__isnull=True,
                                                    signed_on__range=between).count()
    congresses = CongressMeeting.objects.filter(node__in=ids, archived_at__isnull=True, held_on__range=between)
    affairs = OpenAffairsItem.objects.filter(node__in=ids, archived_at__isnull=True, published_on__range=between)
    inspections = SafetyInspection.objects.filter(node__in=ids, archived_at__isnull=True,
                                                  inspected_on__range=between)
    hazards = Hazard.objects.filter(inspection__in=inspections)
    disputes = DisputeCase.objects.filter(node__in=ids, archived_at__isnull=True, applied_on__range=between)
    d = disputes.aggregate(n=Count("pk"), ok=Count("pk", filter=Q(outcome="success")),
                           arbitration=Count("pk", filter=Q(outcome="arbitration")), recovered=Sum("amount_recovered"))
    aid = Assistance.objects.filter(node__in=ids, archived_at__isnull=True, given_on__range=between)
    a = aid.aggregate(n=Count("pk"), amount=Sum("amount"))
    checks = HealthCheckRound.objects.filter(node__in=ids, archived_at__isnull=True, held_on__range=between)
    h = checks.aggregate(eligible=Sum("eligible"), attended=Sum("attended"))
    dues = DuesCollection.objects.filter(node__in=ids, archived_at__isnull=True).filter(
        Q(period__startswith=str(period.end.year)) | Q(period__startswith=str(period.start.year))).aggregate(
        payroll=Sum("payroll_base"), collected=Sum("collected"), returned=Sum("returned"))
    acts = Activity.objects.filter(node__in=ids, archived_at__isnull=True, starts_on__range=between)
    info = InfoReport.objects.filter(node__in=ids, archived_at__isnull=True, reported_on__range=between)
    ratings = HarmonyRating.objects.filter(enterprise__node__in=ids, archived_at__isnull=True, revoked_on__isnull=True,
                                           year=period.end.year)
    r = ratings.aggregate(a=Count("pk", filter=Q(level="A")), aa=Count("pk", filter=Q(level="AA")),
                          aaa=Count("pk", filter=Q(level="AAA")))
    z = lambda v: v or 0  # noqa: E731
    return {
        "组织建设": [("正常经营企业（家）", z(e["n"])), ("职工（人）", z(e["workers"])), ("其中女职工", z(e["women"])),
                 ("其中农民工", z(e["migrants"])), ("已建会企业（家）", z(c["n"])), ("其中单独建会", z(c["own"])),
                 ("已建会企业职工（人）", z(c["workers"])), ("基层工会（个）", z(u["n"])), ("本期新建", z(u["new"])),
                 ("双亮工会", z(u["shows"])), ("职工之家", z(u["homes"])), ("职工书屋", z(u["rooms"])),
                 ("女职工委员会", z(u["women_cttee"]))],
        "会员": [("会员（人）", z(m["n"])), ("其中女会员", z(m["women"])), ("其中农民工会员", z(m["migrants"])),
               ("本期新入会", z(m["new"]))],
        "集体合同": [("有效集体合同（份）", z(k["n"])), ("工资专项", z(k["wage"])), ("女职工专项", z(k["women"])),
                 ("劳动安全卫生专项", z(k["safety"])), ("覆盖企业（家）", k["enterprises"]),
                 ("覆盖职工（人）", z(k["workers"])), ("本期签订", k["signed"])],
        "民主管理": [("召开职代会/职工大会（次）", congresses.count()), ("厂务公开事项（项）", affairs.count())],
        "劳动保护": [("安全检查（次）", inspections.count()), ("查出隐患（处）", hazards.count()),
                 ("已整改（处）", hazards.filter(rectified_on__isnull=False).count())],
        "法律工作": [("受理劳动争议调解（件）", z(d["n"])), ("调解成功", z(d["ok"])), ("转仲裁", z(d["arbitration"])),
                 ("追回金额（元）", float(z(d["recovered"])))],
        "帮扶": [("帮扶（人次）", z(a["n"])), ("帮扶金额（元）", float(z(a["amount"]))),
               ("在档困难职工（户）", HardshipFile.objects.filter(node__in=ids, archived_at__isnull=True,
                                                         status="active").count()),
               ("妇检应检（人）", z(h["eligible"])), ("妇检实检（人）", z(h["attended"]))],
        "经费": [("工资总额（元）", float(z(dues["payroll"]))), ("税务代收（元）", float(z(dues["collected"]))),
               ("返还基层（元）", float(z(dues["returned"])))],
        "文体宣传": [("开展活动（次）", acts.count()), ("参加（人次）", z(acts.aggregate(n=Sum("person_times"))["n"])),
                 ("报送信息（篇）", info.count()), ("录用（篇）", info.filter(adopted=True).count())],
        "和谐企业创建": [("A级（家）", z(r["a"])), ("AA级（家）", z(r["aa"])), ("AAA级（家）", z(r["aaa"]))],
    }


LOGIC = [
    ("女会员不多于会员", lambda t: t["会员"][1][1] <= t["会员"][0][1]),
    ("会员不多于已建会企业职工", lambda t: t["会员"][0][1] <= t["组织建设"][6][1] or t["组织建设"][6][1] == 0),
    ("已建会企业不多于正常经营企业", lambda t: t["组织建设"][4][1] <= t["组织建设"][0][1]),
    ("女职工不多于职工", lambda t: t["组织建设"][2][1] <= t["组织建设"][1][1]),
    ("集体合同覆盖企业不多于已建会企业", lambda t: t["集体合同"][4][1] <= t["组织建设"][4][1]),
    ("已整改隐患不多于查出隐患", lambda t: t["劳动保护"][2][1] <= t["劳动保护"][1][1]),
    ("调解成功不多于受理", lambda t: t["法律工作"][1][1] <= t["法律工作"][0][1]),
    ("妇检实检不多于应检", lambda t: t["帮扶"][4][1] <= t["帮扶"][3][1]),
    ("录用信息不多于报送", lambda t: t["文体宣传"][3][1] <= t["文体宣传"][2][1]),
]


def build(node: Node, period: StatPeriod):
    rows = [(node, _row(node, period))]
    for child in node.children.filter(archived_at__isnull=True).exclude(kind__in=["group", "union"]).order_by("code"):
        rows.append((child, _row(child, period)))
    problems = []
    for n, table in rows:
        for label, ok in LOGIC:
            if not ok(table):
                problems.append((n.display_name, label))
    return rows, problems


def workbook(node: Node, period: StatPeriod) -> bytes:
    rows, problems = build(node, period)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 14})
    for area in rows[0][1]:
        ws = book.add_worksheet(area)
        ws.write(0, 0, f"{node.display_name} {area}（{period.label}）", title)
        headers = ["单位"] + [label for label, _ in rows[0][1][area]]
        ws.write_row(2, 0, headers, head)
        ws.set_column(0, 0, 24)
        ws.set_column(1, len(headers), 14)
        for r, (n, table) in enumerate(rows, start=3):
            ws.write(r, 0, n.display_name + ("（合计）" if n == node else ""))
            ws.write_row(r, 1, [v for _, v in table[area]])
        ws.freeze_panes(3, 1)
    ws = book.add_worksheet("逻辑校验")
    ws.write(0, 0, "表间逻辑校验", title)
    ws.write_row(2, 0, ["单位", "校验项", "结果"], head)
    ws.set_column(0, 1, 30)
    r = 3
    for n, table in rows:
        for label, ok in LOGIC:
            ws.write_row(r, 0, [n.display_name, label, "通过" if ok(table) else "不通过，请核查"])
            r += 1
    book.close()
    return out.getvalue(), problems
