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


# ---------------------------------------------------------------- a union's membership changes (uw.membership_rows)


def changes_of(html):
    return html[html.index("会籍变动"):html.index("变更记录")]


def test_a_union_page_lists_who_joined_and_who_left(world, login):
    admin = world.district_admin
    services.transfer_member(admin, world.wangfang, world.union_a2, datetime.date(2026, 6, 1), note="调入<联合>工会")
    html = login(world.street_cadre).get(f"/directory/unions/{world.union_a.pk}/").content.decode()
    table = changes_of(html)
    left = cells(row_with(table, "王芳"))
    assert left[0] == "王芳" and left[1] == "2021-03-01" and left[2] == "入会"
    assert left[3] == "2026-06-01" and left[4] == "转出"
    assert f'href="/directory/members/{world.wangfang.pk}/"' in row_with(table, "王芳")
    stayed = cells(row_with(table, "张三"))
    assert stayed[3] == "—" and stayed[4] == ""
    joined = login(world.street_cadre).get(f"/directory/unions/{world.union_a2.pk}/").content.decode()
    row = row_with(changes_of(joined), "王芳")
    assert "调入&lt;联合&gt;工会" in row and "<联合>" not in row and cells(row)[2] == "转入"


def test_a_union_without_membership_changes_says_none(world, login):
    html = login(world.street_cadre).get(f"/directory/unions/{world.union_a2.pk}/").content.decode()
    assert '<td colspan="6" class="text-muted">暂无</td>' in html


def test_a_union_page_counts_its_members_again_after_a_change(world, login):
    client = login(world.street_cadre)
    url = f"/directory/unions/{world.union_a.pk}/"

    def shown():
        return int(re.search(r"membership_status=active\">(\d+) 人", client.get(url).content.decode()).group(1))

    before = shown()
    assert before == 2 and shown() == 2  # asked twice: the kept count
    add_member(world.district_admin, world.union_a, "韩梅", make_id("19900303", 4), world.ent_a)
    assert shown() == 3
    services.end_membership(world.district_admin, world.zhangsan, "left", datetime.date(2026, 6, 1))
    assert shown() == 2
