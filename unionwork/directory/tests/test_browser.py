"""In a real browser (Debian's Chromium, driven by Playwright): lists update in place with htmx,
and a reveal shows the full number and is logged. Skipped when Chromium is not installed."""

import os

import pytest
from playwright.sync_api import expect

from conftest import CHROMIUM
from unionwork.accounts.choices import Role
from unionwork.accounts.models import User
from unionwork.core.models import RevealLog
from unionwork.directory import services
from unionwork.org.services import create_node

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cadre(db):
    district = create_node(None, kind="district", name="测试区", code="T")
    street = create_node(None, kind="street", name="甲街道", code="T-S1", parent=district)
    comm = create_node(None, kind="community", name="天运社区", code="T-S1-C1", parent=street)
    user = User.objects.create_user("cadre", password="pw-123456789", role=Role.COMMUNITY_CADRE, node=comm,
                                    display_name="社区干部")
    ent = services.create_enterprise(user, {"uscc": "91350100M000100Y43", "name": "天运科技有限公司", "node": comm,
                                            "employees": 30})
    union = services.found_union(user, parent=comm, data={"name": "天运科技工会"}, enterprises=[ent])
    services.create_member(user, {"name": "张三", "id_number": "11010519491231002X", "union": union,
                                  "phone": "13812345678"})
    services.create_member(user, {"name": "李四", "id_number": "110102199101010078", "union": union})
    return user


def login(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "cadre")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit], form button")
    page.wait_for_url(f"{live_server.url}/")


def test_search_updates_results_in_place(page, live_server, cadre):
    login(page, live_server)
    page.goto(f"{live_server.url}/directory/members/")
    page.evaluate("window.__marker = 'same page'")
    assert page.locator("#results tbody tr").count() == 2
    page.fill("input[name=q]", "zs")
    # A locator wait, not wait_for_function: the Content-Security-Policy forbids the eval it uses.
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "张三" in page.inner_text("#results")
    assert "李四" not in page.inner_text("#results")
    # Swapped in place (no navigation), and the URL follows so the result can be shared.
    assert page.evaluate("window.__marker") == "same page"
    assert "q=zs" in page.url
    # The masked number is shown, never the full one.
    assert "1101**********002X" in page.inner_text("#results")
    assert "11010519491231002X" not in page.content()


def test_reveal_shows_full_number_and_logs(page, live_server, cadre):
    login(page, live_server)
    page.goto(f"{live_server.url}/directory/members/")
    page.click("text=张三")
    assert "1101**********002X" in page.inner_text("#pii")
    page.click("#pii button")
    page.wait_for_selector("text=11010519491231002X")
    assert "13812345678" in page.inner_text("#pii")
    assert RevealLog.objects.filter(user=cadre).count() == 1
