"""Figures of activities and cadre work, computed from records."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from unionwork.core.scope import nodes_in_scope, scoped

from .models import Activity, Answer, CadreTest, CadreTestScore, InfoReport, MonthlyQuestion


def info_adoption(user, year):
    qs = scoped(user, InfoReport).filter(archived_at__isnull=True, reported_on__year=year)
    figures = qs.aggregate(reported=Count("id"), adopted=Count("id", filter=Q(adopted=True)))
    figures["rate"] = round(figures["adopted"] * 100 / figures["reported"], 1) if figures["reported"] else None
    figures["quarters"] = sorted(set(qs.values_list("quarter", flat=True)))
    return figures


def activity_totals(user, year):
    qs = scoped(user, Activity).filter(archived_at__isnull=True, starts_on__year=year)
    return qs.aggregate(activities=Count("id"), participants=Sum("participants"), person_times=Sum("person_times"))


def cadre_year_totals(user, year):
    """Per cadre: monthly questions answered and average score, half-year test scores (for the assessment)."""
    rows = defaultdict(lambda: {"answers": 0, "answer_score": Decimal(0), "scored": 0, "tests": []})
    answers = Answer.objects.filter(question__in=scoped(user, MonthlyQuestion).filter(month__startswith=str(year)),
                                    cadre_node__in=nodes_in_scope(user).values("id")).select_related("cadre_node")
    for a in answers:
        row = rows[(a.cadre, a.cadre_node.display_name)]
        row["answers"] += 1
        if a.score is not None:
            row["answer_score"] += a.score
            row["scored"] += 1
    scores = CadreTestScore.objects.filter(test__in=scoped(user, CadreTest).filter(held_on__year=year),
                                           cadre_node__in=nodes_in_scope(user).values("id")) \
        .select_related("cadre_node", "test")
    for s in scores:
        rows[(s.cadre, s.cadre_node.display_name)]["tests"].append((s.test.title, s.score))
    questions = scoped(user, MonthlyQuestion).filter(month__startswith=str(year), archived_at__isnull=True).count()
    out = []
    for (cadre, node), row in sorted(rows.items()):
        avg = (row["answer_score"] / row["scored"]).quantize(Decimal("0.1")) if row["scored"] else None
        out.append({"cadre": cadre, "node": node, "answers": row["answers"], "questions": questions,
                    "average": avg, "tests": row["tests"]})
    return out
