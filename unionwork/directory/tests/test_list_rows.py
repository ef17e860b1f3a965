"""The member and enterprise lists' rows (core.templatetags.uw): what a cadre reads in each cell."""

import datetime
import re

import pytest

from conftest import add_member, make_id
from unionwork.directory import services

pytestmark = pytest.mark.django_db


def row_with(html, text):
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S)
    found = [r for r in rows if text in r]
    assert len(found) == 1, found
    return found[0]


def cells(row):
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def test_a_row_shows_each_cell_as_the_cadre_reads_it(world, login):
    html = login(world.street_cadre).get("/directory/members/").content.decode()
    row = row_with(html, "王芳")
    assert f'href="/directory/members/{world.wangfang.pk}/"' in row
    assert cells(row) == ["王芳", "女", "1101**********002X", "1949-12-31", "139****5678", "天津华信机械制造有限公司工会委员会",
                          "天津华信机械制造有限公司", "2021-03-01", "已入会"]


def test_names_are_escaped_and_missing_values_are_dashes(world, login):
    admin = world.district_admin
    add_member(admin, world.union_a2, "<b>韩梅</b>&", make_id("19900303", 4), None, joined_on=None,
               is_migrant=True)
    html = login(world.street_cadre).get("/directory/members/").content.decode()
    assert "<b>韩梅</b>" not in html
    row = row_with(html, "&lt;b&gt;韩梅&lt;/b&gt;&amp;")
    assert "农民工" in row and 'class="text-muted"' not in row
    got = cells(row)
    assert got[4] == "—" and got[6] == "—"  # no phone, no employer
    assert got[7] in ("—", datetime.date.today().strftime("%Y-%m-%d"))  # blank, or the service's default day


def test_an_archived_member_is_greyed_and_marked(world, login):
    services.archive(world.district_admin, world.zhangsan, reason="调离")
    html = login(world.street_cadre).get("/directory/members/", {"archived": "all"}).content.decode()
    row = row_with(html, "张三")
    assert row.startswith('<tr class="text-muted">') and "已归档" in row


# ---------------------------------------------------------------- the enterprise list (uw.enterprise_rows)


def test_an_enterprise_row_shows_its_cells_and_its_union(world, login):
    html = login(world.street_cadre).get("/directory/enterprises/").content.decode()
    row = row_with(html, "天津华信机械制造有限公司<")
    assert f'href="/directory/enterprises/{world.ent_a.pk}/"' in row
    assert f'href="/directory/unions/{world.union_a.pk}/"' in row
    got = cells(row)
    assert got[0] == "天津华信机械制造有限公司" and got[2] == "天运社区" and got[5] == "正常经营"
    assert got[6] == "天津华信机械制造有限公司工会委员会"
    assert got[1] == world.ent_a.uscc and got[4] == str(world.ent_a.employees)
    assert "text-bg-warning" not in row
    unorganised = row_with(html, "天津宏达商贸有限公司")
    assert cells(unorganised)[6] == "未建会" and 'class="text-danger"' in unorganised


def test_a_closed_escaped_or_archived_enterprise_says_so(world, login):
    admin = world.district_admin
    services.change_enterprise_status(admin, world.ent_a2, "suspended", datetime.date(2026, 5, 1))
    services.update_enterprise(admin, world.ent_a2, {"name": "宏达<商贸>&有限公司"})
    services.archive(admin, world.ent_a, reason="注销")
    html = login(world.street_cadre).get("/directory/enterprises/", {"archived": "all"}).content.decode()
    assert "宏达<商贸>" not in html
    row = row_with(html, "宏达&lt;商贸&gt;&amp;有限公司")
    assert '<span class="badge text-bg-warning">停业</span>' in row
    archived = row_with(html, "天津华信机械制造有限公司<")
    assert archived.startswith('<tr class="text-muted">') and "已归档" in archived
