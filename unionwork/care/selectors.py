"""Reads of the service records, scoped, and the totals computed from them (never typed)."""

from collections import Counter
from decimal import Decimal

from django.utils import timezone

from unionwork.core.scope import scoped

from .choices import FileStatus
from .models import Assistance, Contribution, HardshipFile


def assistance_totals(rows) -> dict:
    """People (distinct persons or families), person-times and amounts of some assistance records."""
    rows = list(rows)
    cash = sum((a.amount or Decimal(0) for a in rows if a.form == "cash"), Decimal(0))
    goods_value = sum((a.amount or Decimal(0) for a in rows if a.form != "cash"), Decimal(0))
    goods = Counter()
    for a in rows:
        if a.goods:
            goods[a.goods] += a.quantity or 1
    return {"people": len({a.person_key for a in rows}), "times": len(rows), "cash": cash,
            "goods_value": goods_value, "total": cash + goods_value, "goods": dict(goods)}


def campaign_totals(campaign) -> dict:
    return assistance_totals(Assistance.objects.filter(campaign=campaign, archived_at__isnull=True))


def donation_totals(drive) -> dict:
    rows = list(Contribution.objects.filter(drive=drive))
    goods = Counter()
    for c in rows:
        if c.goods:
            goods[c.goods] += c.quantity or 0
    return {"donors": len({(c.donor_kind, c.donor) for c in rows}), "contributions": len(rows),
            "amount": sum((c.amount or Decimal(0) for c in rows), Decimal(0)),
            "units": sum(1 for c in rows if c.donor_kind == "unit"), "goods": dict(goods)}


def hardship_reviews_due(user, today=None):
    today = today or timezone.localdate()
    return scoped(user, HardshipFile).filter(archived_at__isnull=True, status=FileStatus.ACTIVE,
                                             next_review_on__lt=today).order_by("next_review_on")
