"""A work record kind's list rows (core.templatetags.uw.record_rows): the cells as each column shows them."""

import datetime
import html as html_lib
import re

import pytest

from unionwork.activities import kinds as akinds

pytestmark = pytest.mark.django_db

D = datetime.date


def activities():
    return next(k for k in akinds.KINDS if k.slug == "activities")


def rows_of(html):
    return re.findall(r"<tr[^>]*>\s*<td>.*?</tr>", html, flags=re.S)


def cells(row):
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def test_an_activity_row_links_to_it_and_shows_each_column(world, login):
    k = activities()
    a = k.service.create(world.cadre_a, {"kind": "study", "title": "职工<思想>教育&宣讲", "starts_on": D(2026, 3, 1),
                                         "participants": 260, "person_times": 780, "node": world.comm_a})
    html = login(world.cadre_a).get(k.url("list")).content.decode()
    assert "职工<思想>" not in html
    [row] = [r for r in rows_of(html) if "职工&lt;思想&gt;教育&amp;宣讲" in r]
    assert f'href="{k.url("detail", a.pk)}"' in row and 'class="text-muted"' not in row
    from unionwork.core.templatetags.uw import apply

    shown = [html_lib.unescape(c) for c in cells(row)]
    assert shown == [str(apply(col, a)) for col in k.columns]
    assert "2026-03-01" in cells(row) and "780" in cells(row)


def test_an_archived_record_is_greyed_and_marked_and_an_empty_list_says_so(world, login):
    k = activities()
    client = login(world.cadre_a)
    assert "没有符合条件的记录" in client.get(k.url("list")).content.decode()
    a = k.service.create(world.cadre_a, {"kind": "study", "title": "旧活动", "starts_on": D(2025, 3, 1),
                                         "participants": 10, "person_times": 10, "node": world.comm_a})
    k.service.archive(world.cadre_a, a)
    html = client.get(k.url("list"), {"archived": "all"}).content.decode()
    [row] = [r for r in rows_of(html) if "旧活动" in r]
    assert row.startswith('<tr class="text-muted">') and "已归档" in row
