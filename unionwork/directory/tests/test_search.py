"""Name search also matches pinyin and initials (张三 by "zhangsan" and "zs"), on pages and API."""

import pytest

from conftest import add_enterprise, add_member, make_id
from unionwork.core.text import is_pinyin_query, pinyin_keys

pytestmark = pytest.mark.django_db


def test_pinyin_keys():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("天津华信机械制造有限公司")[1] == "tjhxjxzzyxgs"
    assert pinyin_keys("") == ("", "")
    assert is_pinyin_query("ZhangSan") and not is_pinyin_query("张三") and not is_pinyin_query("zs1")


def test_pinyin_keys_are_pypinyins_own():
    """The keys of any name, all Chinese or mixed, are lazy_pinyin's in both styles, cleaned: phrases with
    a reading of their own (重庆, 银行, 单于), letters, digits and symbols kept whole, a trailing newline."""
    import random
    import re

    from pypinyin import Style, lazy_pinyin

    from unionwork.directory.demo import GIVEN, SURNAMES

    def expected(name):
        clean = lambda parts: re.sub(r"[^a-z0-9]", "", "".join(parts).lower())  # noqa: E731
        return clean(lazy_pinyin(name))[:200], clean(lazy_pinyin(name, style=Style.FIRST_LETTER))[:100]

    rng = random.Random(7)
    names = [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 3))) for _ in range(2000)]
    names += ["重庆银行", "单于长乐", "长城", "曾经", "阿卜杜·热合曼", "张三A", "Li明", "王 小明", "李四\n",
              "王五2号", "ＡＢ张", "〇一", "乐乐乐乐乐乐", "朝阳区朝阳门", "𠀋先生", "张" * 150]
    for name in names:
        assert pinyin_keys(name) == expected(name), name


def test_pinyin_is_stored_on_create_and_follows_renames(world, api):
    assert (world.zhangsan.name_pinyin, world.zhangsan.name_initials) == ("zhangsan", "zs")
    api(world.cadre_a).patch(f"/api/v1/members/{world.zhangsan.pk}", {"name": "章散"},
                             content_type="application/json")
    names = {r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"q": "zhangsan"}).json()["results"]}
    assert names == {"章散"}
    assert api(world.cadre_a).get("/api/v1/members", {"q": "zs"}).json()["count"] == 1


@pytest.mark.parametrize("q", ["zhangsan", "ZhangSan", "zs", "ZS", "zhang", "张", "张三", "三"])
def test_zhangsan_found_on_the_page(world, login, q):
    html = login(world.street_cadre).get("/directory/members/", {"q": q}).content.decode()
    assert "张三" in html
    assert "李四" not in html and "王芳" not in html


@pytest.mark.parametrize("q", ["zhangsan", "zs", "张"])
def test_zhangsan_found_in_the_fragment(world, login, htmx_headers, q):
    html = login(world.street_cadre).get("/directory/members/", {"q": q}, headers=htmx_headers).content.decode()
    assert "张三" in html and "李四" not in html


@pytest.mark.parametrize("q", ["zhangsan", "zs", "张"])
def test_zhangsan_found_by_api(world, api, q):
    names = [r["name"] for r in api(world.street_cadre).get("/api/v1/members", {"q": q}).json()["results"]]
    assert names == ["张三"]


@pytest.mark.parametrize("q", ["lisi", "ls", "zhangsi", "sz", "li"])
def test_zhangsan_not_found_by_other_names(world, login, api, q):
    html = login(world.street_cadre).get("/directory/members/", {"q": q}).content.decode()
    assert "张三" not in html
    names = [r["name"] for r in api(world.street_cadre).get("/api/v1/members", {"q": q}).json()["results"]]
    assert "张三" not in names


def test_lisi_found_by_lisi(world, api):
    names = [r["name"] for r in api(world.street_cadre).get("/api/v1/members", {"q": "lisi"}).json()["results"]]
    assert names == ["李四"]


def test_pinyin_prefix_finds_longer_names(world, api):
    add_member(world.cadre_a, world.union_a2, "张三丰", make_id("19700707", 40))
    names = {r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"q": "zhangsan"}).json()["results"]}
    assert names == {"张三", "张三丰"}
    names = {r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"q": "zsf"}).json()["results"]}
    assert names == {"张三丰"}


def test_search_does_not_cross_scope(world, api):
    assert api(world.cadre_b).get("/api/v1/members", {"q": "zhangsan"}).json()["count"] == 0


def test_enterprise_and_union_pinyin_search(world, login, api):
    add_enterprise(world.cadre_a, world.comm_a, "天津金桥餐饮管理有限公司")
    client = api(world.street_cadre)
    names = [r["name"] for r in client.get("/api/v1/enterprises", {"q": "tjhx"}).json()["results"]]
    assert names == [world.ent_a.name]
    names = [r["name"] for r in client.get("/api/v1/enterprises", {"q": "tianjinjinqiao"}).json()["results"]]
    assert names == ["天津金桥餐饮管理有限公司"]
    names = [r["name"] for r in client.get("/api/v1/unions", {"q": "tjxy"}).json()["results"]]
    assert names == [world.union_b.name]
    html = login(world.street_cadre).get("/directory/enterprises/", {"q": "tianjinxinyuan"}).content.decode()
    assert "鑫源物流" in html and "华信机械" not in html


def test_enterprise_found_by_uscc(world, api):
    names = [r["name"] for r in api(world.street_cadre).get("/api/v1/enterprises",
                                                            {"q": world.ent_b.uscc.lower()}).json()["results"]]
    assert names == [world.ent_b.name]


def test_list_sorted_by_pinyin(world, api):
    add_member(world.cadre_a, world.union_a2, "阿强", make_id("19700707", 41))
    names = [r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"ordering": "name"}).json()["results"]]
    assert names == ["阿强", "王芳", "张三"]
    names = [r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"ordering": "-name"}).json()["results"]]
    assert names == ["张三", "王芳", "阿强"]


def test_pinyin_prefix_search_under_a_natural_language_collation(world, api):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL collations only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
        if cursor.fetchone() is None:
            pytest.skip("PostgreSQL built without ICU")
        # A production database created with a language locale: the column compares by it.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks before the ALTER
        cursor.execute('ALTER TABLE directory_member ALTER COLUMN name_pinyin TYPE varchar(200) COLLATE "und-x-icu"')
    add_member(world.cadre_a, world.union_a2, "张三丰", make_id("19700707", 40))
    names = {r["name"] for r in api(world.cadre_a).get("/api/v1/members", {"q": "zhangsan"}).json()["results"]}
    assert names == {"张三", "张三丰"}


def test_export_has_exactly_the_searched_rows(world, login):
    from conftest import xlsx_rows

    rows = xlsx_rows(login(world.street_cadre).get("/directory/members/", {"q": "zs", "export": "xlsx"}))
    assert [r["姓名"] for r in rows] == ["张三"]


def test_pages_of_a_long_list(world, login, api):
    for i in range(27):
        add_member(world.cadre_a, world.union_a2, f"翻页{i:02d}", make_id("19960606", 200 + i))
    client = login(world.cadre_a)
    first = client.get("/directory/members/", {"ordering": "name"}).content.decode()
    second = client.get("/directory/members/", {"ordering": "name", "page": "2"}, headers={
        "HX-Request": "true", "HX-Target": "results"}).content.decode()
    shown_first = {f"翻页{i:02d}" for i in range(27) if f"翻页{i:02d}" in first}
    shown_second = {f"翻页{i:02d}" for i in range(27) if f"翻页{i:02d}" in second}
    assert len(shown_first) + len(shown_second) == 27 and not shown_first & shown_second
    assert "共 29 条" in first
    body = api(world.cadre_a).get("/api/v1/members", {"page": "2"}).json()
    assert body["count"] == 29 and body["pages"] == 2 and len(body["results"]) == 4
