"""Activities and cadre work; funds. Figures from records, rules, roles and scope."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import HTMX
from unionwork.activities import kinds as akinds
from unionwork.activities import selectors
from unionwork.funds import kinds as fkinds

D = datetime.date


def kind(slug):
    return next(k for k in [*akinds.KINDS, *fkinds.KINDS] if k.slug == slug)


def test_info_adoption_rate_first_half(world, login):
    """篇二: 上半年上报信息62篇，录用35篇."""
    svc = kind("info").service
    for i in range(62):
        svc.create(world.cadre_a, {"title": f"信息{i}", "reported_on": D(2026, 1 + i % 6, 10), "to_whom": "街道",
                                   "adopted": i < 35, "outlet": "街道简报" if i < 35 else "", "node": world.comm_a})
    figures = selectors.info_adoption(world.cadre_a, 2026)
    assert (figures["reported"], figures["adopted"], figures["rate"]) == (62, 35, 56.5)
    assert figures["quarters"] == ["2026Q1", "2026Q2"]
    page = login(world.cadre_a).get("/activities/?year=2026").content.decode()
    assert "上报信息 <b>62</b> 篇" in page and "录用 <b>35</b> 篇" in page
    with pytest.raises(ValidationError):
        svc.create(world.cadre_a, {"title": "x", "reported_on": D(2026, 1, 1), "to_whom": "街道", "adopted": False,
                                   "outlet": "简报", "node": world.comm_a})


def test_activity_person_times_awards_and_results(world, login):
    """篇四: 780人次的教育; 篇一: 知识竞赛第一名, 路容整理近50公里."""
    svc, k = kind("activities").service, kind("activities")
    study = svc.create(world.cadre_a, {"kind": "study", "title": "职工思想教育", "starts_on": D(2026, 3, 1),
                                       "participants": 260, "person_times": 780, "node": world.comm_a})
    contest = svc.create(world.cadre_a, {"kind": "labour_contest", "title": "养护劳动竞赛", "starts_on": D(2026, 4, 1),
                                         "participants": 50, "person_times": 50, "partners": "市公路处",
                                         "node": world.comm_a})
    svc.add_child(world.cadre_a, contest, k.child("awards"), {"title": "知识竞赛第一名", "awarded_by": "市公路处北片"})
    svc.add_child(world.cadre_a, contest, k.child("results"), {"description": "路容整理", "quantity": Decimal("50"),
                                                               "unit": "公里"})
    assert selectors.activity_totals(world.cadre_a, 2026) == {"activities": 2, "participants": 310,
                                                               "person_times": 830}
    page = login(world.cadre_a).get(k.url("detail", contest.pk)).content.decode()
    assert "获奖：知识竞赛第一名" in page and "成果：路容整理50公里" in page
    with pytest.raises(ValidationError) as exc:
        svc.create(world.cadre_a, {"kind": "study", "title": "x", "starts_on": D(2026, 3, 1), "participants": 10,
                                   "person_times": 5, "node": world.comm_a})
    assert "人次" in str(exc.value)
    assert study.person_times == 780


def test_attachment_served_only_within_scope(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    k = kind("activities")
    a = k.service.create(world.cadre_a, {"kind": "culture_sport", "title": "太极拳比赛", "starts_on": D(2026, 5, 1),
                                         "node": world.comm_a})
    client = login(world.cadre_a)
    r = client.post(f"/activities/activities/{a.pk}/attachments/new/", {
        "attachments-file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg"),
        "attachments-caption": "比赛现场"})
    assert r.status_code == 302
    entry = a.attachments.get()
    url = f"/activities/activities/{a.pk}/attachments/{entry.pk}/file/"
    assert client.get(url).status_code == 200
    assert login(world.cadre_b).get(url).status_code == 404


def test_papers_and_awards(world):
    """篇四: 撰写了五篇论文，并有一篇被评为优秀论文."""
    svc = kind("reports").service
    for i in range(5):
        svc.create(world.cadre_a, {"kind": "paper", "title": f"论文{i}", "author": f"作者{i}", "author_role": "cadre",
                                   "completed_on": D(2026, 6, 1), "award": "优秀论文" if i == 0 else "",
                                   "node": world.comm_a})
    from unionwork.activities.models import ResearchReport

    papers = ResearchReport.objects.filter(kind="paper")
    assert papers.count() == 5 and papers.exclude(award="").count() == 1


def test_monthly_question_and_test_totals_per_cadre(world, login):
    q = kind("questions")
    question = q.service.create(world.street_cadre, {"month": "2026-03", "question": "《工会法》规定的工会经费来源有哪些？",
                                                     "published_on": D(2026, 3, 1), "node": world.street1})
    # The street's question is answered in the communities (it is shared downward).
    assert login(world.cadre_a).get(q.url("detail", question.pk)).status_code == 200
    q.service.add_child(world.street_cadre, question, q.child("answers"),
                        {"cadre": "王干部", "cadre_node": world.comm_a, "answered_on": D(2026, 3, 5), "score": 90})
    q.service.add_child(world.street_cadre, question, q.child("answers"),
                        {"cadre": "李干部", "cadre_node": world.comm_b, "answered_on": D(2026, 3, 6), "score": 80})
    with pytest.raises(ValidationError):
        q.service.add_child(world.street_cadre, question, q.child("answers"),
                            {"cadre": "赵干部", "cadre_node": world.comm_a, "answered_on": D(2026, 3, 6), "score": 120})
    t = kind("tests")
    test = t.service.create(world.street_cadre, {"title": "2026年上半年测试", "held_on": D(2026, 6, 30),
                                                 "node": world.street1})
    t.service.add_child(world.street_cadre, test, t.child("scores"), {"cadre": "王干部", "cadre_node": world.comm_a,
                                                                       "score": 95})
    rows = selectors.cadre_year_totals(world.street_cadre, 2026)
    wang = next(r for r in rows if r["cadre"] == "王干部")
    assert wang["answers"] == 1 and wang["average"] == Decimal("90.0") and wang["tests"] == [("2026年上半年测试", 95)]
    # A community sees only its own cadres.
    assert [r["cadre"] for r in selectors.cadre_year_totals(world.cadre_a, 2026)] == ["王干部"]
    with pytest.raises(ValidationError):
        q.service.add_child(world.cadre_a, question, q.child("answers"),
                            {"cadre": "外社区", "cadre_node": world.comm_b, "answered_on": D(2026, 3, 6)})


# ---------------------------------------------------------------- funds


def test_dues_computed_at_two_percent(world, login):
    d = kind("dues").service.create(world.street_cadre, {"enterprise": world.ent_a, "period": "2026Q1",
                                                         "payroll_base": Decimal("500000"), "collected": Decimal("9000"),
                                                         "returned": Decimal("5400")})
    assert d.due == Decimal("10000.00") and d.shortfall == Decimal("1000.00")
    page = login(world.street_cadre).get(kind("dues").url("detail", d.pk)).content.decode()
    assert "500000.00 × 2% = 10000.00 元" in page and "少缴 1000.00 元" in page
    with pytest.raises(ValidationError):
        kind("dues").service.create(world.street_cadre, {"enterprise": world.ent_a2, "period": "2026Q1",
                                                         "payroll_base": 100, "collected": 2, "returned": 3})


def test_custody_balance_and_overdraft(world):
    k = kind("custody")
    acc = k.service.create(world.street_cadre, {"enterprise": world.ent_a2, "opened_on": D(2026, 1, 1),
                                                "opening_balance": Decimal("1000")})
    k.service.add_child(world.street_cadre, acc, k.child("movements"), {"on": D(2026, 2, 1), "kind": "in",
                                                                        "amount": Decimal("500"), "description": "代收返还"})
    k.service.add_child(world.street_cadre, acc, k.child("movements"), {"on": D(2026, 3, 1), "kind": "out",
                                                                        "amount": Decimal("300"), "description": "慰问"})
    assert acc.balance() == Decimal("1200")
    with pytest.raises(ValidationError) as exc:
        k.service.add_child(world.street_cadre, acc, k.child("movements"),
                            {"on": D(2026, 3, 2), "kind": "out", "amount": Decimal("1300"), "description": "超支"})
    assert "超过账户余额" in str(exc.value)


def test_funds_roles(world, login):
    dues = kind("dues")
    # Community cadres and viewers do not see funds; the auditor sees them but records only audits.
    assert login(world.cadre_a).get(dues.url_list).status_code == 403
    assert login(world.viewer).get("/funds/").status_code == 403
    assert login(world.auditor).get(dues.url_list).status_code == 200
    with pytest.raises(PermissionDenied):
        dues.service.create(world.auditor, {"enterprise": world.ent_a, "period": "2026Q2", "payroll_base": 1,
                                            "collected": 0})
    audit = kind("audits").service.create(world.auditor, {"subject": "2025年度经费收支", "audited_on": D(2026, 3, 1),
                                                          "auditors": "经审员", "findings": "票据不全"})
    assert audit.node == world.street1
    assert login(world.auditor).get(kind("audits").url("edit", audit.pk)).status_code == 200
    assert login(world.auditor).get(dues.url_create).status_code == 403


# ---------------------------------------------------------------- scope, every kind


DATA = {
    "activities": lambda n: {"kind": "study", "title": f"{n.name}学习", "starts_on": D(2026, 3, 1), "node": n},
    "facilities": lambda n: {"kind": "reading_room", "name": f"{n.name}书屋", "built_on": D(2026, 3, 1),
                             "work_done": "购置图书", "node": n},
    "trainings": lambda n: {"title": f"{n.name}培训", "held_on": D(2026, 3, 1), "hours": 2, "attendees": 30, "node": n},
    "questions": lambda n: {"month": "2026-04", "question": f"{n.name}的题", "published_on": D(2026, 4, 1), "node": n},
    "tests": lambda n: {"title": f"{n.name}测试", "held_on": D(2026, 6, 1), "node": n},
    "info": lambda n: {"title": f"{n.name}信息", "reported_on": D(2026, 3, 1), "to_whom": "街道", "node": n},
    "briefings": lambda n: {"title": f"{n.name}简报", "published_on": D(2026, 3, 1), "node": n},
    "reports": lambda n: {"title": f"{n.name}调研", "author": "王", "author_role": "chair",
                          "completed_on": D(2026, 3, 1), "node": n},
    "dues": lambda n: {"enterprise": None, "period": "2026Q1", "payroll_base": 100, "collected": 2, "node": n},
    "audits": lambda n: {"subject": f"{n.name}审查", "audited_on": D(2026, 3, 1), "auditors": "x", "findings": "无",
                         "node": n},
}


@pytest.mark.parametrize("slug", list(DATA))
def test_scope_isolation(world, login, api, slug):
    k = kind(slug)
    make = DATA[slug]
    a, b = make(world.comm_a), make(world.comm_b)
    if slug == "dues":
        a["enterprise"], b["enterprise"] = world.ent_a, world.ent_b
    mine = k.service.create(world.district_admin, a)
    theirs = k.service.create(world.district_admin, b)
    # A user of community A: for funds, a street-level reader cannot be in a community; use the street cadre of
    # street 1 against community C of street 2 instead.
    user, other = (world.cadre_a, theirs)
    if k.view_perm != "view":
        c = make(world.comm_c)
        if slug == "dues":
            c["enterprise"] = world.ent_c
        other = k.service.create(world.district_admin, c)
        user = world.street_cadre
    client = login(user)
    listing = client.get(k.url_list, headers=HTMX).content.decode()
    assert f'href="{k.url("detail", mine.pk)}"' in listing
    assert f'href="{k.url("detail", other.pk)}"' not in listing
    assert client.get(k.url("detail", other.pk)).status_code == 404
    ids = [r["id"] for r in api(user).get(f"/api/v1/{k.app}/{slug}").json()["results"]]
    assert mine.pk in ids and other.pk not in ids
    r = api(user).patch(f"/api/v1/{k.app}/{slug}/{other.pk}", json.dumps({"note": "x"}),
                        content_type="application/json")
    assert r.status_code == 404
    with pytest.raises(PermissionDenied):
        k.service.create(user, make(world.comm_c) | ({"enterprise": world.ent_c} if slug == "dues" else {}))
