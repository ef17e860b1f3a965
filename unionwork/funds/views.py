from decimal import Decimal

from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from unionwork.accounts.choices import Perm
from unionwork.core.scope import ensure_perm, scoped

from .kinds import KINDS
from .models import DuesCollection


def overview(request):
    ensure_perm(request.user, Perm.VIEW_FUNDS)
    year = timezone.localdate().year
    dues = scoped(request.user, DuesCollection).filter(archived_at__isnull=True, period__startswith=str(year))
    totals = dues.aggregate(payroll=Sum("payroll_base"), collected=Sum("collected"), returned=Sum("returned"))
    due = ((totals["payroll"] or Decimal(0)) * Decimal("0.02")).quantize(Decimal("0.01"))
    return render(request, "funds/overview.html", {"kinds": KINDS, "year": year, "totals": totals, "due": due,
                                                   "enterprises": dues.values("enterprise").distinct().count()})
