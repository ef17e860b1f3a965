"""Second factor (TOTP): enrolment on the profile, the code step at login, node requirement, signals."""

import re
import time

import pyotp
import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import Client

from conftest import make_user
from unionwork.accounts import services
from unionwork.accounts.choices import Role

pytestmark = pytest.mark.django_db

PASSWORD = "Right-Passw0rd"


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The middle of a 30-second step, held still: a test never straddles a step boundary."""
    now = (int(time.time()) // 30) * 30 + 15
    monkeypatch.setattr(time, "time", lambda: now)
    return now


def code(secret, steps=0):
    return pyotp.TOTP(secret).at(time.time() + steps * 30)


def account(username, node, secret=None):
    user = make_user(username, Role.COMMUNITY_CADRE, node)
    user.set_password(PASSWORD)
    user.save()
    if secret:
        services.set_totp_secret(user, secret)
    return user


@pytest.fixture
def signals():
    seen = {"in": [], "failed": []}

    def on_in(sender, user, **kw):
        seen["in"].append(user.username)

    def on_failed(sender, credentials, **kw):
        seen["failed"].append(credentials.get("username"))

    user_logged_in.connect(on_in)
    user_login_failed.connect(on_failed)
    yield seen
    user_logged_in.disconnect(on_in)
    user_login_failed.disconnect(on_failed)


def test_enrol_on_the_profile_by_scanning_and_confirming_a_code(world, login):
    client = login(world.cadre_a)
    assert "启用两步验证" in client.get("/accounts/profile/").content.decode()
    page = client.get("/accounts/totp/").content.decode()
    assert "<svg" in page and "cdn" not in page.lower()
    secret = re.search(r"密钥：<code[^>]*>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    # A wrong code enrols nothing.
    resp = client.post("/accounts/totp/", {"code": "000000" if code(secret) != "000000" else "111111"})
    assert "验证码不正确" in resp.content.decode()
    world.cadre_a.refresh_from_db()
    assert not services.totp_enabled(world.cadre_a)
    resp = client.post("/accounts/totp/", {"code": code(secret)})
    assert resp.status_code == 302
    world.cadre_a.refresh_from_db()
    assert services.get_totp_secret(world.cadre_a) == secret
    assert "两步验证：已启用" in client.get("/accounts/profile/").content.decode()


def test_login_asks_for_the_code_and_logs_in_only_when_it_is_right(world, signals):
    secret = pyotp.random_base32()
    account("sq_totp", world.comm_a, secret)
    client = Client()
    resp = client.post("/login/", {"username": "sq_totp", "password": PASSWORD, "next": "/directory/members/"})
    assert resp.status_code == 302 and resp["Location"] == "/login/otp/"
    # Password right, no code yet: not logged in, no user_logged_in, pages still go to login.
    assert "_auth_user_id" not in client.session and signals["in"] == []
    assert client.get("/directory/members/")["Location"].startswith("/login/")
    assert "6 位验证码" in client.get("/login/otp/").content.decode()
    resp = client.post("/login/otp/", {"code": "12345"})
    assert "_auth_user_id" not in client.session
    resp = client.post("/login/otp/", {"code": code(secret)})
    assert resp.status_code == 302 and resp["Location"] == "/directory/members/"
    assert signals["in"] == ["sq_totp"]
    assert client.get("/directory/members/").status_code == 200


def test_a_code_of_the_previous_step_is_accepted_but_never_twice(world):
    secret = pyotp.random_base32()
    account("sq_replay", world.comm_a, secret)
    previous = code(secret, -1)
    first = Client()
    first.post("/login/", {"username": "sq_replay", "password": PASSWORD})
    assert first.post("/login/otp/", {"code": previous}).status_code == 302
    second = Client()
    second.post("/login/", {"username": "sq_replay", "password": PASSWORD})
    resp = second.post("/login/otp/", {"code": previous})
    assert resp.status_code == 200 and "已使用过" in resp.content.decode()
    assert "_auth_user_id" not in second.session


def test_five_wrong_codes_lock_the_account_like_failed_logins(world, signals):
    secret = pyotp.random_base32()
    account("sq_guess", world.comm_a, secret)
    client = Client()
    client.post("/login/", {"username": "sq_guess", "password": PASSWORD})
    right = code(secret)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(4):
        assert client.post("/login/otp/", {"code": wrong}).status_code == 200
    resp = client.post("/login/otp/", {"code": wrong})
    assert resp.status_code == 429 and "登录失败次数过多" in resp.content.decode()
    assert signals["failed"] == ["sq_guess"] * 5 and signals["in"] == []
    # Locked: neither the right code nor the password gets in now.
    assert client.post("/login/otp/", {"code": right}).status_code in (302, 429)
    assert "_auth_user_id" not in client.session
    assert Client(REMOTE_ADDR="192.0.2.50").post(
        "/login/", {"username": "sq_guess", "password": PASSWORD}).status_code == 429


def test_a_node_that_requires_it_sends_a_user_without_it_to_enrol(world, login):
    services.set_node_totp_requirement(world.district_admin, world.street1, True)
    account("sq_req", world.comm_a)
    client = Client()
    assert client.post("/login/", {"username": "sq_req", "password": PASSWORD}).status_code == 302
    resp = client.get("/directory/members/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/totp/"
    page = client.get("/accounts/totp/").content.decode()
    assert "要求本组织及下级账号使用两步验证" in page
    # Not required in the other street.
    assert login(make_user("sq_c2", Role.COMMUNITY_CADRE, world.comm_c)).get("/directory/members/").status_code == 200
    secret = re.search(r"密钥：<code[^>]*>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    client.post("/accounts/totp/", {"code": code(secret)})
    assert client.get("/directory/members/").status_code == 200
    # Required: it cannot be turned off by the user.
    assert "不能停用" in client.get("/accounts/totp/").content.decode()


def test_a_user_can_turn_it_off_with_a_code_where_it_is_not_required(world, login):
    secret = pyotp.random_base32()
    user = account("sq_off", world.comm_a, secret)
    client = login(user)
    resp = client.post("/accounts/totp/", {"code": code(secret)})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert not services.totp_enabled(user)


def test_the_pending_step_expires(world, monkeypatch, steady_clock):
    secret = pyotp.random_base32()
    account("sq_slow", world.comm_a, secret)
    client = Client()
    client.post("/login/", {"username": "sq_slow", "password": PASSWORD})
    monkeypatch.setattr(time, "time", lambda: steady_clock + 301)
    resp = client.post("/login/otp/", {"code": code(secret)})
    assert resp.status_code == 302 and resp["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
