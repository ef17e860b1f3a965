"""The member list's rows (core.templatetags.uw.member_rows): what a cadre reads in each cell."""

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
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]


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
