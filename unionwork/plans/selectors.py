"""Reads for the dashboard: figures against targets, children compared, monthly trends, reminders."""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from unionwork.activities.models import InfoReport
from unionwork.care.models import Assistance
from unionwork.care.selectors import hardship_reviews_due
from unionwork.core.scope import get_scoped, nodes_in_scope, path_prefix_q, scoped
from unionwork.directory.models import Union
from unionwork.labour.models import DisputeCase
from unionwork.labour.selectors import contracts_expiring, disputes_past_mediation_limit
from unionwork.org.models import Node

from . import indicators as ind
from . import memo
from .models import Assessment, Plan, Snapshot
from .services import targets_for


def dashboard_node(user, node_id=None):
    if node_id:
        return get_scoped(user, Node, pk=node_id)
    return user.node or nodes_in_scope(user).filter(parent__isnull=True).first()


def figures_with_targets(node, period):
    figures = memo.figures(node, period)
    targets = targets_for(node, period.end.year)
    children = list(Node.objects.filter(parent=node, archived_at__isnull=True).exclude(kind="group")
                    .order_by("kind", "code"))
    if len(children) > 40:  # unions under a community: compare the 40 largest by figures shown
        children = children[:40]
    sections = []
    for section in ind.SECTIONS:
        rows = []
        for key, indicator in ind.REGISTRY.items():
            if indicator.section != section:
                continue
            fig = figures[node.pk][key]
            target = targets.get(key)
            rows.append({"ind": indicator, "fig": fig, "target": target, "gap": ind.gap(indicator, fig, target)})
        sections.append((section, rows))
    compare = {key: [{"name": c.display_name, "id": c.pk,
                      "value": float(figures[c.pk][key].value) if figures[c.pk][key].value is not None else None}
                     for c in children] for key in ind.REGISTRY}
    return sections, compare, children


def monthly_trends(node, year):
    """Counts by month of the year for records that show the year's rhythm."""
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    months = [datetime.date(year, m, 1) for m in range(1, 13)]

    def by_month(qs, date_field):
        rows = dict(qs.annotate(m=TruncMonth(date_field)).values("m").annotate(n=Count("pk")).values_list("m", "n"))
        return [rows.get(m, 0) for m in months]

    return {
        "months": [f"{m.month}月" for m in months],
        "series": [
            ("新建工会", by_month(Union.objects.filter(node__parent__in=ids, founded_on__year=year), "founded_on")),
            ("帮扶人次", by_month(Assistance.objects.filter(node__in=ids, given_on__year=year,
                                                          archived_at__isnull=True), "given_on")),
            ("报送信息", by_month(InfoReport.objects.filter(node__in=ids, reported_on__year=year,
                                                          archived_at__isnull=True), "reported_on")),
            ("受理争议", by_month(DisputeCase.objects.filter(node__in=ids, applied_on__year=year,
                                                          archived_at__isnull=True), "applied_on")),
        ],
    }


def reminders(user, node, period):
    today = timezone.localdate()
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    unions = scoped(user, Union).filter(node__in=ids, archived_at__isnull=True, term_end__isnull=False)
    reported = set(scoped(user, InfoReport).filter(node__in=ids, reported_on__year=period.end.year,
                                                   archived_at__isnull=True).values_list("quarter", flat=True))
    elapsed = [f"{period.end.year}Q{q}" for q in range(1, period.quarters_elapsed + 1)]
    return {
        "contracts": contracts_expiring(user).filter(node__in=ids)[:10],
        "contracts_count": contracts_expiring(user).filter(node__in=ids).count(),
        "terms": unions.filter(term_end__lte=today + datetime.timedelta(days=90)).order_by("term_end")[:10],
        "terms_count": unions.filter(term_end__lte=today + datetime.timedelta(days=90)).count(),
        "reviews": hardship_reviews_due(user).filter(node__in=ids)[:10],
        "reviews_count": hardship_reviews_due(user).filter(node__in=ids).count(),
        "quarters_missing": [q for q in elapsed if q not in reported],
        "disputes": disputes_past_mediation_limit(user).filter(node__in=ids)[:10],
        "disputes_count": disputes_past_mediation_limit(user).filter(node__in=ids).count(),
    }


def plans_for(user):
    return scoped(user, Plan).select_related("node")


def assessments_for(user):
    return scoped(user, Assessment).select_related("plan", "plan__node")


def snapshots_for(user):
    return scoped(user, Snapshot).select_related("node")
