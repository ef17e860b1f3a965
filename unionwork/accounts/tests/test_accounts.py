"""Accounts: API tokens (only a hash stored, revocable), session API access, login lockout."""

import pytest
from django.test import Client

from conftest import make_user
from unionwork.accounts.choices import Role
from unionwork.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_hash_and_authenticates(world):
    token, key = ApiToken.issue(world.cadre_a, "报表系统")
    assert key.startswith("uw_") and len(key) > 30
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert token.prefix == key[:8]
    resp = Client().get("/api/v1/members", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
    assert {r["name"] for r in resp.json()["results"]} == {"张三", "王芳"}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_and_inactive_user_are_refused(world):
    token, key = ApiToken.issue(world.cadre_a, "报表系统")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/members").status_code == 200
    login = Client()
    login.force_login(world.cadre_a)
    resp = login.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert resp.status_code == 302
    assert client.get("/api/v1/members").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(world):
    token, key = ApiToken.issue(world.cadre_b, "别人的")
    login = Client()
    login.force_login(world.cadre_a)
    assert login.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/members").status_code == 200


def test_profile_page_issues_a_token_shown_once(world, login):
    client = login(world.cadre_a)
    resp = client.post("/accounts/profile/", {"name": "统计报表系统"})
    html = resp.content.decode()
    token = ApiToken.objects.get(user=world.cadre_a)
    key = resp.context["new_key"]
    assert key in html and ApiToken.hash_key(key) == token.key_hash
    assert key not in client.get("/accounts/profile/").content.decode()
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/members").json()["count"] == 2


def test_session_works_for_the_api(world, login):
    resp = login(world.street_cadre).get("/api/v1/members")
    assert resp.status_code == 200 and resp.json()["count"] == 3


def test_openapi_document(world, login):
    resp = login(world.street_cadre).get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    for p in ("/api/v1/enterprises", "/api/v1/unions", "/api/v1/members", "/api/v1/members/{pk}/transfer"):
        assert p in paths, sorted(paths)


def test_login_page_logs_in_and_locks_out_after_repeated_failures(db, client):
    user = make_user("sq_test", Role.COMMUNITY_CADRE, None)
    user.set_password("right-password-1")
    user.save()
    resp = client.post("/login/", {"username": "sq_test", "password": "right-password-1"})
    assert resp.status_code == 302
    other = Client()
    for _ in range(5):
        other.post("/login/", {"username": "sq_test", "password": "wrong"})
    resp = other.post("/login/", {"username": "sq_test", "password": "right-password-1"})
    assert "_auth_user_id" not in other.session
    assert resp.status_code in (200, 403, 429)


def test_roles_have_the_chinese_labels():
    assert dict(Role.choices) == {
        "district_admin": "区总工会管理员", "street_cadre": "街道工会干部", "community_cadre": "社区工会干部",
        "union_chair": "基层工会主席", "auditor": "经审", "viewer": "只读",
    }


def test_user_str_is_display_name(db):
    assert str(User(username="u1", display_name="张干部")) == "张干部"
    assert str(User(username="u1")) == "u1"
