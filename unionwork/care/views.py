from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from unionwork.core.scope import scoped

from . import selectors
from .kinds import KINDS
from .models import Assistance, HardshipFile, JobSeeker, Placement


def overview(request):
    """服务职工: the year's figures, each computed from records and linking to them."""
    user, year = request.user, timezone.localdate().year
    files = scoped(user, HardshipFile).filter(archived_at__isnull=True)
    aid = scoped(user, Assistance).filter(archived_at__isnull=True, given_on__year=year)
    return render(request, "care/overview.html", {
        "kinds": KINDS, "year": year,
        "files_by_category": files.filter(status="active").values("category").annotate(n=Count("id")).order_by(),
        "files_total": files.filter(status="active").count(),
        "reviews_due": selectors.hardship_reviews_due(user)[:20],
        "aid": selectors.assistance_totals(aid),
        "seekers": scoped(user, JobSeeker).filter(archived_at__isnull=True, status="seeking").count(),
        "placed": scoped(user, Placement).filter(archived_at__isnull=True, placed_on__year=year).count(),
        "aid_by_source": aid.values("funding_source").annotate(total=Sum("amount")).order_by(),
    })
