"""Account management: scoped list (page and htmx fragment), create with a password shown once, reset,
deactivate, unlock, and the node's two-step requirement; nothing outside the manager's scope."""

import re
from html import unescape

import pytest
from django.test import Client

from conftest import HTMX, make_user
from unionwork.accounts.choices import Role
from unionwork.accounts.models import User

pytestmark = pytest.mark.django_db

STRONG = "Strong-Passw0rd"


@pytest.fixture
def admin_a(world):
    """An account manager of community A only."""
    return make_user("admin_a", Role.DISTRICT_ADMIN, world.comm_a, display_name="社区A管理员")


def usernames(resp):
    return set(re.findall(r'href="/accounts/users/\d+/">([^<]+)</a>', resp.content.decode()))


def create_post(node, username="sq_newbie", **extra):
    data = {"username": username, "display_name": "新干部", "role": Role.COMMUNITY_CADRE, "node": node.pk,
            "password_mode": "generate", "password1": "", "password2": ""}
    data.update(extra)
    return data


def test_list_shows_only_accounts_in_scope_on_the_page_and_the_fragment(world, login, admin_a):
    district = login(world.district_admin).get("/accounts/users/")
    assert {"sq_a", "sq_b", "zhuxi_a", "jd_ganbu"} <= usernames(district)
    client = login(admin_a)
    page = client.get("/accounts/users/")
    assert page.status_code == 200 and "账号管理" in page.content.decode()
    assert usernames(page) == {"admin_a", "sq_a", "zhuxi_a"}
    fragment = client.get("/accounts/users/?q=sq", headers=HTMX)
    assert "<nav" not in fragment.content.decode() and usernames(fragment) == {"sq_a"}
    # Filtering by a node outside the scope shows nothing of it.
    outside = client.get(f"/accounts/users/?node={world.comm_b.pk}", headers=HTMX)
    assert "sq_b" not in outside.content.decode()


def test_roles_without_manage_users_get_no_page(world, login):
    client = login(world.street_cadre)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get(f"/accounts/users/{world.cadre_a.pk}/").status_code == 403
    assert client.post(f"/accounts/users/{world.cadre_a.pk}/deactivate/").status_code == 403
    assert "账号管理" not in client.get("/accounts/profile/").content.decode()


def test_a_manager_cannot_see_or_change_an_account_outside_their_scope(world, login, admin_a):
    client = login(admin_a)
    pk = world.cadre_b.pk
    assert client.get(f"/accounts/users/{pk}/").status_code == 404
    assert client.post(f"/accounts/users/{pk}/password/", {"password_mode": "generate"}).status_code == 404
    for action in ("deactivate", "activate", "unlock", "reset-totp"):
        assert client.post(f"/accounts/users/{pk}/{action}/").status_code == 404, action
    assert client.post(f"/accounts/nodes/{world.comm_b.pk}/totp/", {"required": "1"}).status_code == 404
    world.cadre_b.refresh_from_db()
    world.comm_b.refresh_from_db()
    assert world.cadre_b.is_active and not world.cadre_b.must_change_password and not world.comm_b.require_totp
    # Nor create one there.
    resp = client.post("/accounts/users/new/", create_post(world.comm_b))
    assert resp.status_code == 200 and not User.objects.filter(username="sq_newbie").exists()
    assert "选择一个有效的选项" in resp.content.decode()


def test_create_with_a_generated_password_shown_once_then_forced_change(world, login, admin_a):
    client = login(admin_a)
    resp = client.post("/accounts/users/new/", create_post(world.comm_a))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    html = resp.content.decode()
    password = unescape(re.search(r'id="initial-password">([^<]+)</code>', html).group(1))  # as the browser shows it
    assert "只显示这一次" in html and len(password) >= 10
    user = User.objects.get(username="sq_newbie")
    assert user.node == world.comm_a and user.role == Role.COMMUNITY_CADRE and user.must_change_password
    assert password not in client.get(f"/accounts/users/{user.pk}/").content.decode()
    newbie = Client()
    assert newbie.post("/login/", {"username": "sq_newbie", "password": password}).status_code == 302
    assert newbie.get("/")["Location"] == "/accounts/password/"


def test_create_with_a_typed_password_must_pass_the_rules(world, login, admin_a):
    client = login(admin_a)
    weak = create_post(world.comm_a, password_mode="manual", password1="12345678", password2="12345678")
    resp = client.post("/accounts/users/new/", weak)
    assert resp.status_code == 200 and "至少 10 个字符" in resp.content.decode()
    assert not User.objects.filter(username="sq_newbie").exists()
    taken = client.post("/accounts/users/new/", create_post(world.comm_a, username="SQ_A"))
    assert "已被使用" in taken.content.decode()
    ok = create_post(world.comm_a, password_mode="manual", password1=STRONG, password2=STRONG)
    resp = client.post("/accounts/users/new/", ok)
    assert STRONG in resp.content.decode()
    assert User.objects.get(username="sq_newbie").check_password(STRONG)


def test_reset_password_deactivate_and_activate(world, login, admin_a):
    client = login(admin_a)
    target = world.cadre_a
    resp = client.post(f"/accounts/users/{target.pk}/password/", {"password_mode": "generate"})
    password = unescape(re.search(r'id="initial-password">([^<]+)</code>', resp.content.decode()).group(1))
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    assert client.post(f"/accounts/users/{target.pk}/deactivate/").status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert "_auth_user_id" not in (c := Client()).session
    c.post("/login/", {"username": "sq_a", "password": password})
    assert "_auth_user_id" not in c.session
    client.post(f"/accounts/users/{target.pk}/activate/")
    target.refresh_from_db()
    assert target.is_active
    # A manager cannot lock themselves out.
    client.post(f"/accounts/users/{admin_a.pk}/deactivate/")
    admin_a.refresh_from_db()
    assert admin_a.is_active


def test_unlock_a_locked_out_account(world, login, admin_a):
    target = world.cadre_a
    target.set_password(STRONG)
    target.save()
    for i in range(5):
        Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post("/login/", {"username": "sq_a", "password": "wrong"})
    assert Client(REMOTE_ADDR="192.0.2.9").post("/login/", {"username": "sq_a", "password": STRONG}).status_code == 429
    client = login(admin_a)
    assert usernames(client.get("/accounts/users/?status=locked", headers=HTMX)) == {"sq_a"}
    assert "解除锁定" in client.get(f"/accounts/users/{target.pk}/").content.decode()
    client.post(f"/accounts/users/{target.pk}/unlock/")
    assert Client(REMOTE_ADDR="192.0.2.9").post("/login/", {"username": "sq_a", "password": STRONG}).status_code == 302


def test_node_setting_requires_two_step_for_the_node_and_below(world, login):
    client = login(world.district_admin)
    page = client.get("/accounts/totp-policy/").content.decode()
    assert "本组织及下级账号须使用两步验证" in page and "天运社区" in page
    client.post(f"/accounts/nodes/{world.street1.pk}/totp/", {"required": "1"})
    world.street1.refresh_from_db()
    assert world.street1.require_totp
    # Its two communities show the requirement as inherited; street 2 does not.
    inherited = re.findall(r"由「([^」]+)」要求", client.get("/accounts/totp-policy/").content.decode())
    assert inherited == [world.street1.display_name] * 2
    # A cadre of community A is now sent to enrol; one of street 2 is not.
    assert login(world.cadre_a).get("/directory/members/")["Location"] == "/accounts/totp/"
    assert login(make_user("sq_c", Role.COMMUNITY_CADRE, world.comm_c)).get("/directory/members/").status_code == 200
    client.post(f"/accounts/nodes/{world.street1.pk}/totp/", {"required": "0"})
    assert login(world.cadre_a).get("/directory/members/").status_code == 200
