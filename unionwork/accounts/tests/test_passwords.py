"""Passwords: Argon2 for new hashes (old PBKDF2 upgraded at login), the length and complexity rules."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import make_user
from unionwork import settings as project_settings
from unionwork.accounts.choices import Role
from unionwork.accounts.models import User

pytestmark = pytest.mark.django_db

GOOD = "Hx7-tiger-Lake"


@pytest.fixture
def real_hashers(settings):
    # conftest swaps in MD5 for speed; these tests need the project's own list.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_a_password_set_on_the_change_page_is_stored_with_argon2(world, real_hashers):
    user = world.cadre_a
    user.set_password("Old-Passw0rd-x")
    user.save()
    client = Client()
    client.force_login(user)
    resp = client.post("/accounts/password/", {"old_password": "Old-Passw0rd-x", "new_password1": GOOD,
                                               "new_password2": GOOD})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(GOOD)


def test_an_old_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(world, real_hashers):
    user = world.cadre_a
    User.objects.filter(pk=user.pk).update(password=make_password("demo12345", hasher="pbkdf2_sha256"))
    resp = Client().post("/login/", {"username": "sq_a", "password": "demo12345"})
    assert resp.status_code == 302 and resp["Location"] == "/"
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize("password, message", [
    ("Ab1!xyz", "至少 10 个字符"),
    ("abcdefghij12", "至少 3 种"),
    ("ABCDEFGHIJ!!", "至少 3 种"),
    ("Password123!", "太常见"),
    ("1qaz@WSX3edc", "太常见"),
    ("Sq_wangli2026", "用户名"),
    ("WANGLI_sq-99", "用户名"),
])
def test_weak_passwords_are_refused_with_a_chinese_reason(db, password, message):
    user = User(username="sq_wangli", display_name="王丽")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert any(message in m for m in exc.value.messages), exc.value.messages


@pytest.mark.parametrize("password", [GOOD, "qiu-Shui-2718", "RIVER9bank#"])
def test_passwords_with_three_kinds_of_character_pass(db, password):
    validate_password(password, User(username="sq_wangli", display_name="王丽"))


def test_the_rules_are_explained_in_chinese():
    text = password_validators_help_text_html()
    assert "至少 10 位" in text and "大写字母、小写字母、数字、符号" in text and "用户名" in text


def test_change_page_refuses_a_weak_password_and_keeps_the_old_one(world):
    user = make_user("sq_new", Role.COMMUNITY_CADRE, world.comm_a)
    user.set_password("Old-Passw0rd-x")
    user.save()
    client = Client()
    client.force_login(user)
    resp = client.post("/accounts/password/", {"old_password": "Old-Passw0rd-x", "new_password1": "12345678",
                                               "new_password2": "12345678"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "至少 10 个字符" in html
    user.refresh_from_db()
    assert user.check_password("Old-Passw0rd-x")
