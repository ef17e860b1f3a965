"""HTTP hardening: the production settings pass `check --deploy` and send secure headers and cookies,
CSRF guards every form and htmx request (with a Chinese failure page), the Content-Security-Policy
lets the pages' own scripts run and nothing inline without the nonce, and errors never show a trace."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import path

import unionwork.urls
from unionwork.core import crypto
from unionwork.directory import selectors as directory_selectors

ROOT = Path(django_settings.BASE_DIR)


# Set by the browser tests for this process; a deployment never has it (check --deploy says so).
NOT_INHERITED = ("DEBUG", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_ROOT")


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update({"DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "gh.example.gov.cn,testserver", "UNIONWORK_VAR": str(tmp_path / "var"),
                "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "unionwork.settings",
                "UNIONWORK_DATA_KEYS": f"k1:{crypto.new_key()}", "UNIONWORK_LOOKUP_KEY": crypto.new_key()})
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """STATIC_ROOT after collectstatic, as scripts/serve-production makes it (a fresh clone has none)."""
    folder = tmp_path_factory.mktemp("static")
    env = production_env(folder, STATIC_ROOT=str(folder / "staticfiles"))
    result = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    assert result.returncode == 0, result.stderr
    return str(folder / "staticfiles")


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- production settings


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0 and "needs SECRET_KEY" in result.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
plain = c.get("/login/")
r = c.get("/login/", secure=True)
cookie = r.cookies.get("csrftoken")
print(json.dumps({"debug": settings.DEBUG, "plain": [plain.status_code, plain.headers.get("Location")],
                  "status": r.status_code, "headers": dict(r.headers),
                  "csrf_cookie": {"secure": bool(cookie["secure"]), "samesite": cookie["samesite"]} if cookie else None,
                  "session_secure": settings.SESSION_COOKIE_SECURE, "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
                  "proxy_header": settings.SECURE_PROXY_SSL_HEADER}))
"""


def test_production_sends_https_only_headers_and_secure_cookies(tmp_path, collected_static):
    result = run(["-c", PROBE], production_env(tmp_path, STATIC_ROOT=collected_static))
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["debug"] is False
    assert got["plain"] == [301, "https://testserver/login/"]  # plain http is sent to https
    h = got["headers"]
    assert got["status"] == 200
    assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "script-src 'self' 'nonce-" in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert got["csrf_cookie"]["secure"] is True
    assert got["session_secure"] is True and got["session_httponly"] is True
    # No proxy header is trusted unless the operator says a proxy sets it.
    assert got["proxy_header"] is None
    behind = run(["-c", PROBE], production_env(tmp_path, BEHIND_TLS_PROXY="1", STATIC_ROOT=collected_static))
    behind = json.loads(behind.stdout.splitlines()[-1])
    assert behind["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


# ---------------------------------------------------------------- CSRF


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    missing = []
    for template in (ROOT / "unionwork").rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for m in re.finditer(r"<form\b[^>]*>", text, re.I):
            if not re.search(r"method\s*=\s*[\"']?post", m.group(0), re.I):
                continue
            body = text[m.end():text.find("</form>", m.end())]
            if "{% csrf_token %}" not in body:
                missing.append(f"{template.relative_to(ROOT)}: {m.group(0)[:80]}")
    assert missing == []


def test_htmx_post_without_the_token_is_refused_in_chinese_and_with_it_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.cadre_a)
    page = client.get(f"/directory/enterprises/{world.ent_a2.pk}/").content.decode()
    # base.html puts the token in hx-headers, so every htmx request sends it.
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
    url = f"/directory/enterprise/{world.ent_a2.pk}/archive/"
    refused = client.post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "页面已过期" in text and "CSRF verification failed" not in text
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.archived_at is None
    done = client.post(url, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert done.status_code == 302
    world.ent_a2.refresh_from_db()
    assert world.ent_a2.archived_at is not None


# ---------------------------------------------------------------- Content-Security-Policy


def test_templates_have_no_inline_handlers_or_javascript_urls():
    found = []
    for template in (ROOT / "unionwork").rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']|javascript:", text, re.I):
            found.append(f"{template.relative_to(ROOT)}: {text[max(0, m.start() - 30):m.end() + 30]}")
    assert found == []


def test_inline_scripts_carry_the_nonce_of_the_policy(world, login):
    response = login(world.district_admin).get("/plans/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    page = response.content.decode()
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", page)
              if "src=" not in tag and 'type="application/json"' not in tag]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline)
    # The dashboard's chart script and the year switch no longer rely on inline handlers.
    assert "data-autosubmit" in page and "onchange" not in page


# ---------------------------------------------------------------- no stack traces


def _boom(request):
    raise ZeroDivisionError("secret detail from the code")


urlpatterns = [path("boom/", _boom), *unionwork.urls.urlpatterns]


def test_server_error_shows_the_chinese_page_without_a_trace(world, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(world.cadre_a)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错" in text
    assert "Traceback" not in text and "ZeroDivisionError" not in text and "secret detail" not in text


def test_bad_request_shows_the_chinese_page(world, login, settings):
    settings.DEBUG = False
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = login(world.cadre_a).post("/directory/enterprises/new/", fields)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_api_answers_json_without_a_trace_on_an_unexpected_error(world, api, settings, monkeypatch, debug):
    settings.DEBUG = debug

    def broken(user):
        raise RuntimeError("secret detail from the code")

    monkeypatch.setattr(directory_selectors, "enterprises_for", broken)
    response = api(world.cadre_a).get("/api/v1/enterprises")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body == {"detail": "服务器内部错误，本次操作没有完成，已记录日志，请稍后重试"}
    assert "Traceback" not in response.content.decode()
