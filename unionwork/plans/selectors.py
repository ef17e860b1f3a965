"""Reads for the dashboard: figures against targets, children compared, monthly trends, reminders."""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from unionwork.activities.models import InfoReport
from unionwork.care.models import Assistance
from unionwork.care.selectors import hardship_reviews_due
from unionwork.core.scope import get_scoped, nodes_in_scope, path_prefix_q, scope_path, scoped
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
    # Unions under a community (hundreds): the comparison shows the first 40, and only those are read.
    children = list(Node.objects.filter(parent=node, archived_at__isnull=True).exclude(kind="group")
                    .order_by("kind", "code")[:40])
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
    named = [(c.pk, c.display_name) for c in children]
    compare = {}
    for key in ind.REGISTRY:
        per_node = figures.of_key(key)
        compare[key] = [{"name": name, "id": pk, "value": None if (v := per_node[pk].value) is None else float(v)}
                        for pk, name in named]
    return sections, compare, children


def monthly_trends(node, year):
    """Counts by month of the year for records that show the year's rhythm."""
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    months = [datetime.date(year, m, 1) for m in range(1, 13)]

    def querysets():
        return [
            Union.objects.filter(node__parent__in=ids, founded_on__year=year).annotate(m=TruncMonth("founded_on")),
            Assistance.objects.filter(node__in=ids, given_on__year=year, archived_at__isnull=True)
            .annotate(m=TruncMonth("given_on")),
            InfoReport.objects.filter(node__in=ids, reported_on__year=year, archived_at__isnull=True)
            .annotate(m=TruncMonth("reported_on")),
            DisputeCase.objects.filter(node__in=ids, applied_on__year=year, archived_at__isnull=True)
            .annotate(m=TruncMonth("applied_on")),
        ]

    def compute(qs):
        counts = [dict(q.values("m").annotate(n=Count("pk")).values_list("m", "n")) for q in qs]
        return [[rows.get(m, 0) for m in months] for rows in counts]

    series = memo.dashboard_part("trends", (node.pk, year), querysets, compute)
    return {
        "months": [f"{m.month}月" for m in months],
        "series": list(zip(["新建工会", "帮扶人次", "报送信息", "受理争议"], series, strict=True)),
    }


def reminders(user, node, period):
    """The counts of what needs doing soon, in the user's scope below the node."""
    today = timezone.localdate()
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    year = period.end.year

    def querysets():
        return [
            contracts_expiring(user, today).filter(node__in=ids),
            scoped(user, Union).filter(node__in=ids, archived_at__isnull=True, term_end__isnull=False,
                                       term_end__lte=today + datetime.timedelta(days=90)),
            hardship_reviews_due(user, today).filter(node__in=ids),
            disputes_past_mediation_limit(user, today).filter(node__in=ids),
            scoped(user, InfoReport).filter(node__in=ids, reported_on__year=year, archived_at__isnull=True),
        ]

    def compute(qs):
        contracts, terms, reviews, disputes, reports = qs
        reported = set(reports.values_list("quarter", flat=True))
        return {
            "contracts_count": contracts.count(), "terms_count": terms.count(), "reviews_count": reviews.count(),
            "disputes_count": disputes.count(),
            "quarters_missing": [q for q in (f"{year}Q{n}" for n in range(1, period.quarters_elapsed + 1))
                                 if q not in reported],
        }

    key = (scope_path(user), user.node_id, node.pk, year, period.quarters_elapsed, today)
    return memo.dashboard_part("reminders", key, querysets, compute)


def plans_for(user):
    return scoped(user, Plan).select_related("node")


def assessments_for(user):
    return scoped(user, Assessment).select_related("plan", "plan__node")


def snapshots_for(user):
    return scoped(user, Snapshot).select_related("node")
