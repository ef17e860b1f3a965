"""Labour-relations records: validation rules, computed flags and figures, scope, export, import."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import HTMX
from unionwork.core.models import ChangeLog
from unionwork.labour import kinds, selectors
from unionwork.labour.models import CollectiveContract, DisputeCase, HarmonyRating, Hazard, SafetyInspection
from unionwork.ledgers import services as ledger_services

from .conftest import record_data

D = datetime.date
SLUGS = [k.slug for k in kinds.KINDS]
TODAY = timezone.localdate()


def kind(slug):
    return next(k for k in kinds.KINDS if k.slug == slug)


# ---------------------------------------------------------------- scope, on every channel


@pytest.mark.parametrize("slug", SLUGS)
def test_community_cadre_sees_and_changes_only_own_records(world, login, api, make_record, slug):
    mine, theirs = make_record(slug, "a"), make_record(slug, "b")
    k = kind(slug)
    client = login(world.cadre_a)
    mine_link, their_link = f'href="{k.url("detail", mine.pk)}"', f'href="{k.url("detail", theirs.pk)}"'
    listing = client.get(k.url_list).content.decode()
    assert mine_link in listing and their_link not in listing
    fragment = client.get(k.url_list, headers=HTMX).content.decode()
    assert mine_link in fragment and their_link not in fragment and "<nav" not in fragment
    assert client.get(k.url("detail", theirs.pk)).status_code == 404
    assert client.get(k.url("edit", theirs.pk)).status_code == 404
    assert client.post(k.url("archive", theirs.pk)).status_code == 404
    export = client.get(k.url_list + "?export=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    cells = {str(c) for row in ws.iter_rows(values_only=True) for c in row}
    first_column = k.columns[0].get(theirs)
    assert k.columns[0].get(mine) in cells and (first_column not in cells or first_column == k.columns[0].get(mine))
    client_api = api(world.cadre_a)
    ids = [r["id"] for r in client_api.get(f"/api/v1/labour/{slug}").json()["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    assert client_api.get(f"/api/v1/labour/{slug}/{theirs.pk}").status_code == 404
    assert client_api.patch(f"/api/v1/labour/{slug}/{theirs.pk}", json.dumps({"note": "x"}),
                            content_type="application/json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None and theirs.note == ""


@pytest.mark.parametrize("slug", SLUGS)
def test_street_cadre_sees_both_communities(world, login, make_record, slug):
    a, b = make_record(slug, "a"), make_record(slug, "b")
    listing = login(world.street_cadre).get(kind(slug).url_list).content.decode()
    assert f'href="{kind(slug).url("detail", a.pk)}"' in listing and f'href="{kind(slug).url("detail", b.pk)}"' in listing


@pytest.mark.parametrize("slug", SLUGS)
def test_creating_a_record_in_another_community_is_refused(world, make_record, slug):
    with pytest.raises(PermissionDenied):
        make_record(slug, "b", user=world.cadre_a)


def test_page_create_with_other_community_enterprise_is_refused(world, login):
    response = login(world.cadre_a).post("/labour/visits/new/", {
        "enterprise": world.ent_b.pk, "visited_on": "2026-02-01", "visitors": "王", "problems": "", "quarter": "",
        "purpose": "", "node": "", "note": ""})
    assert response.status_code == 200  # the form: that enterprise is not a valid choice
    assert "visits" not in ChangeLog.objects.values_list("content_type__model", flat=True)


@pytest.mark.parametrize("slug", SLUGS)
def test_viewer_cannot_create_or_change(world, login, make_record, slug):
    record = make_record(slug, "a")
    client = login(world.viewer)
    assert client.get(kind(slug).url_create).status_code == 403
    assert client.get(kind(slug).url("edit", record.pk)).status_code == 403


# ---------------------------------------------------------------- contracts


def test_contract_dates_in_order_and_renewal_rules(world, make_record):
    with pytest.raises(ValidationError) as exc:
        make_record("contracts", effective_from=D(2025, 1, 10), effective_to=D(2025, 1, 1))
    assert "到期日期应晚于生效日期" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_record("contracts", wage_increase=-1)
    assert "不能为负数" in str(exc.value)
    old = make_record("contracts")
    with pytest.raises(ValidationError) as exc:
        make_record("contracts", title="续签合同", renews=old, signed_on=D(2024, 12, 1),
                    effective_from=D(2025, 1, 10), effective_to=D(2028, 1, 9))
    assert "不能早于原合同" in str(exc.value)
    new = make_record("contracts", title="续签合同", renews=old, signed_on=D(2026, 12, 1) if TODAY >= D(2026, 12, 1)
                      else TODAY, effective_from=D(2027, 1, 10), effective_to=D(2030, 1, 9))
    assert new.renews == old and old.renewed_by == new


def test_contract_reach_and_coverage(world, make_record):
    with pytest.raises(ValidationError) as exc:
        make_record("contracts", reach="industry")
    assert "两家以上" in str(exc.value)
    industry = make_record("contracts", reach="industry", title="行业性工资集体协议", enterprises=[world.ent_a, world.ent_a2])
    assert set(industry.enterprises.all()) == {world.ent_a, world.ent_a2}


def test_negotiation_rounds_and_checks_are_the_contract_timeline(world, login, make_record):
    contract = make_record("contracts")
    client = login(world.cadre_a)
    for i, day in enumerate(["2024-11-01", "2024-12-01", "2025-01-05"], start=1):
        r = client.post(f"/labour/contracts/{contract.pk}/rounds/new/",
                        {"rounds-held_on": day, "rounds-summary": f"第{i}次拿方案"})
        assert r.status_code == 302
    late = client.post(f"/labour/contracts/{contract.pk}/rounds/new/",
                       {"rounds-held_on": "2025-02-01", "rounds-summary": "签订后"})
    assert late.status_code == 400 and "签订" in late.content.decode()
    page = client.get(f"/labour/contracts/{contract.pk}/").content.decode()
    assert page.index("第1次拿方案") < page.index("第2次拿方案") < page.index("第3次拿方案")
    assert contract.rounds.count() == 3
    assert ChangeLog.objects.filter(object_id=contract.pk, message__contains="协商轮次").count() == 3


def test_expiry_lists(world, make_record):
    soon = make_record("contracts", title="将到期", signed_on=TODAY - datetime.timedelta(days=700),
                       effective_from=TODAY - datetime.timedelta(days=700), effective_to=TODAY + datetime.timedelta(days=90))
    later = make_record("contracts", title="远期", signed_on=TODAY - datetime.timedelta(days=10),
                        effective_from=TODAY - datetime.timedelta(days=10), effective_to=TODAY + datetime.timedelta(days=91))
    gone = make_record("contracts", title="已到期", signed_on=TODAY - datetime.timedelta(days=800),
                       effective_from=TODAY - datetime.timedelta(days=800), effective_to=TODAY - datetime.timedelta(days=1))
    renewed = make_record("contracts", title="已续签的旧合同", signed_on=TODAY - datetime.timedelta(days=800),
                          effective_from=TODAY - datetime.timedelta(days=800), effective_to=TODAY - datetime.timedelta(days=2))
    make_record("contracts", title="续签", renews=renewed, signed_on=TODAY - datetime.timedelta(days=3),
                effective_from=TODAY - datetime.timedelta(days=1), effective_to=TODAY + datetime.timedelta(days=1000))
    user = world.cadre_a
    assert list(selectors.contracts_expiring(user)) == [soon]
    assert list(selectors.contracts_expired_unrenewed(user)) == [gone]
    assert later not in selectors.contracts_expiring(user)


# ---------------------------------------------------------------- ratings


def test_rating_levels_cannot_be_skipped(world, make_record):
    with pytest.raises(ValidationError) as exc:
        make_record("ratings", level="AA", year=2025)
    assert "不能越级" in str(exc.value)
    make_record("ratings", level="A", year=2024, rated_on=D(2024, 6, 1))
    make_record("ratings", level="AA", year=2025)
    with pytest.raises(ValidationError):
        make_record("ratings", level="AAA", year=2025)  # one rating a year
    aaa = make_record("ratings", level="AAA", year=2026, rated_on=D(2026, 6, 1))
    assert aaa.level == "AAA"


def test_a_revoked_rating_does_not_count_as_the_level_below(world, make_record):
    first = make_record("ratings", level="A", year=2024, rated_on=D(2024, 6, 1))
    kind("ratings").service.update(world.district_admin, first, {"revoked_on": D(2024, 12, 1),
                                                                  "revoke_reason": "发生欠薪事件"})
    with pytest.raises(ValidationError):
        make_record("ratings", level="AA", year=2025)
    with pytest.raises(ValidationError) as exc:
        kind("ratings").service.update(world.district_admin, HarmonyRating.objects.get(pk=first.pk),
                                       {"revoked_on": D(2024, 12, 2), "revoke_reason": ""})
    assert "原因" in str(exc.value)


# ---------------------------------------------------------------- disputes


def test_dispute_flagged_for_arbitration_after_15_days(world, make_record):
    fresh = make_record("disputes", applied_on=TODAY - datetime.timedelta(days=15), title="第15天")
    old = make_record("disputes", applied_on=TODAY - datetime.timedelta(days=16), title="第16天")
    closed = make_record("disputes", applied_on=TODAY - datetime.timedelta(days=40), title="已调解",
                         outcome="success", closed_on=TODAY - datetime.timedelta(days=30), amount_recovered=5000)
    assert not fresh.arbitration_eligible and old.arbitration_eligible and not closed.arbitration_eligible
    assert list(selectors.disputes_past_mediation_limit(world.cadre_a)) == [old]


def test_dispute_amounts_and_outcome_rules(world, make_record):
    with pytest.raises(ValidationError) as exc:
        make_record("disputes", amount_claimed=-5)
    assert "不能为负数" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_record("disputes", outcome="success")
    assert "结案日期" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_record("disputes", outcome="success", closed_on=D(2026, 1, 20), amount_recovered=6000)
    assert "不能超过请求金额" in str(exc.value)


def test_wage_arrears_per_enterprise(world, make_record):
    make_record("disputes", title="一", amount_claimed=5000)
    make_record("disputes", title="二", amount_claimed=3000, outcome="success", closed_on=D(2026, 1, 10),
                amount_recovered=3000)
    make_record("disputes", title="工伤", kind="injury")
    rows = list(selectors.wage_arrears_by_enterprise(world.cadre_a))
    assert len(rows) == 1
    row = rows[0]
    assert row["enterprise_id"] == world.ent_a.pk and row["cases"] == 2 and row["open"] == 1
    assert row["claimed"] == 8000 and row["recovered"] == 3000


# ---------------------------------------------------------------- safety


def test_rectification_rate_is_computed(world, login, make_record):
    """篇三: 4 inspections, 2 hazards found, both rectified: 整改率100%."""
    inspections = [make_record("inspections", inspected_on=D(2026, m, 1)) for m in (1, 4, 7, 9)]
    svc = kind("inspections").service
    child = kind("inspections").child("hazards")
    for i, text in enumerate(["消防通道堆放杂物", "配电箱未上锁"]):
        svc.add_child(world.cadre_a, inspections[i], child, {"description": text, "deadline": D(2026, 1 + 3 * i, 20)})
    figures = selectors.rectification_for(world.cadre_a, 2026)
    assert figures == {"inspections": 4, "found": 2, "rectified": 0, "rate": 0.0}
    for h in Hazard.objects.all():
        svc.update_child(world.cadre_a, h.inspection, child, h, {"rectified_on": h.deadline})
    figures = selectors.rectification_for(world.cadre_a, 2026)
    assert figures == {"inspections": 4, "found": 2, "rectified": 2, "rate": 100.0}
    page = login(world.cadre_a).get("/labour/").content.decode()
    assert "查出隐患 <b>2</b> 处，督促整改 <b>2</b> 处，整改率 <b>100%</b>" in page
    with pytest.raises(ValidationError):
        svc.add_child(world.cadre_a, inspections[0], child, {"description": "x", "deadline": D(2025, 12, 1)})
    assert SafetyInspection.objects.count() == 4


def test_congress_attendance_cannot_exceed_delegates(world, make_record):
    with pytest.raises(ValidationError) as exc:
        make_record("congresses", attended=60)
    assert "不能多于应到人数" in str(exc.value)


# ---------------------------------------------------------------- API and import


def test_api_create_and_timeline(world, api):
    client = api(world.cadre_a)
    r = client.post("/api/v1/labour/disputes", json.dumps({
        "title": "拖欠工资", "enterprise_id": world.ent_a.pk, "kind": "wages", "workers": "孙一、周二",
        "worker_count": 2, "amount_claimed": "12000", "mediator": "community", "applied_on": "2026-10-01"}),
        content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(f"/api/v1/labour/disputes/{pk}/steps", json.dumps({"on": "2026-09-30", "description": "早于申请"}),
                    content_type="application/json")
    assert r.status_code == 422 and "申请日期" in r.json()["errors"]["on"][0]
    r = client.patch(f"/api/v1/labour/disputes/{pk}", json.dumps({"outcome": "success", "closed_on": "2026-10-20",
                                                                   "amount_recovered": "12000"}),
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["outcome"] == "success"
    assert DisputeCase.objects.get(pk=pk).amount_recovered == 12000
    r = client.post("/api/v1/labour/disputes", json.dumps({"title": "外社区", "enterprise_id": world.ent_b.pk,
                                                            "kind": "wages", "workers": "x", "mediator": "community",
                                                            "applied_on": "2026-10-01"}),
                    content_type="application/json")
    assert r.status_code == 422 and "enterprise" in r.json()["errors"]


@pytest.mark.parametrize("slug", SLUGS)
def test_export_reimports_unchanged(world, login, make_record, tmp_path, slug):
    make_record(slug, "a")
    response = login(world.cadre_a).get(f"/ledgers/templates/{slug}.xlsx")
    assert response.status_code == 200
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert headers, "the template names its columns"
    # Fill the template from the record itself, as a cadre would, and import it twice.
    k = kind(slug)
    data = record_data(world, slug, "a")
    from unionwork.ledgers.kind_import import kind_columns

    cols = kind_columns(k)
    row = []
    for col in cols:
        value = data.get(col.key)
        if isinstance(value, list):
            value = "、".join(e.uscc for e in value)
        elif hasattr(value, "uscc"):
            value = value.uscc
        elif hasattr(value, "pk"):
            value = str(value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif col.key in ("kind", "reach", "level", "mediator", "outcome", "filing_status") and value:
            field = k.model._meta.get_field(col.key)
            value = dict(field.choices)[value]
        row.append(value)
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    book.active.append([c.header for c in cols])
    book.active.append(row)
    book.save(path)
    job = ledger_services.create_job(world.cadre_a, node=world.comm_a, kind=slug, source=path, file_name="in.xlsx")
    job = ledger_services.run_job(job, commit=True)
    assert job.status == "done", job.problems
    assert (job.created, job.updated, job.unchanged) == (0, 0, 1)  # the record made above is found, not doubled
    assert k.model.objects.count() == 1


def test_contract_import_creates_and_reports_problems(world, tmp_path):
    path = tmp_path / "contracts.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["合同名称", "合同类别", "覆盖范围", "覆盖企业", "签订日期", "生效日期", "到期日期", "覆盖职工人数"])
    ws.append(["劳动安全卫生专项集体合同", "劳动安全卫生专项集体合同", "单个企业", world.ent_a.uscc, "2025.1.5",
               "2025年1月10日", "20280109", "50"])
    ws.append(["坏合同", "工资专项集体合同", "单个企业", world.ent_a.name, "2025-01-05", "2025-01-10", "2024-01-09", 5])
    book.save(path)
    job = ledger_services.create_job(world.cadre_a, node=world.comm_a, kind="contracts", source=path,
                                     file_name="contracts.xlsx", mode="valid-rows")
    job = ledger_services.run_job(job, commit=True)
    assert (job.created, job.rejected) == (1, 1)
    assert any(p["row"] == 3 and "到期日期应晚于生效日期" in p["reason"] for p in job.problems)
    contract = CollectiveContract.objects.get()
    assert contract.kind == "safety" and contract.signed_on == D(2025, 1, 5) and contract.node == world.comm_a
    assert list(contract.enterprises.all()) == [world.ent_a]
