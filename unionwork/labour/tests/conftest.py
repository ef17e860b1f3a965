import datetime

import pytest

from unionwork.labour import kinds

D = datetime.date


def record_data(world, slug, community="a"):
    """Valid data for one record of each kind in community a or b (through the kind's service)."""
    ent = {"a": world.ent_a, "b": world.ent_b}[community]
    union = {"a": world.union_a, "b": world.union_b}[community]
    node = {"a": world.comm_a, "b": world.comm_b}[community]
    tag = "甲" if community == "a" else "乙"
    return {
        "contracts": {"title": f"{tag}工资专项集体合同", "kind": "wage", "reach": "enterprise", "union": union,
                      "enterprises": [ent], "signed_on": D(2025, 1, 10), "effective_from": D(2025, 1, 10),
                      "effective_to": D(2027, 1, 9), "covered_employees": 30, "filing_status": "not_filed"},
        "ratings": {"enterprise": ent, "year": 2025, "level": "A", "rated_on": D(2025, 6, 1), "score": 85},
        "disputes": {"title": f"{tag}欠薪纠纷", "enterprise": ent, "kind": "wages", "workers": "孙一",
                     "worker_count": 1, "amount_claimed": 5000, "mediator": "community", "applied_on": D(2026, 1, 5),
                     "outcome": "pending"},
        "visits": {"enterprise": ent, "visited_on": D(2026, 2, 1), "visitors": "王干部", "problems": f"{tag}职工反映加班多"},
        "inspections": {"enterprise": ent, "inspected_on": D(2026, 2, 1), "inspectors": "李干部", "scope": f"{tag}节前检查"},
        "congresses": {"enterprise": ent, "kind": "assembly", "held_on": D(2026, 3, 20), "delegates": 50,
                       "attended": 45, "items_reviewed": f"{tag}招待费使用情况\n年度工作目标"},
        "open-affairs": {"enterprise": ent, "kind": "enterprise", "published_on": D(2026, 3, 1),
                         "title": f"{tag}招待费使用情况"},
        "screenings": {"title": f"{tag}春节前稳定排查", "held_on": D(2026, 1, 20), "units_screened": 12, "node": node},
    }[slug]


def title_of(obj):
    return str(obj)


@pytest.fixture
def make_record(world):
    def _make(slug, community="a", user=None, **overrides):
        kind = next(k for k in kinds.KINDS if k.slug == slug)
        data = record_data(world, slug, community) | overrides
        return kind.service.create(user or world.district_admin, data)

    return _make
