"""Directory list filters naming a row or a number, with numbers no column holds (found by
test_api_fuzz.py): GET /api/v1/members?union=29012968003881058304 raised OverflowError ("Python int
too large to convert to SQLite INTEGER") and answered 500. Such a filter is now invalid, as any other
invalid filter value: the API answers 400 naming the parameter and why; a page shows the reason above
an empty list; never an error page."""

import pytest

HUGE = "29012968003881058304"


@pytest.mark.parametrize("query", [f"union={HUGE}", f"enterprise={HUGE}", "union=-3", "enterprise=1.5"])
def test_members_filtered_by_an_impossible_id_is_a_bad_request_naming_it(world, api, query):
    r = api(world.district_admin).get(f"/api/v1/members?{query}")
    assert r.status_code == 400, r.content
    name = query.split("=")[0]
    assert r.json()["detail"].startswith("筛选条件有误：") and f"（{name}）" in r.json()["detail"]


def test_members_filtered_by_a_real_id_still_filter(world, api):
    client = api(world.district_admin)
    names = {m["name"] for m in client.get(f"/api/v1/members?union={world.union_a.pk}").json()["results"]}
    assert names == {"张三", "王芳"}
    names = {m["name"] for m in client.get(f"/api/v1/members?enterprise={world.ent_b.pk}").json()["results"]}
    assert names == {"李四"}


def test_enterprises_with_more_employees_than_a_column_holds_is_a_bad_request(world, api):
    client = api(world.district_admin)
    r = client.get(f"/api/v1/enterprises?min_employees={HUGE}")
    assert r.status_code == 400, r.content
    assert "min_employees" in r.json()["detail"]
    assert client.get("/api/v1/enterprises?min_employees=20").json()["count"] == 3


def test_the_pages_and_exports_share_the_filter(world, login, api):
    page = login(world.district_admin).get(f"/directory/members/?union={HUGE}")
    assert page.status_code == 200 and "筛选条件有误" in page.content.decode()
    export = api(world.district_admin).get(f"/api/v1/members/export.xlsx?union={HUGE}")
    assert export.status_code == 400 and "（union）" in export.json()["detail"]  # not an empty workbook
