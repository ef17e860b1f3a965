"""Demo funds records for the shared generator."""

import datetime
import random
from decimal import Decimal

from unionwork.directory.models import Enterprise

from . import models as m


def generate(rng: random.Random, today: datetime.date, user=None):
    ents = list(Enterprise.objects.filter(status="operating", union__isnull=False).select_related("node")[:400])
    dues = []
    for e in ents:
        for q in range(1, (today.month - 1) // 3 + 1):
            payroll = Decimal(e.employees * rng.randint(12000, 18000))
            due = (payroll * Decimal("0.02")).quantize(Decimal("0.01"))
            collected = due if rng.random() < 0.85 else (due * Decimal("0.8")).quantize(Decimal("0.01"))
            dues.append(m.DuesCollection(node=e.node, created_by=user, enterprise=e, period=f"{today.year}Q{q}",
                                         payroll_base=payroll, collected=collected,
                                         returned=(collected * Decimal("0.6")).quantize(Decimal("0.01"))))
    m.DuesCollection.objects.bulk_create(dues, batch_size=2000)
    small = [e for e in ents if e.employees < 25][:40]
    accounts = [m.CustodyAccount(node=e.node, created_by=user, enterprise=e, union=e.union,
                                 opened_on=datetime.date(today.year - 1, 1, 1), opening_balance=Decimal(rng.randint(500, 5000)))
                for e in small]
    m.CustodyAccount.objects.bulk_create(accounts)
    return {"经费代收": len(dues), "代管账户": len(accounts)}
