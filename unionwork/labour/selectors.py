"""Reads of labour-relations records, scoped, and the figures computed from them."""

import datetime

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from unionwork.core.scope import scoped

from .choices import EXPIRY_WARNING_DAYS, MEDIATION_DAYS, DisputeKind, DisputeOutcome
from .models import CollectiveContract, DisputeCase, Hazard, SafetyInspection, ScreeningIssue


def contracts_expiring(user, today=None):
    today = today or timezone.localdate()
    return scoped(user, CollectiveContract).filter(
        archived_at__isnull=True, effective_to__gte=today,
        effective_to__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)).order_by("effective_to")


def contracts_expired_unrenewed(user, today=None):
    today = today or timezone.localdate()
    return scoped(user, CollectiveContract).filter(
        archived_at__isnull=True, effective_to__lt=today, renewed_by__isnull=True).order_by("effective_to")


def disputes_past_mediation_limit(user, today=None):
    today = today or timezone.localdate()
    return scoped(user, DisputeCase).filter(
        archived_at__isnull=True, outcome=DisputeOutcome.PENDING,
        applied_on__lt=today - datetime.timedelta(days=MEDIATION_DAYS)).select_related("enterprise")


def rectification(inspections):
    """"查出隐患N处，督促整改M处，整改率X%" for a queryset of inspections."""
    hazards = Hazard.objects.filter(inspection__in=inspections.values("pk"))
    found = hazards.count()
    rectified = hazards.filter(rectified_on__isnull=False).count()
    return {"inspections": inspections.count(), "found": found, "rectified": rectified,
            "rate": round(rectified * 100 / found, 1) if found else None}


def rectification_for(user, year=None):
    qs = scoped(user, SafetyInspection).filter(archived_at__isnull=True)
    if year:
        qs = qs.filter(inspected_on__year=year)
    return rectification(qs)


def wage_arrears_by_enterprise(user):
    """Wage-arrears cases per enterprise: how many, how much claimed and recovered, how many open."""
    money = DecimalField(max_digits=14, decimal_places=2)
    return (
        scoped(user, DisputeCase).filter(archived_at__isnull=True, kind=DisputeKind.WAGES)
        .values("enterprise_id", "enterprise__name", "enterprise__node__name")
        .annotate(cases=Count("id"), open=Count("id", filter=Q(outcome=DisputeOutcome.PENDING)),
                  workers=Sum("worker_count"),
                  claimed=Coalesce(Sum("amount_claimed"), Value(0), output_field=money),
                  recovered=Coalesce(Sum("amount_recovered"), Value(0), output_field=money))
        .order_by("-open", "-claimed")
    )


def screening_totals(rounds):
    issues = ScreeningIssue.objects.filter(round__in=rounds.values("pk"))
    found = issues.count()
    resolved = issues.filter(resolved_on__isnull=False).count()
    return {"rounds": rounds.count(), "found": found, "resolved": resolved}
