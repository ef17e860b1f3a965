"""Document parameters the builders cannot use (found by test_api_fuzz.py).

- ?year=0, ?year=-199, ?year=99999 reached datetime.date(): ValueError "year 0 is out of range" or
  OverflowError, a 500; ?year=false on /api/v1/documents/plan.docx was int("false"), a 500 too.
- a cadre attached to no organisation got a 500 (AttributeError: 'NoneType' object has no attribute 'path').

Now 400 (the year, half or quarter, with the allowed values) and 403 (no organisation), in Chinese.
"""

import pytest

YEAR = "年份（year）应为 1949 至 2100 之间的整数"
DOCS = ["/api/v1/documents/summary.docx", "/api/v1/documents/plan.docx", "/api/v1/documents/statistics.xlsx"]


@pytest.mark.parametrize("url", DOCS)
@pytest.mark.parametrize("year", ["0", "-199", "99999", "false", "2026.5"])
def test_a_year_out_of_range_or_not_a_number_is_400_with_the_reason(world, api, url, year):
    r = api(world.cadre_a).get(url, {"year": year})
    assert r.status_code == 400, (r.status_code, r.content[:200])
    assert r.json() == {"detail": YEAR}


@pytest.mark.parametrize(("query", "message"), [
    ({"half": "3"}, "半年（half）应为 1（上半年）或 2（下半年）"),
    ({"quarter": "9"}, "季度（quarter）应为 1 至 4 之间的整数"),
    ({"quarter": "x"}, "季度（quarter）应为 1 至 4 之间的整数"),
])
def test_half_and_quarter_out_of_range_are_400(world, api, query, message):
    r = api(world.cadre_a).get("/api/v1/documents/summary.docx", {"year": "2026", **query})
    assert r.status_code == 400
    assert r.json() == {"detail": message}


def test_years_in_range_and_blank_parameters_still_work(world, api):
    client = api(world.cadre_a)
    assert client.get("/api/v1/documents/summary.docx", {"year": "2025", "half": "", "quarter": "0"}).status_code == 200
    assert client.get("/api/v1/documents/plan.docx", {"year": ""}).status_code == 200
    assert client.get("/api/v1/documents/statistics.xlsx", {"year": "2026"}).status_code == 200


def test_the_pages_answer_400_too(world, login):
    client = login(world.cadre_a)
    for url in ("/documents/summary/", "/documents/plan/", "/documents/statistics.xlsx", "/documents/personal/"):
        assert client.get(url, {"year": "0"}).status_code == 400, url


@pytest.mark.parametrize("url", [*DOCS, "/api/v1/documents/check"])
def test_a_cadre_of_no_organisation_is_told_why(world, api, url):
    r = api(world.nobody).get(url)
    assert r.status_code == 403, (r.status_code, r.content[:200])
    assert r.json() == {"detail": "您的账号尚未分配所属组织，无法生成文书或核查数据，请联系管理员"}


def test_the_document_pages_tell_a_cadre_of_no_organisation_why(world, login):
    client = login(world.nobody)
    for url in ("/documents/summary/", "/documents/plan/", "/documents/statistics.xlsx"):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "您的账号尚未分配所属组织" in r.content.decode()


@pytest.mark.parametrize("url", ["/plans/", "/activities/", "/documents/summary/", "/documents/plan/"])
@pytest.mark.parametrize("year", ["0", "abc"])
def test_pages_answer_a_bad_year_with_the_400_page_saying_why(world, login, url, year):
    r = login(world.cadre_a).get(url, {"year": year})
    page = r.content.decode()
    assert r.status_code == 400 and "请求有误" in page
    assert "年份（year）应为 1949 至 2100 之间的整数" in page and "格式不对" not in page
    assert login(world.cadre_a).get(url, {"year": "2026"}).status_code == 200


def test_other_bad_requests_keep_the_general_words(world, login, settings):
    # A body over the limit is refused before any parameter is read: no reason of ours to show.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    r = login(world.cadre_a).post("/activities/activities/new/", {f"f{i}": "x" for i in range(5)})
    assert r.status_code == 400 and "格式不对" in r.content.decode()
