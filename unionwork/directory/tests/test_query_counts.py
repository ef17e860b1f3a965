"""The number of queries of list pages, fragments, exports and API lists does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import HTMX, KINDS, add_enterprise, add_member, add_union, make_id, make_user
from unionwork.accounts.choices import Role
from unionwork.accounts.models import ApiToken
from unionwork.directory.models import Enterprise
from unionwork.org.choices import NodeKind
from unionwork.org.services import create_node

pytestmark = pytest.mark.django_db


def _grow(world, community, n):
    """Community holds n enterprises, each with its own union and one member working there."""
    have = Enterprise.objects.filter(node=community).count()
    for i in range(have, n):
        ent = add_enterprise(world.district_admin, community, f"天津测试{i:02d}有限公司",
                             contact_phone=f"1350000{i:04d}")
        union = add_union(world.district_admin, community, f"天津测试{i:02d}有限公司工会委员会", [ent],
                          chair_phone=f"1360000{i:04d}")
        add_member(world.district_admin, union, f"测员{i:02d}", make_id("19900101", 100 + i), ent,
                   phone=f"1370000{i:04d}")


def _count(client, url, params=None, headers=None):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {}, headers=headers or {})
        if resp.streaming:
            b"".join(resp.streaming_content)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries), resp


def _measure_all(page_client, api_client):
    counts, bodies = {}, {}
    for kind, (page, api_list, _) in KINDS.items():
        channels = {
            "page": (page_client, page, None, None),
            "fragment": (page_client, page, None, HTMX),
            "sorted": (page_client, page, {"ordering": "-name", "archived": "all"}, None),
            "export": (page_client, page, {"export": "xlsx"}, None),
            "export_revealed": (page_client, page, {"export": "xlsx", "reveal": "1"}, None),
            "api": (api_client, api_list, None, None),
            "api_page_size": (api_client, api_list, {"page_size": "200"}, None),
            "api_export": (api_client, f"{api_list}/export.xlsx", None, None),
            "api_export_revealed": (api_client, f"{api_list}/export.xlsx", {"reveal": "1"}, None),
        }
        for name, (client, url, params, headers) in channels.items():
            counts[f"{kind}:{name}"], bodies[f"{kind}:{name}"] = _count(client, url, params, headers)
    return counts, bodies


def _measure_tree(page_client, community):
    counts = {}
    for name, url in {"home": "/", "tree": "/org/tree/", "tree_node": f"/org/tree/{community.pk}/"}.items():
        counts[name], _ = _count(page_client, url)
    return counts


def test_home_and_navigator_query_counts_do_not_grow_with_children(world, login):
    community = create_node(None, kind=NodeKind.COMMUNITY, name="德才里社区", code="D1-S1-D", parent=world.street1)
    cadre = make_user("sq_d", Role.COMMUNITY_CADRE, community)
    client = login(cadre)
    _grow(world, community, 3)
    _measure_tree(client, community)
    small = _measure_tree(client, community)
    _grow(world, community, 30)
    _measure_tree(client, community)  # the first visit after the writes counts the tree again (core.memo)
    large = _measure_tree(client, community)
    html = client.get(f"/org/tree/{community.pk}/").content.decode()
    assert html.count("工会档案") >= 30
    assert large == small


def test_list_query_counts_do_not_grow_with_rows(world, login):
    community = create_node(None, kind=NodeKind.COMMUNITY, name="德才里社区", code="D1-S1-D", parent=world.street1)
    cadre = make_user("sq_d", Role.COMMUNITY_CADRE, community)
    page_client = login(cadre)
    _, key = ApiToken.issue(cadre, "计数")
    from django.test import Client

    api_client = Client(headers={"Authorization": f"Bearer {key}"})

    _grow(world, community, 3)
    _measure_all(page_client, api_client)  # warm-up: first-request caches are not per-row costs
    small, small_bodies = _measure_all(page_client, api_client)
    assert small_bodies["member:api"].json()["count"] == 3

    _grow(world, community, 30)
    _measure_all(page_client, api_client)  # the first visit after the writes counts the lists again (core.paging)
    large, large_bodies = _measure_all(page_client, api_client)
    # The rows are really there and really shown (a full page of 25, all 30 in the API's big page).
    assert large_bodies["member:api"].json()["count"] == 30
    assert len(large_bodies["member:api_page_size"].json()["results"]) == 30
    assert large_bodies["enterprise:page"].content.decode().count("天津测试") >= 25
    assert large_bodies["union:fragment"].content.decode().count("工会委员会</a>") == 25

    assert large == small


def test_list_query_counts_are_small(world, login, api):
    """A list is a handful of queries, not one per row (session, user, node, count, rows, filter choices)."""
    client = login(world.street_cadre)
    for kind, (page, api_list, _) in KINDS.items():
        n, _ = _count(client, page)
        assert n <= 12, (kind, n)
        n, _ = _count(api(world.street_cadre), api_list)
        assert n <= 6, (kind, n)


def test_home_lists_the_largest_children_and_links_to_all(world, login):
    community = create_node(None, kind=NodeKind.COMMUNITY, name="德才里社区", code="D1-S1-D", parent=world.street1)
    client = login(make_user("sq_d", Role.COMMUNITY_CADRE, community))
    _grow(world, community, 25)
    big = Enterprise.objects.filter(node=community).order_by("name").last().union
    for i in range(3):  # the last union gets three more members: it is listed first
        add_member(world.district_admin, big, f"加员{i}", make_id("19910101", 300 + i), big.enterprises.first())
    html = client.get("/").content.decode()
    assert "共 25 个，这里列出在册会员最多的 20 个" in html and "查看全部 25 个下级组织" in html
    assert html.count("工会档案") == 20 and html.index(big.name) < html.index("天津测试00有限公司工会委员会")
    assert client.get(f"/org/tree/{community.pk}/").content.decode().count("工会档案") == 25


def test_union_page_reads_no_personal_columns_it_does_not_show(world, login):
    # The union's page lists its covered enterprises and its membership changes by name: the members'
    # 身份证号 and phone and the enterprises' contact phone are neither read nor decrypted for it.
    _grow(world, world.comm_a, 3)
    union = world.union_a
    with CaptureQueriesContext(connection) as ctx:
        html = login(world.cadre_a).get(f"/directory/unions/{union.pk}/").content.decode()
    assert "张三" in html and "王芳" in html and world.ent_a.name in html and world.ent_a.uscc in html
    reads = [q["sql"] for q in ctx if "directory_membership" in q["sql"] or
             ('FROM "directory_enterprise"' in q["sql"] and "union_id" in q["sql"])]
    assert reads and not any('"id_number"' in sql or '"phone"' in sql or '"contact_phone"' in sql for sql in reads)
