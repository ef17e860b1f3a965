"""Indicators on small hand-built data with known answers at the boundaries; targets, scores, scope."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import add_enterprise, add_union
from unionwork.directory.models import Enterprise
from unionwork.labour.kinds import CONTRACTS
from unionwork.org.services import create_node
from unionwork.plans import indicators as ind
from unionwork.plans import services
from unionwork.plans.models import Assessment

D = datetime.date
REF = D(2026, 6, 30)
PERIOD = ind.Period(D(2026, 1, 1), REF)


def value(node, key, period=PERIOD):
    return ind.compute_one(node, period, key)


@pytest.fixture
def boundary(world):
    """Community A gets enterprises at the edges of every definition."""
    admin, comm = world.district_admin, world.comm_a
    e = {
        "e25": add_enterprise(admin, comm, "恰好25人公司", employees=25, female_employees=5),
        "e24": add_enterprise(admin, comm, "24人公司", employees=24, female_employees=5),
        "e25_no_union": add_enterprise(admin, comm, "25人未建会公司", employees=25, female_employees=5),
        "closed_before": add_enterprise(admin, comm, "去年注销公司", employees=40, female_employees=5),
        "closed_after": add_enterprise(admin, comm, "统计日后注销公司", employees=40, female_employees=5),
    }
    add_union(admin, comm, "恰好25人公司工会", [e["e25"]], founded_on=REF)  # founded on the reference date
    add_union(admin, comm, "24人公司工会", [e["e24"]], founded_on=D(2026, 3, 1))
    add_union(admin, comm, "统计日后注销公司工会", [e["closed_after"]], founded_on=D(2020, 1, 1))
    Enterprise.objects.filter(pk=e["closed_before"].pk).update(status="cancelled", status_date=D(2025, 12, 31))
    Enterprise.objects.filter(pk=e["closed_after"].pk).update(status="cancelled", status_date=D(2026, 7, 1))
    return e


def test_union_rate_25_boundaries(world, boundary):
    # Operating with >= 25 employees in A on 2026-06-30: ent_a (30, own union), 恰好25 (own union founded that
    # day), 25人未建会, 统计日后注销 (40, own union; closed only after the date). Not: 24人, 去年注销.
    fig = value(world.comm_a, "union_rate_25")
    assert (fig.num, fig.den) == (3, 4) and fig.value == Decimal("75.0")
    listed = set(ind.records(ind.REGISTRY["union_rate_25"], "den", world.comm_a, PERIOD).values_list("name", flat=True))
    assert listed == {world.ent_a.name, "恰好25人公司", "25人未建会公司", "统计日后注销公司"}
    missing = list(ind.records(ind.REGISTRY["union_rate_25"], "missing", world.comm_a, PERIOD))
    assert [m.name for m in missing] == ["25人未建会公司"]
    # The day before, the union founded on the reference date did not exist yet.
    before = ind.Period(D(2026, 1, 1), REF - datetime.timedelta(days=1))
    assert value(world.comm_a, "union_rate_25", before).num == 2


def test_drill_down_lists_equal_counted_records(world, boundary):
    for key, indicator in ind.REGISTRY.items():
        fig = value(world.comm_a, key)
        for which, expected in (("num", fig.num), ("den", fig.den)):
            part = indicator.num if which == "num" else indicator.den
            if part is None or part.total or part.distinct_by:
                continue
            qs = ind.records(indicator, which, world.comm_a, PERIOD)
            assert qs.count() == expected, (key, which)


def test_new_unions_count_in_the_period_per_community(world, boundary):
    assert value(world.comm_a, "new_unions").num == 2  # 24人 (March) and 恰好25 (June 30); 2020 not
    assert value(world.comm_b, "new_unions").num == 0
    assert value(world.street1, "new_unions").num == 2  # rolled up


def test_wage_contract_ending_on_the_reference_date_counts(world, boundary):
    def contract(ent, start, end):
        return CONTRACTS.service.create(world.district_admin, {
            "title": f"{ent.name}工资专项", "kind": "wage", "reach": "enterprise", "enterprises": [ent],
            "signed_on": start, "effective_from": start, "effective_to": end, "covered_employees": 10})

    contract(world.ent_a, D(2024, 7, 1), REF)
    contract(boundary["e24"], D(2023, 1, 1), REF - datetime.timedelta(days=1))  # expired the day before
    fig = value(world.comm_a, "wage_rate")
    covered = {world.ent_a.name, "恰好25人公司", "24人公司", "统计日后注销公司"}
    assert fig.den == len(covered) and fig.num == 1
    assert value(world.comm_a, "new_wage").num == 0  # ent_a's first contract began in 2024
    contract(boundary["e25"], D(2026, 2, 1), D(2028, 1, 31))
    assert value(world.comm_a, "new_wage").num == 1


def test_rates_without_records_have_no_value(world):
    fig = value(world.comm_c, "mediation_success")
    assert fig.num == 0 and fig.den == 0 and fig.value is None


def test_targets_default_for_children_and_overrides(world):
    plan = services.create_plan(world.street_cadre, world.street1, 2026, copy_last_year=False)
    assert services.targets_for(world.comm_a, 2026)["union_rate_25"] == 95
    assert services.targets_for(world.comm_a, 2026)["new_unions"] == 2
    services.set_target(world.street_cadre, plan, "new_unions", "child", Decimal(5), child=world.comm_b)
    assert services.targets_for(world.comm_b, 2026)["new_unions"] == 5
    assert services.targets_for(world.comm_a, 2026)["new_unions"] == 2
    assert services.targets_for(world.street1, 2026)["wage_rate"] == 90  # the plan's own target
    with pytest.raises(Exception, match="直接下级"):
        services.set_target(world.street_cadre, plan, "new_unions", "child", Decimal(5), child=world.comm_c)
    with pytest.raises(Exception, match="100%"):
        services.set_target(world.street_cadre, plan, "union_rate_all", "children", Decimal(120))
    copy = services.create_plan(world.street_cadre, world.street1, 2027)
    assert copy.targets.get(indicator="new_unions", scope="child").value == 5


def test_score_rank_cap_and_frozen_result(world, boundary):
    plan = services.create_plan(world.street_cadre, world.street1, 2026, copy_last_year=False)
    plan.targets.exclude(indicator__in=["union_rate_25", "new_unions"]).update(weight=0)
    plan.targets.filter(indicator="union_rate_25", scope="children").update(weight=50)
    plan.targets.filter(indicator="new_unions", scope="children").update(weight=50)
    first = services.run_assessment(world.street_cadre, plan, REF)
    by_node = {r["node_id"]: r for r in first.results}
    a, b = by_node[world.comm_a.pk], by_node[world.comm_b.pk]
    # A: 建会率 75/95 = 78.9% → 39.47; new unions 2/2 = 100% → 50.
    assert a["score"] == "89.47" and a["rank"] == 1
    # B: 建会率 1/1 = 100% → 100/95 = 105.3% → 52.63; new unions 0/2 → 0.
    assert b["score"] == "52.63" and b["rank"] == 2
    # Over-achievement is capped at 120% of the weight.
    services.set_target(world.street_cadre, plan, "new_unions", "child", Decimal(1), child=world.comm_a)
    second = services.run_assessment(world.street_cadre, plan, REF)
    row = next(r for r in second.results if r["node_id"] == world.comm_a.pk)
    unions_row = next(x for x in row["rows"] if x["indicator"] == "new_unions")
    assert unions_row["achievement"] == "200.0" and unions_row["capped"] and unions_row["points"] == "60.00"
    assert second.version == 2
    # The first version is frozen: records changed since do not change it.
    add_union(world.district_admin, world.comm_a, "新的联合工会", [boundary["e25_no_union"]], founded_on=D(2026, 4, 1))
    assert Assessment.objects.get(pk=first.pk).results == first.results


def test_snapshot_keeps_last_years_figures(world, boundary):
    snap = services.take_snapshot(world.street_cadre, world.street1, REF)
    before = snap.data[str(world.comm_a.pk)]["union_rate_25"]
    add_union(world.district_admin, world.comm_a, "新的联合工会", [boundary["e25_no_union"]], founded_on=D(2026, 4, 1))
    assert value(world.comm_a, "union_rate_25").num == 4
    snap.refresh_from_db()
    assert snap.data[str(world.comm_a.pk)]["union_rate_25"] == before == {"num": "3", "den": "4", "value": "75.0"}


# ---------------------------------------------------------------- pages: scope, traceability, query counts


def test_community_dashboard_counts_only_its_community(world, login, boundary):
    client = login(world.cadre_a)
    page = client.get("/plans/?year=2026").content.decode()
    assert "天运社区" in page
    assert client.get(f"/plans/?node={world.comm_b.pk}").status_code == 404
    assert client.get(f"/plans/indicators/union_rate_all/?node={world.comm_b.pk}").status_code == 404
    listing = client.get("/plans/indicators/union_rate_all/?which=den&year=2026").content.decode()
    assert world.ent_a.name in listing and world.ent_b.name not in listing


def test_figure_links_to_its_records(world, login, boundary):
    page = login(world.street_cadre).get(f"/plans/?node={world.comm_a.pk}&year=2026").content.decode()
    assert f"/plans/indicators/union_rate_25/?node={world.comm_a.pk}&year=2026&which=missing" in page
    missing = login(world.street_cadre).get(
        f"/plans/indicators/union_rate_25/?node={world.comm_a.pk}&year=2026&which=missing").content.decode()
    assert "25人未建会公司" in missing and f"/directory/enterprises/{boundary['e25_no_union'].pk}/" in missing


def test_dashboard_queries_do_not_grow_with_children(world, login):
    client = login(world.district_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/?node={world.street1.pk}").status_code == 200
        return len(ctx)

    count()
    before = count()  # warm: the tree's figures are kept until a record changes (core.memo)
    for i in range(5):
        comm = create_node(None, kind="community", name=f"新社区{i}", code=f"NEW{i}", parent=world.street1)
        add_union(world.district_admin, comm, f"新社区{i}工会", [add_enterprise(world.district_admin, comm, f"新公司{i}")])
    cold = count()
    assert count() == before
    # Computed again: a query or two per indicator, and the reminders' and monthly trends' nine.
    assert cold - before <= 2 * len(ind.REGISTRY) + 15


def test_dashboard_reminders_and_trends_follow_writes_and_scope(world, login):
    import json
    import re

    from django.utils import timezone

    today = timezone.localdate()

    def reminders(user, node):
        page = login(user).get(f"/plans/?node={node.pk}").content.decode()
        terms = int(re.search(r"90天内届满或已届满的工会</a> <span[^>]*>(\d+)<", page).group(1))
        script = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page).group(1)
        founded = dict(json.loads(json.loads(script))["series"])["新建工会"]
        return terms, founded[today.month - 1]

    before_a, founded_before = reminders(world.street_cadre, world.street1)
    before_c, _ = reminders(world.district_admin, world.street2)
    add_union(world.district_admin, world.comm_a, "天运社区第二联合基层工会委员会", founded_on=today,
              term_start=today, term_end=today + datetime.timedelta(days=30))
    after_a, founded_after = reminders(world.street_cadre, world.street1)
    assert after_a == before_a + 1  # the kept reminders and trends are computed again after the write
    assert founded_after == founded_before + 1
    assert reminders(world.district_admin, world.street2)[0] == before_c  # another street's are not touched
    assert reminders(world.cadre_b, world.comm_b)[0] == 0
