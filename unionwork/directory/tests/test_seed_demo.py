"""seed_demo: one seed gives the same district; every code it writes is valid; the demo logins work."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from unionwork.accounts.choices import Role
from unionwork.accounts.models import User
from unionwork.core.validators import (
    id_birth_date,
    id_gender,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_uscc,
)
from unionwork.directory.models import Enterprise, Member, Membership, Union
from unionwork.org.models import Node

pytestmark = pytest.mark.django_db

SIZE = ["--enterprises", "60", "--members", "300"]
DEMO_USERS = {
    "qu_admin": (Role.DISTRICT_ADMIN, "district"),
    "jd_ganbu": (Role.STREET_CADRE, "street"),
    "sq_ganbu": (Role.COMMUNITY_CADRE, "community"),
    "sq_ganbu2": (Role.COMMUNITY_CADRE, "community"),
    "jc_zhuxi": (Role.UNION_CHAIR, "union"),
    "jingshen": (Role.AUDITOR, "street"),
    "zhidu": (Role.VIEWER, "district"),
}


def _seed(*extra):
    out = io.StringIO()
    call_command("seed_demo", *SIZE, *extra, stdout=out)
    return out.getvalue()


def _content():
    """What a seed produced, in the order it was made (ids differ between runs, the order does not)."""
    return {
        "uscc": list(Enterprise.objects.order_by("pk").values_list("uscc", flat=True)),
        "ids": list(Member.objects.order_by("pk").values_list("id_number", flat=True)),
        "names": list(Member.objects.order_by("pk").values_list("name", flat=True)),
        "enterprises": list(Enterprise.objects.order_by("pk").values_list("name", "employees", "status")),
        "unions": list(Union.objects.order_by("pk").values_list("name", "kind")),
        "nodes": list(Node.objects.order_by("pk").values_list("kind", "name", "code")),
        "member_union": list(Member.objects.order_by("pk").values_list("union__name", flat=True)),
    }


def _seed_and_roll_back(*extra):
    with transaction.atomic():
        _seed(*extra)
        content = _content()
        transaction.set_rollback(True)
    assert not Node.objects.exists()
    return content


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    first = _seed_and_roll_back()
    second = _seed_and_roll_back()
    assert len(first["uscc"]) == 60 and len(first["ids"]) == 300
    assert first == second
    other = _seed_and_roll_back("--seed", "7")
    assert other["uscc"] != first["uscc"]
    assert other["ids"] != first["ids"]


@pytest.fixture
def seeded():
    return _seed()


def test_seed_prints_the_demo_logins_and_creates_the_users(seeded):
    assert "演示账号" in seeded and "demo12345" in seeded
    for username, (role, kind) in DEMO_USERS.items():
        assert username in seeded
        user = User.objects.select_related("node").get(username=username)
        assert user.role == role
        assert user.node is not None and user.node.kind == kind, username
        assert user.check_password("demo12345")


def test_demo_logins_work_on_the_login_page(seeded, client):
    resp = client.post("/login/", {"username": "sq_ganbu", "password": "demo12345"})
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert User.objects.get(username="sq_ganbu").node.name in home.content.decode()


def test_demo_users_see_their_scope(seeded):
    from unionwork.directory.selectors import members_for

    street = User.objects.get(username="jd_ganbu")
    community = User.objects.get(username="sq_ganbu")
    community2 = User.objects.get(username="sq_ganbu2")
    chair = User.objects.get(username="jc_zhuxi")
    district = User.objects.get(username="qu_admin")
    assert community.node.parent_id == street.node_id == community2.node.parent_id
    n_district = members_for(district).count()
    n_street = members_for(street).count()
    n_comm = members_for(community).count()
    n_comm2 = members_for(community2).count()
    n_chair = members_for(chair).count()
    assert n_district == Member.objects.count() == 300
    assert n_street < n_district
    assert n_comm + n_comm2 <= n_street
    assert 0 < n_chair <= n_comm
    assert not set(members_for(community).values_list("pk", flat=True)) & set(
        members_for(community2).values_list("pk", flat=True))


def test_every_generated_code_validates(seeded):
    for uscc, phone in Enterprise.objects.values_list("uscc", "contact_phone"):
        assert normalize_uscc(uscc) == uscc
        assert normalize_phone(phone) == phone
    for number, birth, gender, phone in Member.objects.values_list("id_number", "birth_date", "gender", "phone"):
        assert normalize_id_number(number) == number
        assert id_birth_date(number) == birth
        assert id_gender(number) == gender
        assert normalize_mobile(phone) == phone
    for (phone,) in Union.objects.values_list("chair_phone"):
        assert normalize_phone(phone) == phone


def test_generated_district_is_consistent(seeded):
    assert Node.objects.filter(kind="district").count() == 1
    assert Node.objects.filter(kind="street").count() == 3
    assert Node.objects.filter(kind="community").count() >= 3
    # Realistic: some enterprises have no union, some have.
    assert 0 < Enterprise.objects.filter(union__isnull=True).count() < 60
    # One open membership per member, in the member's union; the member lives on the union's node.
    assert Membership.objects.filter(ended_on__isnull=True).count() == 300
    for m in Member.objects.select_related("union"):
        assert m.node_id == m.union.node_id
    assert not Member.objects.exclude(memberships__union=models_F("union")).exists()
    # Enterprises sit in communities; unions hang below them.
    assert not Enterprise.objects.exclude(node__kind="community").exists()
    assert not Union.objects.exclude(node__parent__kind__in=["community", "street"]).exists()
    for e in Enterprise.objects.all():
        assert e.female_employees <= e.employees


def models_F(name):
    from django.db.models import F

    return F(name)


def test_pinyin_search_works_on_generated_data(seeded):
    from unionwork.core.text import pinyin_keys

    m = Member.objects.order_by("pk").first()
    assert (m.name_pinyin, m.name_initials) == pinyin_keys(m.name)


def test_seed_refuses_a_non_empty_database_and_if_empty_skips(seeded):
    with pytest.raises(CommandError):
        _seed()
    out = _seed("--if-empty")
    assert "跳过" in out
    assert Enterprise.objects.count() == 60
