"""Directory list filters naming a row or a number, with numbers no column holds (found by
test_api_fuzz.py): GET /api/v1/members?union=29012968003881058304 raised OverflowError ("Python int
too large to convert to SQLite INTEGER") and answered 500. Such a filter is now invalid, as any other
invalid filter value: the list is empty, never an error page."""

import pytest

HUGE = "29012968003881058304"


@pytest.mark.parametrize("query", [f"union={HUGE}", f"enterprise={HUGE}", "union=-3", "enterprise=1.5"])
def test_members_filtered_by_an_impossible_id_is_an_empty_list(world, api, query):
    r = api(world.district_admin).get(f"/api/v1/members?{query}")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 0


def test_members_filtered_by_a_real_id_still_filter(world, api):
    client = api(world.district_admin)
    names = {m["name"] for m in client.get(f"/api/v1/members?union={world.union_a.pk}").json()["results"]}
    assert names == {"张三", "王芳"}
    names = {m["name"] for m in client.get(f"/api/v1/members?enterprise={world.ent_b.pk}").json()["results"]}
    assert names == {"李四"}


def test_enterprises_with_more_employees_than_a_column_holds_is_an_empty_list(world, api):
    client = api(world.district_admin)
    r = client.get(f"/api/v1/enterprises?min_employees={HUGE}")
    assert r.status_code == 200, r.content
    assert r.json()["count"] == 0
    assert client.get("/api/v1/enterprises?min_employees=20").json()["count"] == 3


def test_the_pages_and_exports_share_the_filter(world, login, api):
    assert login(world.district_admin).get(f"/directory/members/?union={HUGE}").status_code == 200
    assert api(world.district_admin).get(f"/api/v1/members/export.xlsx?union={HUGE}").status_code == 200
