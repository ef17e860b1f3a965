"""Figures kept per process (core.memo) are computed again exactly when a record they read changes."""

import pytest
from django.db import transaction

from conftest import add_enterprise, add_union
from unionwork.activities import kinds as activity_kinds
from unionwork.core import memo
from unionwork.directory.models import Enterprise, Member
from unionwork.plans import indicators as ind
from unionwork.plans import memo as plans_memo
from unionwork.plans.selectors import figures_with_targets

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, stale):
        self.calls.append(set(stale))
        return {part: Enterprise.objects.count() if part == "ents" else Member.objects.count() for part in stale}


def test_only_the_parts_whose_models_changed_are_computed_again(world):
    m = memo.VersionedMemo()
    deps = {"ents": memo.content_types([Enterprise]), "members": memo.content_types([Member])}
    compute = Recorder()
    first = m.get("tree", deps, compute)
    assert compute.calls == [{"ents", "members"}]
    assert m.get("tree", deps, compute) == first and len(compute.calls) == 1  # nothing changed
    add_enterprise(world.district_admin, world.comm_a, "天津新开张有限公司")
    after = m.get("tree", deps, compute)
    assert compute.calls[-1] == {"ents"}  # the members' count was kept
    assert after == {"ents": first["ents"] + 1, "members": first["members"]}


def test_figures_made_inside_a_rolled_back_transaction_are_not_trusted(world):
    m = memo.VersionedMemo()
    deps = {"ents": memo.content_types([Enterprise])}
    compute = Recorder()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_enterprise(world.district_admin, world.comm_a, "天津不算数有限公司")
        inside = m.get("tree", deps, compute)
        raise RuntimeError("rolled back")
    outside = m.get("tree", deps, compute)
    assert outside["ents"] == inside["ents"] - 1 and len(compute.calls) == 2



def test_one_request_reads_the_version_once_and_again_after_a_write(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m = memo.VersionedMemo()
    deps = {"ents": memo.content_types([Enterprise])}
    compute = Recorder()
    with memo.one_version_per_request(), CaptureQueriesContext(connection) as ctx:
        first = m.get("a", deps, compute)
        m.get("b", deps, compute)
        m.get("a", deps, compute)
        reads = sum('FROM "core_changelog"' in q["sql"] for q in ctx)
        assert reads == 1  # three memos asked, the version was read once
        add_enterprise(world.district_admin, world.comm_a, "天津同一请求有限公司")  # a write in the same request
        assert m.get("a", deps, compute)["ents"] == first["ents"] + 1  # ... is seen by the next memo read


def test_the_dashboard_keeps_the_directory_figures_when_an_activity_is_registered(world, monkeypatch):
    plans_memo.clear()
    period = ind.Period.year(2026)
    sections, _, _ = figures_with_targets(world.street1, period)
    computed = []
    real = ind.compute
    monkeypatch.setattr(ind, "compute", lambda base, p, keys=None: computed.append(set(keys)) or real(base, p, keys))
    activity = next(k for k in activity_kinds.KINDS if k.slug == "activities")
    activity.service.create(world.cadre_a, {"title": "职工趣味运动会", "kind": activity.model._meta.get_field("kind")
                                            .choices[0][0], "starts_on": period.end.replace(month=5, day=1),
                                            "node": world.comm_a})
    figures_with_targets(world.street1, period)
    assert computed == []  # no indicator reads activities
    # A new enterprise of 40 without a union: the organisation figures move at once, the others are kept.
    before = next(r for _, rows in sections for r in rows if r["ind"].key == "union_rate_25")["fig"]
    add_enterprise(world.district_admin, world.comm_a, "天津待建会有限公司", employees=40)
    sections, _, _ = figures_with_targets(world.street1, period)
    assert "union_rate_25" in computed[-1] and "aid_amount" not in computed[-1]
    after = next(r for _, rows in sections for r in rows if r["ind"].key == "union_rate_25")["fig"]
    assert (after.num, after.den) == (before.num, before.den + 1)
    # A new union makes a node: every figure of the tree is computed again (the tree's shape changed).
    ent = add_enterprise(world.district_admin, world.comm_a, "天津新建会有限公司", employees=40)
    add_union(world.district_admin, world.comm_a, "天津新建会有限公司工会委员会", [ent])
    figures_with_targets(world.street1, period)
    assert computed[-1] == set(ind.REGISTRY)


def test_warm_up_leaves_nothing_for_the_first_dashboard_to_compute(world, login, monkeypatch):
    """gunicorn --preload: the master warms up once, and the workers it forks start with the figures."""
    from django.db import connections

    plans_memo.clear()
    closed = []
    # It closes its connections for the workers it is forked into; here they are the test's own.
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    plans_memo.warm_up()
    assert closed == [True]
    monkeypatch.undo()
    computed = []
    real = ind.compute
    monkeypatch.setattr(ind, "compute", lambda base, p, keys=None: computed.append(set(keys)) or real(base, p, keys))
    assert login(world.district_admin).get(f"/plans/?node={world.street1.pk}").status_code == 200
    assert login(world.cadre_a).get("/").status_code == 200
    assert computed == []
