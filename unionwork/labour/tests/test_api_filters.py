"""The disputes list filtered by an enterprise id no column holds (found by test_api_fuzz.py): an
OverflowError and a 500 on SQLite before; now an invalid filter, a 400 that names it."""


def test_disputes_filtered_by_an_impossible_enterprise_is_a_bad_request(world, api, make_record):
    make_record("disputes")
    client = api(world.district_admin)
    r = client.get("/api/v1/labour/disputes?enterprise=29012968003881058304")
    assert r.status_code == 400, r.content
    assert r.json()["detail"].startswith("筛选条件有误：") and "（enterprise）" in r.json()["detail"]
    assert client.get(f"/api/v1/labour/disputes?enterprise={world.ent_a.pk}").json()["count"] == 1
