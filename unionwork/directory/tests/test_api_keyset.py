"""Reading a whole list through the API with ?after=<id>: every row once, in id order, in scope."""

import pytest

from conftest import add_member, make_id
from unionwork.core.scope import scoped
from unionwork.directory.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    for i in range(11):
        add_member(world.district_admin, world.union_a2 if i % 2 else world.union_b, f"会员{i}",
                   make_id("19800101", 200 + i))
    return world


def walk(client, params=None, size=3):
    seen, after, pages = [], 0, 0
    while after is not None:
        body = client.get("/api/v1/members", {**(params or {}), "after": after, "page_size": size}).json()
        seen += [r["id"] for r in body["results"]]
        after, pages = body["next_after"], pages + 1
        assert body["page"] is None and body["count"] is None and pages < 50
    return seen


def test_walking_with_after_reads_every_row_once_in_id_order(many, api):
    for user in (many.district_admin, many.street_cadre, many.cadre_b):
        seen = walk(api(user))
        expected = list(scoped(user, Member).filter(archived_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        assert seen == expected, user.username


def test_after_keeps_the_filters(many, api):
    seen = walk(api(many.district_admin), {"union": many.union_b.pk})
    assert seen == list(Member.objects.filter(union=many.union_b).order_by("pk").values_list("pk", flat=True))


def test_offset_pages_say_there_is_no_next_after(many, api):
    body = api(many.district_admin).get("/api/v1/members", {"page": 1, "page_size": 3}).json()
    assert body["page"] == 1 and body["next_after"] is None and len(body["results"]) == 3


@pytest.mark.parametrize("query", [{"after": "-1"}, {"after": "abc"}, {"after": "5", "ordering": "name"},
                                   {"after": "5", "page": "2"}])
def test_bad_after_is_a_bad_request_with_the_reason(many, api, query):
    r = api(many.district_admin).get("/api/v1/members", query)
    assert r.status_code == 400 and "after" in r.json()["detail"]


def test_the_openapi_document_describes_the_list_filters(world, login):
    doc = login(world.street_cadre).get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/members"]["get"]["parameters"]}
    assert {"q", "node", "union", "gender", "membership_status", "ordering", "page", "page_size", "after"} <= set(params)
    assert params["gender"]["schema"]["enum"] == ["M", "F"] and params["gender"]["description"].startswith("性别")
    assert params["union"]["schema"]["type"] == "integer" and "-name" in params["ordering"]["schema"]["enum"]
    export = {p["name"] for p in doc["paths"]["/api/v1/members/export.xlsx"]["get"]["parameters"]}
    assert "reveal" in export and "page" not in export and "gender" in export
    # The record kinds' lists too.
    kinds = [path for path, ops in doc["paths"].items() if ops.get("get", {}).get("operationId", "").endswith("_list")]
    assert kinds and all(any(p["name"] == "after" for p in doc["paths"][k]["get"]["parameters"]) for k in kinds)
