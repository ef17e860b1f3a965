"""Services to workers: hardship arithmetic at its boundaries, sensitive fields, totals, scope."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import HTMX
from unionwork.care import kinds, selectors
from unionwork.care.models import HardshipFile, JobSeeker, classify
from unionwork.core.audit import history
from unionwork.core.models import RevealLog

D = datetime.date


def kind(slug):
    return next(k for k in kinds.KINDS if k.slug == slug)


@pytest.fixture
def standard(world):
    # 1000 元/人·月 for the street; the files below are in community A of that street.
    return kind("standards").service.create(world.street_cadre, {"node": world.street1, "amount": Decimal("1000"),
                                                                  "effective_from": D(2025, 1, 1)})


def hardship(world, user=None, **over):
    data = {"person_name": "孙一", "family_size": 3, "annual_income": Decimal("36000"), "rigid_expenses": Decimal(0),
            "main_cause": "serious_illness", "filed_on": D(2026, 3, 1), "node": world.comm_a, "status": "draft",
            "id_number": "11010519491231002X", "phone": "13812345678", "health": "尿毒症透析",
            "bank_account": "6222020200112233445", "bank_name": "工商银行"}
    return kind("hardship").service.create(user or world.cadre_a, data | over)


# ---------------------------------------------------------------- the category arithmetic


@pytest.mark.parametrize("income,expenses,size,expected", [
    ("35999.64", "0", 3, "deep"),       # 999.99 per person-month: below 低保
    ("36000", "0", 3, "relative"),      # exactly 低保: not below it
    ("71999.64", "0", 3, "relative"),   # 1999.99: below twice 低保
    ("72000", "0", 3, "none"),          # exactly twice: not below it, not an accident
    ("84000", "12000", 3, "none"),      # (84000-12000)/12/3 = 2000
    ("84000", "12001", 3, "relative"),  # rigid expenses lower the disposable income
])
def test_category_boundaries(income, expenses, size, expected):
    category, lines = classify(Decimal(income), Decimal(expenses), size, Decimal("1000"), "other", [])
    assert category == expected
    assert lines[0].startswith(f"（{Decimal(income):.2f} − {Decimal(expenses):.2f}）÷ 12 ÷ {size} = ")


def test_accident_and_the_80_percent_rule():
    assert classify(Decimal(100000), Decimal(0), 2, Decimal(1000), "accident", [])[0] == "accident"
    assert classify(Decimal(100000), Decimal(0), 2, Decimal(1000), "other", ["disaster"])[0] == "accident"
    # Above twice 低保 after expenses, but expenses above 80% of income: 意外致困.
    category, lines = classify(Decimal(1000000), Decimal(800001), 2, Decimal(1000), "other", [])
    assert category == "accident" and "> 80%" in lines[-1]
    # Exactly 80%: not above.
    assert classify(Decimal(1000000), Decimal(800000), 2, Decimal(1000), "other", [])[0] == "none"


def test_file_computes_category_with_arithmetic_shown(world, login, standard):
    f = hardship(world, annual_income=Decimal("30000"))
    assert f.category == "deep" and f.next_review_on == D(2027, 3, 1)
    page = login(world.cadre_a).get(f"/care/hardship/{f.pk}/").content.decode()
    assert "（30000.00 − 0.00）÷ 12 ÷ 3 = 833.33 元/人·月" in page and "深度困难" in page
    assert "新华街道总工会 1000.00 元/人·月" in page


def test_file_needs_a_standard_and_valid_causes(world, standard):
    with pytest.raises(ValidationError) as exc:
        hardship(world, secondary_causes="下岗失业、子女上学、未参保、其他")
    assert "最多三项" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        hardship(world, secondary_causes="没钱")
    assert "不在致困原因目录" in str(exc.value)
    f = hardship(world, secondary_causes="下岗失业、子女上学")
    assert f.secondary_list() == ["laid_off", "schooling"]
    with pytest.raises(ValidationError) as exc:
        hardship(world, filed_on=D(2024, 6, 1))
    assert "低保标准" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        hardship(world, annual_income=Decimal(500000))
    assert "不符合" in str(exc.value)


def test_three_level_approval_in_order_then_active(world, standard):
    f = hardship(world)
    svc, child = kind("hardship").service, kind("hardship").child("approvals")
    with pytest.raises(ValidationError) as exc:
        svc.add_child(world.street_cadre, f, child, {"level": "street", "approved_on": D(2026, 3, 5), "approver": "王"})
    assert "社区工会" in str(exc.value)
    for level, day in (("community", 3), ("street", 5), ("district", 9)):
        svc.add_child(world.district_admin, f, child, {"level": level, "approved_on": D(2026, 3, day), "approver": "王"})
    f.refresh_from_db()
    assert f.status == "active"
    svc.add_child(world.cadre_a, f, kind("hardship").child("reviews"), {"reviewed_on": D(2026, 9, 1), "result": "维持"})
    f.refresh_from_db()
    assert f.next_review_on == D(2027, 9, 1)


def test_exit_needs_date_and_reason(world, standard):
    f = hardship(world)
    with pytest.raises(ValidationError) as exc:
        kind("hardship").service.update(world.cadre_a, f, {"status": "out"})
    assert "退出日期" in str(exc.value)
    kind("hardship").service.update(world.cadre_a, f, {"status": "out", "exited_on": D(2026, 10, 1),
                                                       "exit_reason": "本人再就业，收入稳定"})
    assert HardshipFile.objects.get(pk=f.pk).status == "out"


def test_reviews_due(world, standard):
    f = hardship(world, filed_on=D(2025, 3, 1))
    HardshipFile.objects.filter(pk=f.pk).update(status="active")
    assert list(selectors.hardship_reviews_due(world.cadre_a, today=D(2026, 3, 2))) == [f]
    assert list(selectors.hardship_reviews_due(world.cadre_a, today=D(2026, 3, 1))) == []


# ---------------------------------------------------------------- sensitive fields


def test_sensitive_fields_masked_revealed_by_role_and_logged(world, login, api, standard):
    f = hardship(world)
    page = login(world.cadre_a).get(f"/care/hardship/{f.pk}/").content.decode()
    for secret in ("尿毒症透析", "6222020200112233445", "11010519491231002X", "13812345678"):
        assert secret not in page
    assert "1101**********002X" in page and "6222***********3445" in page
    revealed = login(world.cadre_a).get(f"/care/hardship/{f.pk}/reveal/").content.decode()
    assert "尿毒症透析" in revealed and "6222020200112233445" in revealed
    assert RevealLog.objects.filter(user=world.cadre_a, object_id=f.pk).count() == 1
    assert login(world.viewer).get(f"/care/hardship/{f.pk}/reveal/").status_code == 403
    assert login(world.auditor).get(f"/care/hardship/{f.pk}/reveal/").status_code == 403
    body = api(world.cadre_a).get(f"/api/v1/care/hardship/{f.pk}").json()
    assert body["health"] == "（已隐藏）" and body["id_number"] == "1101**********002X"
    assert api(world.viewer).get(f"/api/v1/care/hardship/{f.pk}/reveal").status_code == 403
    export = login(world.cadre_a).get("/care/hardship/?export=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    values = {str(c) for row in ws.iter_rows(values_only=True) for c in row}
    assert "11010519491231002X" not in values and "1101**********002X" in values


def test_history_never_keeps_sensitive_values_in_full(world, login, standard):
    f = hardship(world)
    page = login(world.cadre_a).get(f"/care/hardship/{f.pk}/").content.decode()
    history = page[page.index("变更记录"):]
    assert "6222020200112233445" not in history and "13812345678" not in history


# ---------------------------------------------------------------- totals


def test_campaign_totals_people_times_amounts(world, login, standard):
    camp = kind("campaigns").service.create(world.street_cadre, {"name": "2026年冬送温暖", "kind": "winter_warmth",
                                                                  "starts_on": D(2026, 1, 1), "ends_on": D(2026, 2, 28),
                                                                  "budget": Decimal(50000), "node": world.street1})
    aid = kind("assistance").service
    files = [hardship(world, person_name=f"困难户{i}", id_number="") for i in range(20)]
    for f in files:  # 篇六: 20 hardship families assisted
        aid.create(world.cadre_a, {"campaign": camp, "hardship_file": f, "recipient": "", "form": "cash",
                                   "amount": Decimal(500), "given_on": D(2026, 1, 20)})
    aid.create(world.cadre_a, {"campaign": camp, "hardship_file": files[0], "recipient": "", "form": "goods",
                               "goods": "棉被", "quantity": 10, "amount": Decimal(1200), "given_on": D(2026, 1, 25)})
    t = selectors.campaign_totals(camp)
    assert (t["people"], t["times"], t["cash"], t["goods_value"], t["total"]) == (20, 21, 10000, 1200, 11200)
    assert t["goods"] == {"棉被": 10}
    page = login(world.street_cadre).get(f"/care/campaigns/{camp.pk}/").content.decode()
    assert "帮扶 20 人（户），21 人次" in page
    with pytest.raises(ValidationError) as exc:
        aid.create(world.cadre_a, {"campaign": camp, "recipient": "张三", "form": "cash", "amount": Decimal(1),
                                   "given_on": D(2026, 3, 5)})
    assert "活动期间" in str(exc.value)


def test_donation_drives_total_the_seed_figures(world, login):
    """篇二: 春风行动 2150 元, 玉树地震 5930 元, 西南旱区 4943.5 元."""
    svc, child = kind("donations").service, kind("donations").child("contributions")
    figures = {"春风行动捐款": ["1000", "1150"], "玉树地震捐款": ["5000", "930"], "西南旱区捐款": ["4000", "943.5"]}
    for name, amounts in figures.items():
        drive = svc.create(world.cadre_a, {"name": name, "starts_on": D(2026, 4, 1), "node": world.comm_a})
        for i, amount in enumerate(amounts):
            svc.add_child(world.cadre_a, drive, child, {"donor": f"居民{i}", "donor_kind": "person",
                                                        "amount": Decimal(amount), "given_on": D(2026, 4, 2)})
        figures[name] = selectors.donation_totals(drive)["amount"]
    assert figures == {"春风行动捐款": Decimal("2150"), "玉树地震捐款": Decimal("5930"), "西南旱区捐款": Decimal("4943.5")}
    quilts = svc.create(world.cadre_a, {"name": "汶川地震捐款", "starts_on": D(2026, 5, 1), "node": world.comm_a})
    svc.add_child(world.cadre_a, quilts, child, {"donor": "机关", "donor_kind": "unit", "amount": Decimal(8900),
                                                 "given_on": D(2026, 5, 2)})
    svc.add_child(world.cadre_a, quilts, child, {"donor": "机关", "donor_kind": "unit", "goods": "棉被", "quantity": 10,
                                                 "given_on": D(2026, 5, 2)})
    with pytest.raises(ValidationError):
        svc.add_child(world.cadre_a, quilts, child, {"donor": "x", "donor_kind": "unit", "given_on": D(2026, 5, 2)})
    page = login(world.cadre_a).get(f"/care/donations/{quilts.pk}/").content.decode()
    assert "捐款合计 8900.00 元" in page and "棉被 10" in page


def test_placement_marks_the_seeker_placed(world, login):
    seeker = kind("seekers").service.create(world.cadre_a, {"name": "下岗职工甲", "registered_on": D(2026, 1, 1),
                                                            "node": world.comm_a, "status": "seeking"})
    client = login(world.cadre_a)
    seeking = client.get("/care/seekers/?status=seeking").content.decode()
    assert "下岗职工甲" in seeking and "共 1 条" in seeking
    kind("placements").service.create(world.cadre_a, {"seeker": seeker, "employer": world.ent_a,
                                                      "placed_on": D(2026, 3, 1), "position": "保洁"})
    assert JobSeeker.objects.get(pk=seeker.pk).status == "placed"
    # The seeker's history says so, and the list of those still seeking no longer counts them.
    latest = history(seeker).first()
    assert latest.changes["status"]["new"] == "已就业" and latest.user == world.cadre_a
    seeking = client.get("/care/seekers/?status=seeking").content.decode()
    assert "下岗职工甲" not in seeking and "共 0 条" in seeking


def test_health_check_attendance(world):
    with pytest.raises(ValidationError):
        kind("health-checks").service.create(world.cadre_a, {"title": "妇检", "held_on": D(2026, 3, 6),
                                                             "eligible": 10, "attended": 11, "node": world.comm_a})


# ---------------------------------------------------------------- scope


@pytest.mark.parametrize("slug", ["campaigns", "donations", "seekers", "job-events", "health-checks", "insurance",
                                  "standards"])
def test_scope_isolation(world, login, api, slug):
    k = kind(slug)
    data = {
        "campaigns": lambda n: {"name": f"{n.name}节日慰问", "kind": "festival", "starts_on": D(2026, 1, 1),
                                "ends_on": D(2026, 1, 31), "node": n},
        "donations": lambda n: {"name": f"{n.name}募捐", "starts_on": D(2026, 1, 1), "node": n},
        "seekers": lambda n: {"name": f"{n.name}求职者", "registered_on": D(2026, 1, 1), "node": n, "status": "seeking"},
        "job-events": lambda n: {"kind": "fair", "title": f"{n.name}招聘会", "held_on": D(2026, 1, 1), "node": n},
        "health-checks": lambda n: {"title": f"{n.name}妇检", "held_on": D(2026, 3, 6), "eligible": 5, "attended": 5,
                                    "node": n},
        "insurance": lambda n: {"year": 2026, "enrolled": 8, "node": n},
        "standards": lambda n: {"amount": Decimal(900), "effective_from": D(2026, 1, 1), "node": n},
    }[slug]
    mine = k.service.create(world.district_admin, data(world.comm_a))
    theirs = k.service.create(world.district_admin, data(world.comm_b))
    client = login(world.cadre_a)
    listing = client.get(k.url_list, headers=HTMX).content.decode()
    assert f'href="{k.url("detail", mine.pk)}"' in listing and f'href="{k.url("detail", theirs.pk)}"' not in listing
    assert client.get(k.url("detail", theirs.pk)).status_code == 404
    ids = [r["id"] for r in api(world.cadre_a).get(f"/api/v1/care/{slug}").json()["results"]]
    assert ids == [mine.pk]
    r = api(world.cadre_a).patch(f"/api/v1/care/{slug}/{theirs.pk}", json.dumps({"note": "x"}),
                                 content_type="application/json")
    assert r.status_code == 404
    with pytest.raises(PermissionDenied):
        k.service.create(world.cadre_a, data(world.comm_b))
