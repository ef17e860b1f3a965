"""The security audit trail: what is written, that nobody can rewrite it, who can read it, how long it stays."""

import datetime

import pytest
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import HTMX, make_user, xlsx_rows
from unionwork.accounts.choices import Role
from unionwork.core import audit
from unionwork.core.models import AppendOnlyError, AuditEvent, ChangeLog
from unionwork.directory.models import Member
from unionwork.ledgers import services as ledger_services
from unionwork.ledgers.tests.conftest import write_xlsx
from unionwork.org.models import Node

PASSWORD = "Tq7!uw-audit-2026"


def events(**lookup):
    return list(AuditEvent.objects.filter(**lookup).order_by("id"))


def old_event(days, **extra):
    """An event dated `days` ago (created_at is set on insert only, so this is an honest insert)."""
    data = {"action": "login", "username": "old", "detail": f"{days}天前"}
    data.update(extra)
    return AuditEvent.objects.create(created_at=timezone.now() - datetime.timedelta(days=days), **data)


# ---------------------------------------------------------------- append-only


def test_model_and_queryset_refuse_to_change_or_delete(world):
    event = audit.log_event("export", user=world.cadre_a, detail="导出会员名册：2行")
    event.detail = "改过的"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="改过的")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    # A copy with the same key is refused too (insert only, never an update in disguise).
    copy = AuditEvent(pk=event.pk, action="login", username="冒名")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.detail == "导出会员名册：2行" and event.username == "sq_a"


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_database_refuses_raw_update_and_delete_of_recent_rows(world):
    recent = audit.log_event("login", user=world.cadre_a)
    year_old = old_event(200)
    with pytest.raises(IntegrityError):
        _raw("UPDATE core_auditevent SET username = 'x' WHERE id = %s", [recent.pk])
    with pytest.raises(IntegrityError):
        _raw("UPDATE core_auditevent SET detail = 'x' WHERE id = %s", [year_old.pk])  # old or not: no UPDATE
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM core_auditevent WHERE id = %s", [recent.pk])
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM core_auditevent")  # all or nothing: the recent row stops the whole statement
    assert AuditEvent.objects.filter(pk__in=[recent.pk, year_old.pk]).count() == 2
    assert AuditEvent.objects.get(pk=recent.pk).username == "sq_a"
    # Older than the minimum retention (180 days): the database lets it go (purge_audit's way).
    assert _raw("DELETE FROM core_auditevent WHERE id = %s", [year_old.pk]) == 1
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(world):
    audit.log_event("login", user=world.cadre_a)
    _raw("SET CONSTRAINTS ALL IMMEDIATE")  # else the fixtures' deferred foreign keys stop TRUNCATE first
    with pytest.raises(IntegrityError, match="TRUNCATE refused"):
        _raw("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() >= 1


def test_admin_is_read_only(world):
    event = audit.log_event("login", user=world.cadre_a)
    ops = make_user("ops", Role.VIEWER, None, is_superuser=True, is_staff=True)
    c = Client()
    c.force_login(ops)
    assert c.get("/ops/admin/core/auditevent/").status_code == 200
    assert c.get("/ops/admin/core/auditevent/add/").status_code == 403
    assert c.post(f"/ops/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    c.post(f"/ops/admin/core/auditevent/{event.pk}/change/", {"detail": "改过的"})
    c.post("/ops/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


# ---------------------------------------------------------------- what is written


def _request(path="/login/", ip="10.1.2.3", **meta):
    request = RequestFactory().post(path, REMOTE_ADDR=ip, **meta)
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def test_login_logout_and_failed_login_from_auth_signals(world):
    world.cadre_a.set_password(PASSWORD)
    world.cadre_a.save()
    request = _request()
    assert authenticate(request, username="sq_a", password="wrong-password") is None
    user = authenticate(request, username="sq_a", password=PASSWORD)
    login(request, user)
    logout(request)
    assert authenticate(_request(ip="10.9.9.9"), username="nobody_here", password="x") is None
    rows = [(e.action, e.username, e.user_id, e.ip, e.node_id) for e in events(action__in=[
        "login", "logout", "login_failed"])]
    assert rows == [
        ("login_failed", "sq_a", None, "10.1.2.3", world.comm_a.pk),  # placed at the account tried
        ("login", "sq_a", world.cadre_a.pk, "10.1.2.3", world.comm_a.pk),
        ("logout", "sq_a", world.cadre_a.pk, "10.1.2.3", world.comm_a.pk),
        ("login_failed", "nobody_here", None, "10.9.9.9", None),
    ]
    assert "nobody_here" in events(action="login_failed")[-1].detail


def test_failed_login_on_the_page_names_the_username_and_address(world, settings):
    Client(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.5").post(
        "/login/", {"username": "jd_ganbu", "password": "wrong-password"})
    event = events(action="login_failed")[-1]
    assert (event.username, event.ip, event.node_id) == ("jd_ganbu", "192.0.2.7", world.street1.pk)
    # Behind a proxy the settings trust, the client's own address is the forwarded one.
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    Client(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.7").post(
        "/login/", {"username": "jd_ganbu", "password": "wrong-password-2"})
    assert events(action="login_failed")[-1].ip == "203.0.113.5"


def test_page_edit_and_archive_write_events_with_user_address_and_node(world, login):
    c = login(world.cadre_a)
    c.defaults["REMOTE_ADDR"] = "10.20.30.40"
    page = c.get(f"/directory/enterprises/{world.ent_a.pk}/edit/")
    from conftest import form_as_posted

    response = c.post(f"/directory/enterprises/{world.ent_a.pk}/edit/", form_as_posted(page, employees="55"))
    assert response.status_code == 302, response.content[:500]
    c.post(f"/directory/enterprise/{world.ent_a2.pk}/archive/", {"reason": "注销"})
    update = events(action="update", object_id=world.ent_a.pk)[-1]
    assert (update.username, update.ip, update.node_id) == ("sq_a", "10.20.30.40", world.comm_a.pk)
    assert update.object_repr == world.ent_a.name and "职工" in update.detail
    archived = events(action="archive", object_id=world.ent_a2.pk)[-1]
    assert archived.ip == "10.20.30.40" and archived.get_action_display() == "归档"


def test_reveal_and_export_are_logged(world, login):
    c = login(world.cadre_a)
    c.defaults["REMOTE_ADDR"] = "10.0.0.5"
    assert c.get(f"/directory/members/{world.zhangsan.pk}/reveal/").status_code == 200
    reveal = events(action="reveal")[-1]
    assert (reveal.object_id, reveal.node_id, reveal.ip) == (world.zhangsan.pk, world.union_a.node_id, "10.0.0.5")
    assert "身份证号" in reveal.detail
    rows = xlsx_rows(c.get("/directory/members/?export=xlsx&reveal=1"))
    export = events(action="export")[-1]
    assert export.username == "sq_a" and export.data["rows"] == len(rows) == 2 and export.data["reveal"] is True
    assert export.node_id == world.comm_a.pk and "会员名册" in export.detail
    assert events(action="reveal")[-1].data["channel"] == "export"


def test_import_job_writes_one_event_with_its_counts(world, tmp_path):
    from conftest import make_id

    rows = [["姓名", "身份证号", "性别", "手机号", "所在工会", "入会日期"]]
    rows += [[f"导入{i}", make_id("19800101", 40 + i), "男", f"1380000{i:04d}", world.union_a.name, "2020-01-01"]
             for i in range(5)]
    path = write_xlsx(tmp_path / "会员.xlsx", rows)
    before_events, before_logs = AuditEvent.objects.count(), ChangeLog.objects.count()
    job = ledger_services.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path,
                                     file_name=path.name)
    job = ledger_services.run_job(job, commit=False)  # the check is no import
    assert AuditEvent.objects.count() == before_events
    job = ledger_services.run_job(job, commit=True, ip="10.7.7.7")
    assert job.created == 5 and ChangeLog.objects.count() - before_logs == 5  # the history keeps every row
    new = list(AuditEvent.objects.order_by("id")[before_events:])
    assert [(e.action, e.username, e.ip, e.node_id) for e in new] == [("import", "sq_a", "10.7.7.7", world.comm_a.pk)]
    assert new[0].data["created"] == 5 and new[0].data["job"] == job.pk and "新增5" in new[0].detail
    # Updating through an import: still the one event per job, none per changed member.
    rows[1][3] = "13999999999"
    write_xlsx(path, rows)
    job2 = ledger_services.create_job(world.cadre_a, node=world.comm_a, kind="members", source=path,
                                      file_name=path.name, mode="valid-rows")
    job2 = ledger_services.run_job(job2, commit=True)
    assert job2.updated == 1
    assert [e.action for e in AuditEvent.objects.order_by("id")[before_events + 1:]] == ["import"]
    assert Member.objects.filter(name="导入0").exists()


def test_documents_generated_are_logged(world, login):
    c = login(world.street_cadre)
    c.defaults["REMOTE_ADDR"] = "10.3.3.3"
    response = c.get(f"/documents/statistics.xlsx?node={world.street1.pk}&year=2026")
    assert response.status_code == 200
    response = c.get(f"/documents/summary/?node={world.comm_a.pk}&year=2026&format=docx")
    assert response.status_code == 200
    c.get(f"/documents/check/?node={world.comm_b.pk}")
    docs = events(action="document")
    assert [(e.node_id, e.ip, e.username) for e in docs] == [
        (world.street1.pk, "10.3.3.3", "jd_ganbu"), (world.comm_a.pk, "10.3.3.3", "jd_ganbu"),
        (world.comm_b.pk, "10.3.3.3", "jd_ganbu")]
    assert "年度统计" in docs[0].detail and "Word" in docs[1].detail and "数据核查" in docs[2].detail


# ---------------------------------------------------------------- the page


@pytest.fixture
def trail(world):
    """One event in each community, at known times and addresses."""
    at = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
    make = lambda node, user, action, day, ip: AuditEvent.objects.create(  # noqa: E731
        created_at=at + datetime.timedelta(days=day), node=node, user=user, username=user.username, ip=ip,
        action=action, object_repr=f"{node.name}的记录", detail=f"{node.name}说明")
    return {
        "a": make(world.comm_a, world.cadre_a, "export", 0, "10.0.0.1"),
        "b": make(world.comm_b, world.cadre_b, "reveal", 1, "10.0.0.2"),
        "c": make(world.comm_c, world.district_admin, "export", 2, "10.0.0.3"),
    }


def _shown(response, trail):
    body = response.content.decode()
    return {k for k, e in trail.items() if e.detail in body}


def test_street_admin_sees_its_street_only_on_page_fragment_and_export(world, login, trail):
    c = login(world.street_cadre)
    page = c.get("/audit/")
    assert page.status_code == 200 and "安全审计日志" in page.content.decode()
    assert _shown(page, trail) == {"a", "b"}
    fragment = c.get("/audit/?action=export", headers=HTMX)
    assert "<html" not in fragment.content.decode() and _shown(fragment, trail) == {"a"}
    rows = xlsx_rows(c.get("/audit/?date_from=2026-03-10&date_to=2026-03-13&export=xlsx"))
    assert {r["说明"] for r in rows} == {"天运社区说明", "鹿源春社区说明"}
    assert rows[0]["时间"] == "2026-03-11 09:00:00"  # Shanghai time, newest first
    # The export of the trail is in the trail.
    assert events(action="export", username="jd_ganbu")[-1].object_repr == "安全审计日志"
    # Another street's administrator sees none of them.
    other = login(make_user("jd_2", Role.STREET_CADRE, world.street2))
    assert _shown(other.get("/audit/"), trail) == {"c"}
    assert _shown(other.get("/audit/", headers=HTMX), trail) == {"c"}
    rows = xlsx_rows(other.get("/audit/?export=xlsx"))
    assert {r["说明"] for r in rows} & {e.detail for e in trail.values()} == {"朝阳里社区说明"}
    street2 = {n.display_name for n in Node.objects.filter(path__startswith=world.street2.path)}
    assert rows and {r["组织"] for r in rows} <= street2  # the world's own events there (恒通科技…) included
    assert _shown(other.get(f"/audit/?node={world.comm_a.pk}"), trail) == set()


def test_district_admin_filters_by_date_user_action_text_and_node(world, login, trail):
    c = login(world.district_admin)
    # (March: the world's own events of today fill the first page of everything)
    assert _shown(c.get("/audit/?date_from=2026-03-01&date_to=2026-03-31"), trail) == {"a", "b", "c"}
    assert _shown(c.get("/audit/?date_from=2026-03-11&date_to=2026-03-11", headers=HTMX), trail) == {"b"}
    assert _shown(c.get("/audit/?user=SQ_A", headers=HTMX), trail) == {"a"}
    assert _shown(c.get("/audit/?action=reveal", headers=HTMX), trail) == {"b"}
    assert _shown(c.get("/audit/?q=10.0.0.3", headers=HTMX), trail) == {"c"}
    assert _shown(c.get("/audit/?q=鹿源春", headers=HTMX), trail) == {"b"}
    assert _shown(c.get(f"/audit/?node={world.street1.pk}", headers=HTMX), trail) == {"a", "b"}


def test_bad_filters_get_a_clear_message(world, login, trail):
    c = login(world.district_admin)
    body = c.get("/audit/?date_from=2026-13-45", headers=HTMX).content.decode()
    assert "请输入正确的日期" in body and _shown(c.get("/audit/?date_from=2026-13-45"), trail) == set()
    body = c.get("/audit/?date_from=2026-03-12&date_to=2026-03-10").content.decode()
    assert "起始日期不能晚于截止日期" in body


def test_community_cadres_and_viewers_may_not_read_the_trail(world, login, trail):
    for user in (world.cadre_a, world.viewer, world.chair_a, world.nobody):
        c = login(user)
        assert c.get("/audit/").status_code == 403
        assert c.get("/audit/?export=xlsx").status_code == 403
        assert "审计日志" not in c.get("/").content.decode()
    assert "审计日志" in login(world.street_cadre).get("/").content.decode()


# ---------------------------------------------------------------- retention


def test_retention_setting_below_six_months_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="最短保存期限 180 天"):
        audit.retention_days()
    with pytest.raises(CommandError, match="最短保存期限 180 天"):
        call_command("purge_audit")
    settings.AUDIT_RETENTION_DAYS = "半年"
    with pytest.raises(CommandError, match="必须是天数"):
        call_command("purge_audit", "--dry-run")
    settings.AUDIT_RETENTION_DAYS = "180"
    assert audit.retention_days() == 180


def test_purge_audit_removes_only_entries_older_than_the_retention(world, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    ancient, older, kept = old_event(800), old_event(400), old_event(300)
    recent = audit.log_event("login", user=world.cadre_a)
    call_command("purge_audit", "--dry-run")
    assert "共 2 条" in capsys.readouterr().out
    assert AuditEvent.objects.filter(pk__in=[ancient.pk, older.pk]).count() == 2
    call_command("purge_audit")
    assert "审计日志 2 条" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(pk__in=[ancient.pk, older.pk]).exists()
    assert AuditEvent.objects.filter(pk__in=[kept.pk, recent.pk]).count() == 2
    settings.AUDIT_RETENTION_DAYS = 200
    call_command("purge_audit")
    assert "审计日志 1 条" in capsys.readouterr().out and not AuditEvent.objects.filter(pk=kept.pk).exists()


def test_a_removed_account_keeps_its_events(world):
    user = make_user("temp_user", Role.COMMUNITY_CADRE, world.comm_a)
    event = audit.log_event("login", user=user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.username == "temp_user" and event.node_id == world.comm_a.pk
