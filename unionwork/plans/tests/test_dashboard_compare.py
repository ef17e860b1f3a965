"""The dashboard's comparison of a node's children (plans.selectors.figures_with_targets)."""

import json
import re

import pytest

from conftest import add_union
from unionwork.org.models import Node

pytestmark = pytest.mark.django_db


def compared(html):
    raw = re.search(r'<script id="compare-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(json.loads(raw))


def test_a_community_with_many_unions_compares_its_first_forty(world, login):
    for i in range(41):
        add_union(world.district_admin, world.comm_a, f"测试第{i:02d}联合工会")
    expected = list(Node.objects.filter(parent=world.comm_a, archived_at__isnull=True).exclude(kind="group")
                    .order_by("kind", "code").values_list("pk", flat=True))
    assert len(expected) > 40
    data = compared(login(world.cadre_a).get("/plans/", {"node": world.comm_a.pk}).content.decode())
    assert data and all([row["id"] for row in rows] == expected[:40] for rows in data.values())


def test_a_street_compares_each_of_its_communities_with_its_figure(world, login):
    data = compared(login(world.street_cadre).get("/plans/").content.decode())
    rows = next(iter(data.values()))
    assert {row["name"] for row in rows} == {world.comm_a.display_name, world.comm_b.display_name}
    assert all(row["value"] is None or isinstance(row["value"], float) for rows in data.values() for row in rows)
