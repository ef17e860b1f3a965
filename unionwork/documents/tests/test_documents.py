"""The data check finds each planted case; the summary says what the records say, and opens in Word."""

import datetime
import io
from decimal import Decimal

import docx
import pytest
from django.core.management import call_command

from conftest import add_enterprise, add_member, add_union, make_id
from unionwork.activities.kinds import ACTIVITIES, INFO
from unionwork.care.kinds import DONATIONS
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.documents import checks, summary
from unionwork.labour.kinds import CONTRACTS, INSPECTIONS
from unionwork.plans import indicators as ind
from unionwork.plans import services as plan_services

D = datetime.date
TODAY = D(2026, 11, 1)


def found(node, key):
    return {i.message for rule, items in checks.run(node, TODAY) if rule.key == key for i in items}


def test_each_check_finds_its_planted_case(world):
    admin = world.district_admin
    Member.objects.filter(pk=world.zhangsan.pk).update(id_number="110102199101010079")  # wrong check digit
    Enterprise.objects.filter(pk=world.ent_a2.pk).update(uscc="91110000600037341N")
    closed = add_enterprise(admin, world.comm_a, "已注销公司", employees=30, female_employees=5)
    add_union(admin, world.comm_a, "已注销公司工会", [closed])
    Enterprise.objects.filter(pk=closed.pk).update(status="cancelled", status_date=D(2026, 5, 1))
    Union.objects.filter(pk=world.union_a.pk).update(term_end=D(2026, 1, 1), term_start=D(2021, 1, 1))
    CONTRACTS.service.create(admin, {"title": "过期合同", "kind": "wage", "reach": "enterprise",
                                     "enterprises": [world.ent_a], "signed_on": D(2023, 1, 1),
                                     "effective_from": D(2023, 1, 1), "effective_to": D(2025, 12, 31)})
    Enterprise.objects.filter(pk=world.ent_a.pk).update(employees=1, female_employees=0)
    big = add_enterprise(admin, world.comm_a, "大型未建会公司", employees=300, female_employees=50)
    add_member(admin, world.union_a2, "重名甲", make_id("19800101", 61), phone="13800001234")
    add_member(admin, world.union_a2, "重名甲", make_id("19810101", 62), phone="13800001234")
    node = world.comm_a
    assert any("张三" in m and "校验位" in m for m in found(node, "bad_id"))
    assert any("宏达商贸" in m for m in found(node, "bad_uscc"))
    assert any("已注销公司" in m for m in found(node, "closed_live_union"))
    assert any(world.union_a.name in m for m in found(node, "term_expired"))
    assert any("过期合同" in m for m in found(node, "contract_expired"))
    assert any("华信机械" in m and "多于职工人数" in m for m in found(node, "members_above_employees"))
    assert any(big.name in m for m in found(node, "big_without_union"))
    dupes = [i for rule, items in checks.run(node, TODAY) if rule.key == "duplicates" for i in items]
    assert len(dupes) == 2 and {i.record.name for i in dupes} == {"重名甲"}
    # Nothing of another community leaks into this one's check.
    assert not found(world.comm_b, "bad_id") and not found(world.comm_b, "duplicates")


def test_summary_figures_equal_indicators_and_empty_sections_are_left_out(world):
    admin = world.district_admin
    plan_services.create_plan(world.street_cadre, world.street1, 2026, copy_last_year=False)
    period = ind.Period(D(2026, 1, 1), TODAY, "2026年")
    inspections = [INSPECTIONS.service.create(admin, {"enterprise": world.ent_a, "inspected_on": D(2026, m, 1)})
                   for m in (1, 4, 7, 9)]
    hazards = INSPECTIONS.child("hazards")
    for i in range(2):
        INSPECTIONS.service.add_child(admin, inspections[i], hazards, {"description": f"隐患{i}",
                                                                       "deadline": D(2026, 5, 1),
                                                                       "rectified_on": D(2026, 4, 20)})
    contest = ACTIVITIES.service.create(admin, {"kind": "skill_contest", "title": "路政执法技能比武",
                                                "starts_on": D(2026, 5, 1), "participants": 40, "person_times": 40,
                                                "node": world.comm_a})
    ACTIVITIES.service.add_child(admin, contest, ACTIVITIES.child("awards"), {"title": "知识竞赛第一名"})
    for i in range(3):
        INFO.service.create(admin, {"title": f"信息{i}", "reported_on": D(2026, 3, 1), "to_whom": "街道",
                                    "adopted": i == 0, "outlet": "简报" if i == 0 else "", "node": world.comm_a})
    drive = DONATIONS.service.create(admin, {"name": "玉树地震捐款", "starts_on": D(2026, 4, 1), "node": world.comm_a})
    DONATIONS.service.add_child(admin, drive, DONATIONS.child("contributions"),
                                {"donor": "居民", "donor_kind": "person", "amount": Decimal("5930"),
                                 "given_on": D(2026, 4, 2)})
    doc = summary.build(world.comm_a, period)
    text = doc.text()
    assert "组织安全检查4次，查出安全隐患2处，督促整改2处，整改率达100%。" in text
    assert "“路政执法技能比武”：获得知识竞赛第一名。" in text
    assert "报送各类信息3篇，被录用1篇。" in text
    assert "组织“玉树地震捐款”，捐款5930元。" in text
    figures = ind.compute(world.comm_a, period)[world.comm_a.pk]
    assert f"名录库正常经营企业建会率{summary._n(figures['union_rate_all'].value)}%" in text
    titles = [s.title for s in doc.sections]
    assert "六、共建" not in titles  # nothing recorded: left out, not padded
    assert "八、存在的不足" in titles and "九、下一步打算" in titles
    # The preview links every figure to its records.
    assert all(seg.url for s in doc.sections for p in s.paragraphs for seg in p if seg.text.endswith("处"))


def test_word_document_opens_with_official_layout(world, tmp_path, login):
    out = tmp_path / "summary.docx"
    call_command("write_summary", "--node", world.comm_a.code, "--year", "2026", "-o", str(out))
    d = docx.Document(str(out))
    assert d.paragraphs[0].text.startswith(world.comm_a.display_name + "2026年")
    assert d.paragraphs[0].text.endswith("工作总结")
    section = d.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert d.paragraphs[0].runs[0].font.size.pt == 22
    response = login(world.cadre_a).get("/documents/summary/?year=2026&format=docx")
    assert response.status_code == 200
    assert docx.Document(io.BytesIO(response.content)).paragraphs[0].text.startswith(world.comm_a.display_name)


def test_pages_are_scoped(world, login):
    client = login(world.cadre_a)
    assert client.get("/documents/check/").status_code == 200
    assert client.get(f"/documents/check/?node={world.comm_b.pk}").status_code == 404
    assert client.get(f"/documents/summary/?node={world.comm_b.pk}").status_code == 404
    page = client.get("/documents/summary/?year=2026").content.decode()
    assert world.comm_a.display_name in page


@pytest.mark.parametrize("half,quarter,label", [(1, None, "上半年"), (None, 3, "第3季度")])
def test_half_year_and_quarter_periods(world, login, half, quarter, label):
    query = f"year=2026&half={half}" if half else f"year=2026&quarter={quarter}"
    page = login(world.cadre_a).get(f"/documents/summary/?{query}").content.decode()
    assert label in page


def test_work_plan_states_targets_per_child_and_the_work_list(world, login):
    plan_services.create_plan(world.street_cadre, world.street1, 2027, copy_last_year=False)
    big = add_enterprise(world.district_admin, world.comm_a, "待建会大企业", employees=500, female_employees=100)
    from unionwork.documents import plan_doc

    doc = plan_doc.build(world.street1, 2027)
    text = doc.text()
    assert "25人以上企业单独建会率：全年达到95%以上" in text
    assert "各下级不少于2个：天运社区2个" in text and "鹿源春社区2个" in text
    assert big.name in text  # the enterprises to unionise are named
    page = login(world.street_cadre).get("/documents/plan/?year=2027").content.decode()
    assert "2027年工作计划" in page and "which=missing" in page


def test_statistics_workbook_tables_and_logic_checks(world, login):
    import openpyxl

    from unionwork.documents.statistics import StatPeriod, build

    period = StatPeriod.survey_year(2026)
    rows, problems = build(world.street1, period)
    names = [n.pk for n, _ in rows]
    assert names[0] == world.street1.pk and set(names[1:]) == {world.comm_a.pk, world.comm_b.pk}
    table = next(t for n, t in rows if n.pk == world.comm_a.pk)
    assert dict(table["会员"])["会员（人）"] == 2  # 张三, 王芳 in community A
    assert problems == []
    # Inconsistent data: more members than the employees of the unionised enterprises.
    Enterprise.objects.filter(pk=world.ent_a.pk).update(employees=1, female_employees=0)
    _, problems = build(world.street1, period)
    assert (world.comm_a.display_name, "会员不多于已建会企业职工") in problems
    response = login(world.street_cadre).get("/documents/statistics.xlsx?year=2026")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"组织建设", "会员", "集体合同", "民主管理", "劳动保护", "法律工作", "帮扶", "经费", "文体宣传",
            "和谐企业创建", "逻辑校验"} <= set(book.sheetnames)
    results = [row for row in book["逻辑校验"].iter_rows(min_row=4, values_only=True)]
    assert any(r[1] == "会员不多于已建会企业职工" and r[2].startswith("不通过") for r in results)
    assert login(world.cadre_a).get(f"/documents/statistics.xlsx?node={world.comm_b.pk}").status_code == 404


def test_personal_summary_from_the_cadres_own_records(world, login):
    ACTIVITIES.service.create(world.cadre_a, {"kind": "volunteer", "title": "清洁家园志愿服务",
                                              "starts_on": D(2026, 3, 1), "participants": 20, "person_times": 20,
                                              "node": world.comm_a})
    ACTIVITIES.service.create(world.cadre_b, {"kind": "volunteer", "title": "别人的活动", "starts_on": D(2026, 3, 1),
                                              "node": world.comm_b})
    INFO.service.create(world.cadre_a, {"title": "社区信息", "reported_on": D(2026, 3, 1), "to_whom": "街道",
                                        "adopted": True, "outlet": "简报", "node": world.comm_a})
    page = login(world.cadre_a).get("/documents/personal/?year=2026").content.decode()
    assert "个人工作总结" in page and "清洁家园志愿服务" in page and "别人的活动" not in page
    assert "报送信息1篇，被录用1篇。" in page
    response = login(world.cadre_a).get("/documents/personal/?year=2026&format=docx")
    assert docx.Document(io.BytesIO(response.content)).paragraphs[0].text.endswith("2026年个人工作总结")


def test_documents_through_the_api_are_scoped(world, api):
    client = api(world.cadre_a)
    r = client.get("/api/v1/documents/summary.docx?year=2026")
    assert r.status_code == 200 and docx.Document(io.BytesIO(r.content)).paragraphs[0].text.startswith("天运社区")
    checks_ = client.get("/api/v1/documents/check").json()
    assert {c["rule"] for c in checks_} >= {"bad_id", "big_without_union"}
    assert client.get(f"/api/v1/documents/check?node={world.comm_b.pk}").status_code == 404
    assert client.get(f"/api/v1/documents/statistics.xlsx?node={world.comm_b.pk}").status_code == 404


def _template(text_paragraphs):
    d = docx.Document()
    for t in text_paragraphs:
        d.add_paragraph(t)
    out = io.BytesIO()
    d.save(out)
    out.seek(0)
    out.name = "模板.docx"
    return out


def test_user_template_renders_with_the_same_data(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.street_cadre)
    upload = _template(["本街道自定义版式：{{ title }}", "{%p for s in sections %}", "【{{ s.title }}】",
                        "{%p endfor %}"])
    r = client.post("/documents/templates/", {"node": world.street1.pk, "kind": "summary", "name": "街道版式",
                                              "file": upload})
    assert r.status_code == 302
    # Used for the street's communities too.
    response = login(world.cadre_a).get("/documents/summary/?year=2026&format=docx")
    text = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert text[0] == f"本街道自定义版式：{world.comm_a.display_name}2026年（截至" + text[0].split("（截至")[1]
    assert any(t.startswith("【") for t in text)


def test_malicious_template_cannot_run_code_or_reach_other_data(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from unionwork.documents.models import DocumentTemplate

    client = login(world.street_cadre)
    for payload in ["{{ ''.__class__.__mro__[1].__subclasses__() }}",
                    "{{ cycler.__init__.__globals__.os.popen('id').read() }}"]:
        r = client.post("/documents/templates/", {"node": world.street1.pk, "kind": "summary", "name": "x",
                                                  "file": _template([payload])}, follow=True)
        assert "不允许" in r.content.decode() or "语法" in r.content.decode()
    assert not DocumentTemplate.objects.exists()
    # Names of objects the template is not given render as nothing: no other node's data can be reached.
    client.post("/documents/templates/", {"node": world.street1.pk, "kind": "summary", "name": "y",
                                          "file": _template(["{{ title }}|{{ Member }}|{{ request }}|{{ settings }}"])})
    response = login(world.cadre_a).get("/documents/summary/?year=2026&format=docx")
    first = docx.Document(io.BytesIO(response.content)).paragraphs[0].text
    assert first.endswith("工作总结|||")


def test_background_job_writes_the_document_for_its_owner_only(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    from unionwork.documents.models import DocumentJob

    client = login(world.street_cadre)
    r = client.post("/documents/jobs/new/", {"node": world.street1.pk, "kind": "statistics", "year": "2026"})
    job = DocumentJob.objects.get()
    assert r["Location"] == f"/documents/jobs/{job.pk}/" and job.status == "done"
    assert "已生成" in client.get(f"/documents/jobs/{job.pk}/").content.decode()
    assert client.get(f"/documents/jobs/{job.pk}/?download=1").status_code == 200
    assert login(world.cadre_a).get(f"/documents/jobs/{job.pk}/").status_code == 404
    assert client.post("/documents/jobs/new/", {"node": world.comm_c.pk, "kind": "summary"}).status_code == 404


@pytest.mark.skipif(not __import__("shutil").which("libreoffice"), reason="LibreOffice not installed")
def test_summary_converts_to_pdf_with_libreoffice(world, tmp_path):
    import subprocess

    out = tmp_path / "summary.docx"
    call_command("write_summary", "--node", world.comm_a.code, "--year", "2026", "-o", str(out))
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "summary.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
