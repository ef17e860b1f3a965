"""One person, one union at a time; 转会 keeps the history of both sides."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import add_member, make_id, member_post
from unionwork.core.audit import history
from unionwork.directory import services
from unionwork.directory.models import Member, Membership
from unionwork.directory.selectors import with_id_number

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- one union at a time


def test_second_membership_is_refused_naming_the_holding_union(world):
    with pytest.raises(ValidationError) as exc:
        add_member(world.street_cadre, world.union_b, "张三", world.zhangsan.id_number)
    messages = exc.value.message_dict["id_number"]
    assert any(world.union_a.name in m for m in messages)
    assert with_id_number(Member.objects, world.zhangsan.id_number).count() == 1


def test_second_membership_refused_whatever_way_the_number_is_typed(world):
    # 王芳's number typed with a lower-case x, and 张三's as the 15-digit form is impossible (born 1991),
    # so: lower-case x and spaces.
    for typed in ("11010519491231002x", " 110105 19491231 002X"):
        with pytest.raises(ValidationError) as exc:
            add_member(world.district_admin, world.union_c, "王芳", typed)
        assert world.union_a.name in exc.value.message_dict["id_number"][0]


def test_second_membership_refused_when_first_is_outside_the_users_scope(world):
    """The person is in community C; a street-1 cadre is still told which union holds them."""
    with pytest.raises(ValidationError) as exc:
        add_member(world.street_cadre, world.union_a2, "赵六", world.zhaoliu.id_number)
    assert world.union_c.name in exc.value.message_dict["id_number"][0]


def test_second_membership_refused_on_the_page_with_the_union_name(world, login):
    before = Member.objects.count()
    resp = login(world.cadre_b).post("/directory/members/new/", member_post(world.union_b, world.zhangsan.id_number,
                                                                            name="张三"))
    assert resp.status_code == 200
    errors = resp.context["form"].errors["id_number"]
    assert any(world.union_a.name in e for e in errors)
    assert world.union_a.name in resp.content.decode()
    assert Member.objects.count() == before


def test_second_membership_refused_by_api_with_the_union_name(world, api):
    resp = api(world.cadre_b).post("/api/v1/members", {"name": "张三", "id_number": world.zhangsan.id_number,
                                                       "union_id": world.union_b.pk}, content_type="application/json")
    assert resp.status_code == 422
    assert world.union_a.name in " ".join(resp.json()["errors"]["id_number"])


def test_a_person_who_left_gets_a_message_to_rejoin_not_a_duplicate(world):
    services.end_membership(world.district_admin, world.zhangsan, "left", timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        add_member(world.district_admin, world.union_b, "张三", world.zhangsan.id_number)
    msg = exc.value.message_dict["id_number"][0]
    assert world.union_a.name in msg and "已退会" in msg


def test_database_allows_only_one_open_membership_per_member(world):
    assert Membership.objects.filter(member=world.zhangsan, ended_on__isnull=True).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(member=world.zhangsan, union=world.union_b, started_on=datetime.date(2024, 1, 1),
                                  start_event="join")
    # A closed stay next to the open one is fine.
    Membership.objects.create(member=world.zhangsan, union=world.union_b, started_on=datetime.date(2019, 1, 1),
                              ended_on=datetime.date(2020, 1, 1), start_event="join", end_event="transfer_out")


def test_database_refuses_the_same_id_number_twice(world):
    dup = Member(name="张三", gender="M", id_number=world.zhangsan.id_number, birth_date=world.zhangsan.birth_date,
                 union=world.union_b, node=world.union_b.node)
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


def test_joining_opens_one_membership(world):
    stays = list(Membership.objects.filter(member=world.zhangsan))
    assert len(stays) == 1
    assert stays[0].union_id == world.union_a.pk
    assert stays[0].start_event == "join"
    assert stays[0].started_on == world.zhangsan.joined_on
    assert stays[0].ended_on is None


def test_member_birth_date_and_gender_come_from_the_id_number(world):
    assert world.zhangsan.birth_date == datetime.date(1991, 1, 1)
    assert world.zhangsan.gender == "M"
    assert world.wangfang.birth_date == datetime.date(1949, 12, 31)
    assert world.wangfang.gender == "F"


def test_member_gender_contradicting_the_id_number_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        add_member(world.district_admin, world.union_a2, "钱女", make_id("19900101", 20), gender="F")
    assert "gender" in exc.value.message_dict


# ---------------------------------------------------------------- transfer (转会)


@pytest.fixture
def transferred(world):
    on = timezone.localdate()
    services.transfer_member(world.street_cadre, world.zhangsan, world.union_b, on, enterprise=world.ent_b,
                             note="工作调动")
    world.zhangsan.refresh_from_db()
    world.transfer_on = on
    return world


def test_transfer_closes_old_stay_and_opens_new_one(transferred):
    w = transferred
    stays = list(Membership.objects.filter(member=w.zhangsan).order_by("id"))
    assert [(s.union_id, s.start_event, s.end_event) for s in stays] == [
        (w.union_a.pk, "join", "transfer_out"),
        (w.union_b.pk, "transfer_in", ""),
    ]
    assert stays[0].ended_on == w.transfer_on
    assert stays[1].started_on == w.transfer_on and stays[1].ended_on is None


def test_transfer_moves_member_node_with_the_union(transferred):
    w = transferred
    assert w.zhangsan.union_id == w.union_b.pk
    assert w.zhangsan.node_id == w.union_b.node_id
    assert w.zhangsan.enterprise_id == w.ent_b.pk
    assert w.zhangsan.membership_status == "active"


def test_transfer_changes_who_sees_the_member(transferred, api):
    w = transferred
    assert api(w.cadre_a).get(f"/api/v1/members/{w.zhangsan.pk}").status_code == 404
    assert api(w.cadre_b).get(f"/api/v1/members/{w.zhangsan.pk}").status_code == 200


def test_transfer_is_in_the_history_of_member_and_both_unions(transferred):
    w = transferred
    member_log = history(w.zhangsan).filter(action="transfer").get()
    assert member_log.user == w.street_cadre
    assert w.union_a.name in member_log.message and w.union_b.name in member_log.message
    assert "工作调动" in member_log.message
    assert member_log.changes["union"] == {"label": "所在工会", "old": w.union_a.name, "new": w.union_b.name}
    old_log = history(w.union_a).filter(action="transfer").get()
    assert "张三" in old_log.message and w.union_b.name in old_log.message
    new_log = history(w.union_b).filter(action="transfer").get()
    assert "张三" in new_log.message and w.union_a.name in new_log.message
    assert old_log.user == new_log.user == w.street_cadre


def test_transfer_history_on_the_pages(transferred, login):
    w = transferred
    client = login(w.street_cadre)
    member_page = client.get(f"/directory/members/{w.zhangsan.pk}/").content.decode()
    assert "转出" in member_page and "转入" in member_page
    assert w.union_a.name in member_page and w.union_b.name in member_page
    old_union_page = client.get(f"/directory/unions/{w.union_a.pk}/").content.decode()
    assert "张三" in old_union_page and "转出" in old_union_page
    new_union_page = client.get(f"/directory/unions/{w.union_b.pk}/").content.decode()
    assert "张三" in new_union_page and "转入" in new_union_page


def test_transfer_through_the_page(world, login):
    resp = login(world.cadre_a).post(f"/directory/members/{world.zhangsan.pk}/transfer/", {
        "to_union": world.union_a2.pk, "enterprise": "", "on": timezone.localdate().isoformat(), "note": "",
    })
    assert resp.status_code == 302
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.union_id == world.union_a2.pk
    assert world.zhangsan.node_id == world.union_a2.node_id
    # The old employer belongs to the old union: the member no longer works there as far as we know.
    assert world.zhangsan.enterprise_id is None
    assert Membership.objects.filter(member=world.zhangsan).count() == 2


def test_transfer_through_the_api(world, api):
    on = timezone.localdate().isoformat()
    resp = api(world.cadre_a).post(f"/api/v1/members/{world.zhangsan.pk}/transfer",
                                   {"to_union_id": world.union_a2.pk, "on": on}, content_type="application/json")
    assert resp.status_code == 200
    assert resp.json()["union_id"] == world.union_a2.pk
    assert history(world.zhangsan).filter(action="transfer", source="api").exists()


def test_transfer_into_union_outside_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.transfer_member(world.cadre_a, world.zhangsan, world.union_c, timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.transfer_member(world.street_cadre, world.zhangsan, world.union_c, timezone.localdate())
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.union_id == world.union_a.pk
    assert Membership.objects.filter(member=world.zhangsan).count() == 1
    assert not history(world.union_c).filter(action="transfer").exists()


def test_transfer_to_the_same_union_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.transfer_member(world.cadre_a, world.zhangsan, world.union_a, timezone.localdate())
    assert "to_union" in exc.value.message_dict


@pytest.mark.parametrize("days", [1, 30])
def test_transfer_in_the_future_is_refused(world, days):
    with pytest.raises(ValidationError) as exc:
        services.transfer_member(world.cadre_a, world.zhangsan, world.union_a2,
                                 timezone.localdate() + datetime.timedelta(days=days))
    assert "on" in exc.value.message_dict


def test_transfer_before_joining_the_old_union_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.transfer_member(world.cadre_a, world.zhangsan, world.union_a2, datetime.date(2020, 1, 1))
    assert "2021-03-01" in exc.value.message_dict["on"][0]


def test_transfer_into_archived_union_is_refused(world):
    services.archive(world.cadre_a, world.union_a2)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.transfer_member(world.street_cadre, world.zhangsan, world.union_a2, timezone.localdate())
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.union_id == world.union_a.pk


def test_viewer_cannot_transfer(world):
    with pytest.raises(PermissionDenied):
        services.transfer_member(world.viewer, world.zhangsan, world.union_a2, timezone.localdate())


def test_leaving_closes_the_stay_and_rejoining_opens_a_new_one(world):
    today = timezone.localdate()
    services.end_membership(world.cadre_a, world.zhangsan, "left", today, note="离职")
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.membership_status == "left"
    closed = Membership.objects.get(member=world.zhangsan)
    assert closed.ended_on == today and closed.end_event == "leave"
    # Rejoining another community's union is done by someone who sees both sides: the street.
    services.transfer_member(world.street_cadre, world.zhangsan, world.union_b, today)
    world.zhangsan.refresh_from_db()
    assert world.zhangsan.membership_status == "active"
    new = Membership.objects.get(member=world.zhangsan, ended_on__isnull=True)
    assert new.union_id == world.union_b.pk and new.start_event == "join"
    assert "重新入会" in history(world.zhangsan).filter(action="transfer").get().message
