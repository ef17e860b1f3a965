from django.shortcuts import render
from django.utils import timezone

from unionwork.core.scope import scoped

from . import selectors
from .kinds import KINDS
from .models import ScreeningRound


def overview(request):
    """维权工作台: what needs attention now, and the year's figures, each linking to its records."""
    user = request.user
    year = timezone.localdate().year
    return render(request, "labour/overview.html", {
        "kinds": KINDS,
        "year": year,
        "expiring": selectors.contracts_expiring(user)[:20],
        "expired": selectors.contracts_expired_unrenewed(user)[:20],
        "overdue_disputes": selectors.disputes_past_mediation_limit(user)[:20],
        "safety": selectors.rectification_for(user, year),
        "screening": selectors.screening_totals(scoped(user, ScreeningRound).filter(
            archived_at__isnull=True, held_on__year=year)),
        "arrears": selectors.wage_arrears_by_enterprise(user)[:50],
    })


def wage_arrears(request):
    return render(request, "labour/wage_arrears.html", {"rows": selectors.wage_arrears_by_enterprise(request.user)})
