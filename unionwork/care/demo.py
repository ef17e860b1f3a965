"""Demo service records for the shared generator."""

import datetime
import random
from decimal import Decimal

from unionwork.directory.models import Member
from unionwork.org.models import Node

from . import models as m
from .choices import HardshipCause
from .services import hardship_assessment

CAUSES = [c for c in HardshipCause.values if c not in ("other",)]


def generate(rng: random.Random, today: datetime.date, user=None):
    district = Node.objects.filter(parent__isnull=True).first()
    if district is None:
        return {}
    m.LowIncomeStandard.objects.create(node=district, amount=Decimal("1010"), effective_from=datetime.date(2025, 1, 1),
                                       created_by=user)
    communities = list(Node.objects.filter(kind="community"))
    files = []
    for comm in communities:
        members = list(Member.objects.filter(node__parent=comm, membership_status="active")[:200])
        for member in rng.sample(members, min(len(members), rng.randint(3, 8))):
            size = rng.randint(1, 5)
            income = Decimal(rng.randint(6000, 1010 * 12 * size * 2 - 1))
            f = m.HardshipFile(node=comm, created_by=user, person_name=member.name, member=member,
                               id_number=member.id_number, phone=member.phone, family_size=size, annual_income=income,
                               rigid_expenses=Decimal(rng.choice([0, 0, 2000, 6000])),
                               main_cause=rng.choice(CAUSES), filed_on=today - datetime.timedelta(days=rng.randint(30, 700)),
                               status="active", health=rng.choice(["良好", "慢性病", "重病"]),
                               bank_name="工商银行", bank_account=f"6222{rng.randrange(10**15):015d}")
            f.category, _ = hardship_assessment(f)
            if f.category == "none":
                continue
            f.next_review_on = f.filed_on.replace(year=f.filed_on.year + 1) if not (
                f.filed_on.month == 2 and f.filed_on.day == 29) else f.filed_on + datetime.timedelta(days=365)
            files.append(f)
    m.HardshipFile.objects.bulk_create(files, batch_size=1000)
    files = list(m.HardshipFile.objects.all())
    approvals = []
    for f in files:
        for i, level in enumerate(("community", "street", "district")):
            approvals.append(m.Approval(file=f, level=level, approved_on=f.filed_on + datetime.timedelta(days=3 * i),
                                        approver="审批人", opinion="同意"))
    m.Approval.objects.bulk_create(approvals, batch_size=2000)

    made = {"困难职工档案": len(files)}
    campaigns = []
    for street in Node.objects.filter(kind="street"):
        for kind, month, name in (("winter_warmth", 1, "冬送温暖"), ("summer_cool", 7, "夏送清凉"),
                                  ("autumn_school", 8, "金秋助学")):
            start = datetime.date(today.year, month, 1)
            if start <= today:
                campaigns.append(m.Campaign(node=street, created_by=user, name=f"{today.year}年{name}", kind=kind,
                                            starts_on=start, ends_on=start + datetime.timedelta(days=45),
                                            budget=Decimal(50000)))
    m.Campaign.objects.bulk_create(campaigns)
    aid = []
    for c in m.Campaign.objects.all():
        pool = [f for f in files if f.node.parent_id == c.node_id]
        for f in rng.sample(pool, min(len(pool), 20)):
            cash = c.kind != "summer_cool"
            aid.append(m.Assistance(node=f.node, created_by=user, campaign=c, hardship_file=f, recipient=f.person_name,
                                    form="cash" if cash else "goods", amount=Decimal(rng.choice([300, 500, 800, 1000])),
                                    goods="" if cash else "防暑降温用品", quantity=None if cash else 1,
                                    funding_source=rng.choice(["union", "superior"]),
                                    given_on=min(today, c.starts_on + datetime.timedelta(days=rng.randint(0, 30)))))
    m.Assistance.objects.bulk_create(aid, batch_size=2000)
    made["帮扶记录"] = len(aid)

    drives = []
    for comm in communities[:6]:
        drives.append(m.DonationDrive(node=comm, created_by=user, name="春风行动捐款",
                                      starts_on=datetime.date(today.year, 3, 1), purpose="帮扶困难群众"))
    m.DonationDrive.objects.bulk_create(drives)
    contributions = [m.Contribution(drive=d, donor=f"居民{i}", donor_kind="person", amount=Decimal(rng.choice([50, 100, 200])),
                                    given_on=d.starts_on + datetime.timedelta(days=i)) for d in m.DonationDrive.objects.all()
                     for i in range(rng.randint(5, 15))]
    m.Contribution.objects.bulk_create(contributions)
    made["捐款捐物"] = len(drives)

    seekers, events, checks, insurance = [], [], [], []
    for comm in communities:
        for i in range(rng.randint(2, 9)):
            seekers.append(m.JobSeeker(node=comm, created_by=user, name=f"求职者{comm.pk}-{i}",
                                       registered_on=today - datetime.timedelta(days=rng.randint(10, 300)),
                                       skills=rng.choice(["电工", "保洁", "厨师", "驾驶", ""]),
                                       wishes=rng.choice(["物业", "餐饮", "物流", "不限"]),
                                       status=rng.choice(["seeking", "seeking", "placed"])))
        events.append(m.JobEvent(node=comm, created_by=user, kind="jobs_to_community", title=f"{comm.name}送岗位进社区",
                                 held_on=datetime.date(today.year, 3, 15), positions_offered=rng.randint(20, 80),
                                 attendees=rng.randint(30, 120)))
        checks.append(m.HealthCheckRound(node=comm, created_by=user, title=f"{today.year}年三八节女职工妇检",
                                         held_on=datetime.date(today.year, 3, 6), eligible=(e := rng.randint(30, 90)),
                                         attended=e - rng.randint(0, 10)))
        insurance.append(m.InsuranceEnrolment(node=comm, created_by=user, year=today.year,
                                              enrolled=rng.randint(20, 80), premium=Decimal(rng.randint(20, 80) * 30)))
    m.JobSeeker.objects.bulk_create(seekers)
    m.JobEvent.objects.bulk_create(events)
    m.HealthCheckRound.objects.bulk_create(checks)
    m.InsuranceEnrolment.objects.bulk_create(insurance)
    placements = [m.Placement(node=s.node, created_by=user, seeker=s, employer_name="辖区企业", position="普工",
                              placed_on=min(today, s.registered_on + datetime.timedelta(days=30)))
                  for s in m.JobSeeker.objects.filter(status="placed")]
    m.Placement.objects.bulk_create(placements)
    made.update({"求职登记": len(seekers), "安置就业": len(placements), "妇检": len(checks)})
    return made
