"""Searching members by name in characters goes through the pieces of their names (MemberNameGram),
kept by database triggers: the same rows as "name contains", whatever wrote the name."""

import pytest
from django.db import connection

from conftest import add_member, make_id, xlsx_rows
from unionwork.directory import name_grams
from unionwork.directory.models import Member, MemberNameGram, Membership
from unionwork.directory.selectors import name_contains

pytestmark = pytest.mark.django_db


def pieces_of(member):
    return set(MemberNameGram.objects.filter(member=member).values_list("gram", flat=True))


def expected_pieces(name):
    return {name[i:i + 2] for i in range(len(name) - 1)}


def api_names(api, user, q):
    return sorted(r["name"] for r in api(user).get("/api/v1/members", {"q": q, "page_size": 100}).json()["results"])


def test_pieces_follow_create_rename_and_delete(world, api):
    assert pieces_of(world.zhangsan) == {"张三"}
    member = add_member(world.cadre_a, world.union_a2, "欧阳建国", make_id("19700707", 41))
    assert pieces_of(member) == {"欧阳", "阳建", "建国"}
    assert api(world.cadre_a).patch(f"/api/v1/members/{member.pk}", {"name": "欧阳卫东"},
                                    content_type="application/json").status_code == 200
    assert pieces_of(member) == {"欧阳", "阳卫", "卫东"}
    assert api_names(api, world.cadre_a, "建国") == []
    assert api_names(api, world.cadre_a, "阳卫") == ["欧阳卫东"]
    pk = member.pk
    Membership.objects.filter(member_id=pk).delete()  # members are archived, not deleted: a cleanup's way
    Member.objects.filter(pk=pk).delete()
    assert not MemberNameGram.objects.filter(member_id=pk).exists()


def test_pieces_of_imported_and_bulk_updated_names(world, tmp_path):
    from unionwork.ledgers import services
    from unionwork.ledgers.tests.conftest import write_xlsx

    header = ["姓名", "身份证号", "所在工会"]
    u = world.union_a.name
    path = write_xlsx(tmp_path / "会员.xlsx", [header, ["司马相如", make_id("19800101", 11), u],
                                              ["哈哈哈", make_id("19810202", 12), u]])
    job = services.run_job(services.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path,
                                               file_name=path.name), commit=True)
    assert job.created == 2, job.problems
    assert pieces_of(Member.objects.get(name="司马相如")) == {"司马", "马相", "相如"}
    assert pieces_of(Member.objects.get(name="哈哈哈")) == {"哈哈"}
    Member.objects.filter(name="哈哈哈").update(name="呵呵")  # an UPDATE outside the services
    assert pieces_of(Member.objects.get(name="呵呵")) == {"呵呵"}


@pytest.fixture
def names(world):
    made = ["张三丰", "张三李四王五", "王五", "三张", "百分%号", "下划_线", "A区张三", "张 三", "阿", "李四四"]
    for i, name in enumerate(made):
        add_member(world.district_admin, world.union_a2, name, make_id("19750505", 60 + i))
    return made


@pytest.mark.parametrize("q", ["张三", "三丰", "张三丰", "张三王五", "李四", "四四", "%号", "分%", "划_", "_线",
                               "张 三", "区张", "三张", "王五", "阿阿", "张三丰啊", "李四四四"])
def test_same_members_as_contains(world, api, names, q):
    expected = sorted(Member.objects.filter(name__icontains=q).values_list("name", flat=True))
    found = sorted(Member.objects.filter(name_contains(q)).values_list("name", flat=True))
    assert found == expected
    assert api_names(api, world.district_admin, q) == expected


def test_short_and_cased_queries_use_contains():
    assert name_contains("张") is None and name_contains("Ab") is None and name_contains("a张") is None
    assert name_contains("张三") is not None and name_contains("12") is not None


def test_page_fragment_and_export_find_by_pieces(world, login, htmx_headers):
    client = login(world.cadre_a)
    html = client.get("/directory/members/", {"q": "王芳"}).content.decode()
    assert "王芳" in html and "张三" not in html
    fragment = client.get("/directory/members/", {"q": "王芳"}, headers=htmx_headers).content.decode()
    assert "王芳" in fragment and "张三" not in fragment
    rows = xlsx_rows(client.get("/directory/members/", {"q": "王芳", "export": "xlsx"}))
    assert [r["姓名"] for r in rows] == ["王芳"]


def test_another_community_finds_nothing_by_pieces(world, login, api, htmx_headers):
    """李四 is in community B: community A's cadre finds no one, on the page, its fragment, the export and
    the API; community B's cadre finds him."""
    link = f"/directory/members/{world.lisi.pk}/"
    for user, found in ((world.cadre_a, False), (world.cadre_b, True)):
        for headers in ({}, htmx_headers):
            html = login(user).get("/directory/members/", {"q": "李四"}, headers=headers).content.decode()
            assert (link in html) is found
    client = login(world.cadre_a)
    assert xlsx_rows(client.get("/directory/members/", {"q": "李四", "export": "xlsx"})) == []
    assert api_names(api, world.cadre_a, "李四") == []
    assert api_names(api, world.cadre_b, "李四") == ["李四"]


def test_install_fills_the_pieces_of_members_already_there(world):
    """The migration installs the triggers and the pieces of the names already stored; installing
    again (a restore, a repeated migration) adds nothing twice."""
    name_grams.remove(connection)
    MemberNameGram.objects.all().delete()
    add_member(world.cadre_a, world.union_a2, "无触发", make_id("19700707", 42))
    assert not MemberNameGram.objects.exists()  # no triggers: nothing kept
    name_grams.install(connection)
    name_grams.install(connection)
    for member in Member.objects.all():
        assert pieces_of(member) == expected_pieces(member.name), member.name
    assert pieces_of(Member.objects.get(name="无触发")) == {"无触", "触发"}
    assert MemberNameGram.objects.count() == sum(len(expected_pieces(m.name)) for m in Member.objects.all())


def _import(world, tmp_path, rows, mode="all-or-nothing"):
    from unionwork.ledgers import services
    from unionwork.ledgers.tests.conftest import write_xlsx

    path = write_xlsx(tmp_path / "会员.xlsx", [["姓名", "身份证号", "所在工会"], *rows])
    return services.run_job(services.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path,
                                                file_name=path.name, mode=mode), commit=True)


def _insert_trigger_there():
    if connection.vendor != "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                       [name_grams.SQLITE_INSERT_TRIGGER])
        return cursor.fetchone() is not None


def _indexes():
    """The members' and the pieces' indexes (SQLite: as sqlite_master keeps them; else by name)."""
    with connection.cursor() as cursor:
        tables = {Member._meta.db_table, MemberNameGram._meta.db_table}
        return sorted((i, c.get("columns")) for t in tables
                      for i, c in connection.introspection.get_constraints(cursor, t).items() if c["index"])


def test_a_large_import_adds_the_pieces_of_its_members_and_keeps_the_trigger(world, tmp_path, monkeypatch):
    """A large import into SQLite pauses the insert trigger and adds the pieces at its end; afterwards
    (committed or rolled back) the trigger is there again."""
    from unionwork.ledgers.importers import MemberImporter

    monkeypatch.setattr(MemberImporter, "BULK_ROWS", 2)  # "large" from 2 rows on
    u = world.union_a.name
    job = _import(world, tmp_path, [["上官婉儿", make_id("19800101", 11), u], ["诸葛亮", make_id("19810202", 12), u],
                                    ["错号", "123", u]], mode="valid-rows")
    assert (job.created, job.rejected) == (2, 1), job.problems
    assert pieces_of(Member.objects.get(name="上官婉儿")) == {"上官", "官婉", "婉儿"}
    assert pieces_of(Member.objects.get(name="诸葛亮")) == {"诸葛", "葛亮"}
    assert pieces_of(world.zhangsan) == {"张三"}  # the members before it keep theirs
    assert _insert_trigger_there()
    job = _import(world, tmp_path, [["欧阳修", make_id("19820303", 13), u], ["错号", "123", u]])
    assert job.problem_count and not Member.objects.filter(name="欧阳修").exists()  # all or nothing: rolled back
    assert _insert_trigger_there()
    assert pieces_of(add_member(world.cadre_a, world.union_a2, "欧阳修", make_id("19820303", 13))) == {"欧阳", "阳修"}


def test_a_large_import_in_several_chunks_gives_every_member_its_pieces_once(world, tmp_path, monkeypatch):
    """An import of several chunks with a rejected row between them leaves no member without its pieces and
    none with a piece twice, and the indexes it dropped meanwhile are all back."""
    from unionwork.ledgers import importers

    monkeypatch.setattr(importers.MemberImporter, "BULK_ROWS", 2)
    monkeypatch.setattr(importers, "CHUNK", 2)
    indexes = _indexes()
    u = world.union_a.name
    names = ["上官婉儿", "诸葛孔明", "司马相如", "欧阳修", "东方朔"]
    rows = [[n, make_id(f"198{i}0101", 20 + i), u] for i, n in enumerate(names)]
    rows.insert(2, ["错号", "123", u])
    job = _import(world, tmp_path, rows, mode="valid-rows")
    assert (job.created, job.rejected) == (5, 1), job.problems
    for n in names:
        member = Member.objects.get(name=n)
        assert pieces_of(member) == expected_pieces(n)
        assert MemberNameGram.objects.filter(member=member).count() == len(expected_pieces(n))
    assert list(Member.objects.filter(name_contains("马相如")).values_list("name", flat=True)) == ["司马相如"]
    assert _insert_trigger_there()
    assert _indexes() == indexes
