"""Lock-out (5 failures, 30 minutes, per account and per address), idle sessions, forced password change."""

import datetime
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.utils import timezone

from conftest import make_user
from unionwork.accounts.choices import Role

pytestmark = pytest.mark.django_db

PASSWORD = "Right-Passw0rd"
# Documentation addresses (RFC 5737): values of REMOTE_ADDR only, nothing is sent anywhere.
ADDR_1, ADDR_2, ADDR_3 = "192.0.2.10", "192.0.2.20", "192.0.2.30"


def account(username, node=None, **extra):
    user = make_user(username, Role.COMMUNITY_CADRE, node, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(username, password, addr):
    client = Client(REMOTE_ADDR=addr)
    return client, client.post("/login/", {"username": username, "password": password})


def age_attempts(minutes):
    """Move the recorded failures back in time, as if that many minutes had passed."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_five_failures_lock_the_account_from_every_address_for_30_minutes(world):
    account("sq_lock")
    for i in range(5):
        attempt("sq_lock", "wrong", f"192.0.2.{100 + i}")
    client, resp = attempt("sq_lock", PASSWORD, ADDR_3)
    assert resp.status_code == 429
    html = resp.content.decode()
    assert "登录失败次数过多" in html and "30 分钟" in html
    assert "_auth_user_id" not in client.session
    # Another account from the same addresses is not affected.
    account("sq_other")
    assert attempt("sq_other", PASSWORD, "192.0.2.100")[1].status_code == 302
    # Still locked after 29 minutes (trying again does not restart the 30), free after 30.
    age_attempts(minutes=29)
    assert attempt("sq_lock", PASSWORD, ADDR_3)[1].status_code == 429
    age_attempts(minutes=2)
    assert attempt("sq_lock", PASSWORD, ADDR_3)[1].status_code == 302


def test_four_failures_do_not_lock(world):
    account("sq_four")
    for _ in range(4):
        attempt("sq_four", "wrong", ADDR_1)
    assert attempt("sq_four", PASSWORD, ADDR_1)[1].status_code == 302


def test_five_failures_from_one_address_lock_that_address_for_any_account(world):
    account("sq_victim")
    for i in range(5):
        attempt(f"guess{i}", "wrong", ADDR_1)
    assert attempt("sq_victim", PASSWORD, ADDR_1)[1].status_code == 429
    # The account itself is not locked: from another address it logs in.
    assert attempt("sq_victim", PASSWORD, ADDR_2)[1].status_code == 302


def test_a_session_idle_for_more_than_30_minutes_is_sent_to_login(world, login):
    client = login(world.cadre_a)
    start = timezone.now()
    assert client.get("/directory/members/").status_code == 200
    with at(start + datetime.timedelta(minutes=20)):
        assert client.get("/directory/members/").status_code == 200
    # 45 minutes after the start but only 25 idle: each request moved the end on.
    with at(start + datetime.timedelta(minutes=45)):
        assert client.get("/directory/members/").status_code == 200
    with at(start + datetime.timedelta(minutes=45, seconds=1801)):
        resp = client.get("/directory/members/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/?next=")


def test_page_views_write_the_session_at_most_once_a_minute(world, login):
    from django.contrib.sessions.models import Session

    client = login(world.cadre_a)
    start = timezone.now()
    with at(start):
        client.get("/directory/members/")
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    with at(start + datetime.timedelta(seconds=30)):
        assert client.get("/directory/members/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == first  # no write within the minute
    with at(start + datetime.timedelta(seconds=61)):
        assert client.get("/directory/members/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > first  # the end moved on


# ---------------------------------------------------------------- forced change of a system-set password


def test_a_user_with_a_system_password_is_sent_to_change_it_until_they_do(world):
    user = account("sq_first", world.comm_a, must_change_password=True)
    client = Client()
    resp = client.post("/login/", {"username": "sq_first", "password": PASSWORD})
    assert resp.status_code == 302
    resp = client.get("/directory/members/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "请先设置自己的新密码" in page
    # htmx fragments are sent along with HX-Redirect, the API with a 403 in Chinese.
    resp = client.get("/directory/members/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert resp["HX-Redirect"] == "/accounts/password/"
    resp = client.get("/api/v1/members")
    assert resp.status_code == 403 and "修改初始密码" in resp.json()["detail"]
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Mine-Own-2026",
                                               "new_password2": "Mine-Own-2026"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/directory/members/").status_code == 200


def test_a_user_who_must_change_can_still_log_out(world):
    account("sq_first2", world.comm_a, must_change_password=True)
    client = Client()
    client.post("/login/", {"username": "sq_first2", "password": PASSWORD})
    resp = client.post("/logout/")
    assert resp.status_code == 302 and resp["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_the_new_password_must_differ_from_the_one_given(world):
    account("sq_first3", world.comm_a, must_change_password=True)
    client = Client()
    client.post("/login/", {"username": "sq_first3", "password": PASSWORD})
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD,
                                               "new_password2": PASSWORD})
    assert resp.status_code == 200 and "新密码不能与当前密码相同" in resp.content.decode()


def test_demo_accounts_made_by_seed_demo_need_no_change():
    from unionwork.accounts.models import User

    assert User._meta.get_field("must_change_password").default is False
