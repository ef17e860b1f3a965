"""A community cadre's day in a real browser (Debian's Chromium driven by Playwright), against the
server and the background worker running as processes (see browser_stack.py): log in, search a
member, edit an enterprise, import a sheet while the progress bar moves, open the dashboard and its
chart, download the work summary. Every step saves a full-page screenshot under
test-artifacts/browser/. Skipped when Chromium is not installed (scripts/ensure-chromium)."""

import io
import os
import re

import openpyxl
import pytest
import xlsxwriter
from docx import Document
from playwright.sync_api import expect

from conftest import CHROMIUM, make_id
from unionwork.core.tests.browser_stack import PASSWORD, ROOT, Stack, copy_test_database, drop_database_copy

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed (scripts/ensure-chromium)"),
    # Nothing here uses the ORM in-process, but without the mark pytest-django sets up no test
    # database at all when this module runs alone, and the copy would be taken of var/unionwork.sqlite3.
    pytest.mark.django_db,
]
# Playwright's sync API runs an event loop in this thread; the fixtures' database calls are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = ROOT / "test-artifacts" / "browser"
COMMUNITY = "天运社区"
ENTERPRISE = "天津华信机械制造有限公司"
UNION = "天津华信机械制造有限公司工会委员会"
# Enough rows (three chunks of the importer's progress reports) that checking and writing them spans
# several polls of the page, one a second.
IMPORT_ROWS = 25_000

# Records the progress bar each time the page swaps the job status in place: the test reads what a
# user watching the page would have seen, including states shown only for a second.
WATCH_PROGRESS = """
window.addEventListener("DOMContentLoaded", () => {
  window.__seen = [];
  const record = () => {
    const status = document.getElementById("job-status");
    if (!status) return;
    const bar = status.querySelector(".progress-bar");
    window.__seen.push({text: status.innerText.trim().slice(0, 200), bar: bar ? bar.innerText.trim() : null});
  };
  record();
  new MutationObserver(record).observe(document.body, {childList: true, subtree: true});
});
"""


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-stack")
    with django_db_blocker.unblock():
        url, copy_name = copy_test_database(folder)
    app = Stack(folder, url)
    try:
        yield app.start()
    finally:
        app.stop()
        with django_db_blocker.unblock():
            drop_database_copy(copy_name)


@pytest.fixture(scope="module")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1366, "height": 900}, "accept_downloads": True}


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


@pytest.fixture
def cadre_page(page, stack):
    """A page signed in as the 天运社区 cadre (sq_a), through the login form."""
    page.goto(f"{stack.url}/login/")
    page.fill("#id_username", "sq_a")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{stack.url}/")
    return page


def test_log_in(page, stack):
    page.goto(f"{stack.url}/directory/members/")
    # A page asked for before signing in leads to the login form.
    assert "/login/" in page.url
    expect(page.get_by_role("heading", name="工会工作平台")).to_be_visible()
    shot(page, "01-login-form")

    page.fill("#id_username", "sq_a")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
    shot(page, "01-login-wrong-password")

    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/directory/members/"))
    # Signed in: the cadre's own name in the navigation bar, and the page first asked for.
    assert "社区A干部" in page.inner_text("nav")
    expect(page.get_by_role("heading", name="会员名册")).to_be_visible()
    shot(page, "01-login-done")


def test_search_a_member(cadre_page, stack):
    page = cadre_page
    page.get_by_role("link", name="会员", exact=True).click()
    page.wait_for_url(re.compile(r"/directory/members/"))
    page.evaluate("window.__marker = 'same page'")
    results = page.locator("#results")
    # Only the cadre's community: 张三 and 王芳, never 李四 of the community next door.
    assert results.locator("tbody tr").count() == 2
    assert "李四" not in results.inner_text()

    page.locator("input[name=q]").press_sequentially("zhangsan", delay=40)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "张三" in results.inner_text()
    assert "王芳" not in results.inner_text()
    assert "共 1 条" in results.inner_text()
    # Swapped in place by htmx, and the address follows the search.
    assert page.evaluate("window.__marker") == "same page"
    assert "q=zhangsan" in page.url
    shot(page, "02-member-search")

    page.get_by_role("link", name="张三").click()
    page.wait_for_url(re.compile(r"/directory/members/\d+/"))
    expect(page.get_by_role("heading", name="张三")).to_be_visible()
    # The ID number stays masked until someone asks to see it.
    expect(page.locator("#pii")).to_contain_text("1101**********0078")
    assert "110102199101010078" not in page.content()
    shot(page, "02-member-detail")


def test_edit_an_enterprise(cadre_page, stack):
    page = cadre_page
    page.get_by_role("link", name="企业", exact=True).click()
    page.get_by_role("link", name=ENTERPRISE, exact=True).click()
    expect(page.get_by_role("heading", name=ENTERPRISE)).to_be_visible()
    assert "30（女职工 10" in page.inner_text("dl")

    page.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", name=f"修改企业：{ENTERPRISE}")).to_be_visible()
    page.get_by_label(re.compile("^职工人数")).fill("45")
    page.get_by_label(re.compile("^地址")).fill("滨河区新华路88号")
    shot(page, "03-enterprise-edit-form")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(re.compile(r"/directory/enterprises/\d+/$"))
    expect(page.get_by_text("修改已保存")).to_be_visible()
    fields = page.inner_text("dl")
    assert "45（女职工 10" in fields
    assert "滨河区新华路88号" in fields
    # The change is in the history: who, and the old and new values.
    latest = page.locator("table.history-changes tbody tr").first
    text = latest.inner_text()
    assert "社区A干部" in text
    assert "职工人数" in text and "30" in text and "45" in text
    assert latest.locator("del", has_text="30").count() == 1
    assert "网页" in text  # where the change came from, in words
    shot(page, "03-enterprise-saved")


def _member_sheet(path, headers, rows):
    """The cadre's own ledger, with the columns of the downloaded template."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("会员")
    ws.write_row(0, 0, headers)
    for i in range(rows):
        ws.write_row(i + 1, 0, [f"导入会员{i:05d}", make_id("19800101", i % 500, area=f"{130000 + i // 500:06d}"),
                                UNION])
    book.close()
    return path


def _progress_states(page):
    """What the status area showed, in order, one entry per change: (card text, 'done / total' or None)."""
    states = []
    for state in page.evaluate("window.__seen || []"):
        m = re.search(r"(\d+) / (\d+) 行", state["bar"] or "")
        entry = (state["text"], (int(m[1]), int(m[2])) if m else None)
        if state["bar"] is not None and entry not in states:
            states.append(entry)
    return states


# SQLITE_STALL: on SQLite every request, the poll too, saves the session (SESSION_SAVE_EVERY_REQUEST)
# and so waits for the write lock the worker holds for the whole check or import transaction: the bar
# freezes until the end. Reported to be fixed; then the SQLite run should meet the PostgreSQL assertion.
def _watch_the_bar(page, stack, result_text, phase, screenshot):
    """Wait for the result while the page polls; return the progress states it showed on the way."""
    page.evaluate("window.__marker = 'same page'")
    result = page.locator("#job-status").get_by_text(result_text)
    partway = page.locator("#job-status .progress-bar", has_text=re.compile(r"[1-9]\d* / \d+ 行"))
    partway.or_(result).first.wait_for(timeout=180_000)
    shot(page, screenshot)  # the bar part-way, where the page showed one
    result.wait_for(timeout=180_000)
    # Swapped in place by the page's own polling: no reload, no navigation.
    assert page.evaluate("window.__marker") == "same page"
    states = _progress_states(page)
    partway = [r for _, r in states if r and 0 < r[0] < r[1]]
    if stack.vendor != "sqlite":
        # The page showed the bar part-way while the worker ran, and it never went backwards. How many
        # readings a one-second poll catches depends on how fast this machine checks the rows (the
        # check of CI's run of 2026-12-02 took under two seconds), so one is all the test may ask for.
        assert partway, (phase, states)
        assert partway == sorted(partway), (phase, states)
        assert all(total == partway[0][1] for _, total in partway), (phase, states)
    else:
        # SQLITE_STALL: the page may get one answer during the whole run; what it showed was a progress card.
        assert all(phase in text or "排队中" in text for text, _ in states), (phase, states)
    return states


def test_import_a_sheet_and_watch_the_progress(cadre_page, stack, tmp_path):
    page = cadre_page
    page.add_init_script(WATCH_PROGRESS)
    page.get_by_role("link", name="台帐导入").click()
    expect(page.get_by_role("heading", name="台帐导入")).to_be_visible()

    # The blank member template: its header row names the columns of the cadre's sheet.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"(^|\s)会员模板$")).click()
    assert info.value.suggested_filename == "会员台帐导入模板.xlsx"
    template = tmp_path / info.value.suggested_filename
    info.value.save_as(template)
    cells = [str(c) for row in openpyxl.load_workbook(template, read_only=True).active.iter_rows(
        max_row=10, values_only=True) for c in row if c]
    headers = [next(c for c in cells if c.startswith(name)) for name in ("姓名", "身份证号", "所在工会")]
    sheet = _member_sheet(tmp_path / "天运社区会员台帐.xlsx", headers, IMPORT_ROWS)

    page.get_by_label("台帐类型").select_option(label="会员")
    page.get_by_label("导入到").select_option(label=f"{stack.seeded['community']}（社区）")
    page.get_by_label("文件", exact=True).set_input_files(sheet)
    shot(page, "04-import-upload")
    page.get_by_role("button", name="上传并检查").click()

    # The job page: the worker checks the rows while the bar shows how far it got.
    page.wait_for_url(re.compile(r"/ledgers/jobs/\d+/$"))
    _watch_the_bar(page, stack, "数据行", "正在检查", "04-import-checking")

    # The preview: counts before anything is written, and the choice to confirm.
    status = page.locator("#job-status").inner_text()
    assert re.search(rf"数据行\s*{IMPORT_ROWS}\b", status), status
    assert re.search(rf"将新增\s*{IMPORT_ROWS}\b", status), status
    assert re.search(r"有错的行\s*0\b", status), status
    shot(page, "05-import-preview")

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url(re.compile(r"/ledgers/jobs/\d+/$"))
    _watch_the_bar(page, stack, f"导入完成：新增 {IMPORT_ROWS}", "正在写入", "06-import-writing")
    shot(page, "06-import-done")

    # The result, where the cadre looks for it: the members are in the register.
    page.get_by_role("link", name="会员", exact=True).click()
    assert f"共 {IMPORT_ROWS + 2} 条" in page.inner_text("#results")
    page.locator("input[name=q]").fill("导入会员00042")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert UNION in page.inner_text("#results")
    shot(page, "06-import-result")


# Painted pixels of the trend chart's canvas (page.evaluate runs over the DevTools protocol, which the
# page's Content-Security-Policy does not restrict, unlike wait_for_function's eval).
INK = """() => {
    const c = document.querySelector('#trend-chart canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n; }"""


def test_dashboard_draws_its_chart(cadre_page, stack):
    page = cadre_page
    page.get_by_role("link", name="指标工作台").click()
    node_name = stack.seeded["community"]
    expect(page.get_by_role("heading", name=re.compile(f"{node_name} · 指标工作台"))).to_be_visible()
    canvas = page.locator("#trend-chart canvas").first
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    # Drawn, not just placed: ECharts holds the series, and the canvas has ink that stops changing
    # once the drawing animation is over (the screenshot shows the finished chart).
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('trend-chart'))"
                         ".getOption().series.length") == 4
    ink = [-1]
    for _ in range(50):
        ink.append(page.evaluate(INK))
        if ink[-1] == ink[-2]:
            break
        page.wait_for_timeout(200)
    assert ink[-1] == ink[-2] and ink[-1] > 500, ink
    shot(page, "07-dashboard")


def test_download_the_work_summary(cadre_page, stack, tmp_path):
    page = cadre_page
    page.get_by_role("link", name="指标工作台").click()
    page.get_by_role("link", name="工作总结", exact=True).click()
    page.wait_for_url(re.compile(r"/documents/summary/"))
    title = page.locator(".card h1").inner_text()
    node_name = stack.seeded["community"]
    assert node_name in title and "工作总结" in title
    shot(page, "08-summary-preview")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    doc = Document(io.BytesIO(saved.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert node_name in text
    assert title.strip() in text
