"""manage.py backup / restore: a round trip gives back every table and every uploaded file.

Runs on SQLite in the normal suite and on PostgreSQL with
    scripts/with-postgres .venv/bin/pytest unionwork/core/tests/test_backup.py
The tests are transactional (the commands see committed data, as they do on a live server).
"""

import hashlib
import re
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from conftest import build_world
from unionwork.accounts.models import ApiToken
from unionwork.directory.models import Member
from unionwork.org.choices import NodeKind
from unionwork.org.services import create_node

pytestmark = pytest.mark.django_db(transaction=True)


def table_state() -> dict:
    """{table: (row count, sha256 of every row in primary-key order)} for every model Django knows."""
    state = {}
    qn = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in state:
            continue
        columns = ", ".join(qn(f.column) for f in meta.concrete_fields)
        order = ", ".join(qn(f.column) for f in meta.pk_fields)  # a composite key's columns too
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {qn(meta.db_table)} ORDER BY {order}")
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
        state[meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def media_state(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments" / "2026" / "11").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "2026" / "11" / "合影.jpg").write_bytes(b"\xff\xd8\xff" + b"photo" * 100)
    (settings.MEDIA_ROOT / "templates" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "templates" / "2026" / "总结模板.docx").write_bytes(b"PK\x03\x04template")
    return settings.MEDIA_ROOT


def test_round_trip_restores_every_table_and_every_file(media, tmp_path, capsys):
    w = build_world()
    ApiToken.issue(w.cadre_a, "备份前的令牌")
    before, files_before = table_state(), media_state(media)
    assert before["directory_member"][0] == 4  # the world is really in the tables being compared

    call_command("backup", output=str(tmp_path / "backups"))
    out = capsys.readouterr().out
    backup = next((tmp_path / "backups").glob("unionwork-*.tar.gz"))
    assert str(backup) in out and ("KB" in out or "MB" in out)

    # Change, add and delete after the backup: rows and files.
    Member.objects.filter(pk=w.zhangsan.pk).update(name="张三（改）")
    create_node(None, kind=NodeKind.COMMUNITY, name="备份后新建社区", code="D1-S1-Z", parent=w.street1)
    ApiToken.objects.all().delete()
    (media / "attachments" / "2026" / "11" / "合影.jpg").unlink()
    (media / "备份后上传.pdf").write_bytes(b"%PDF-1.7 new")
    changed = table_state()
    assert changed != before and media_state(media) != files_before

    call_command("restore", str(backup), yes=True)

    after = table_state()
    assert set(after) == set(before)
    differing = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert differing == {}
    assert media_state(media) == files_before
    assert Member.objects.get(pk=w.zhangsan.pk).name == "张三"
    # The restored database takes new rows (PostgreSQL: its sequences came back too).
    create_node(None, kind=NodeKind.COMMUNITY, name="恢复后新建社区", code="D1-S1-Y", parent=w.street1)


def test_backup_file_is_dated_in_shanghai_time_and_holds_database_and_media(media, tmp_path):
    build_world()
    call_command("backup", output=str(tmp_path))
    backup = next(tmp_path.glob("unionwork-*.tar.gz"))
    m = re.fullmatch(r"unionwork-(\d{8})-(\d{6})\.tar\.gz", backup.name)
    assert m and m.group(1) == timezone.localtime().strftime("%Y%m%d")
    with tarfile.open(backup) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names
    assert {"database.sqlite3", "database.pgdump"} & names
    assert "media/attachments/2026/11/合影.jpg" in names


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(media, tmp_path):
    build_world()
    before = table_state()
    for name, content in [("会员.xlsx", b"PK\x03\x04not a backup"), ("随便.tar.gz", b"\x1f\x8b garbage")]:
        bogus = tmp_path / name
        bogus.write_bytes(content)
        with pytest.raises(CommandError, match="不是 unionwork 的备份文件"):
            call_command("restore", str(bogus), yes=True)
    fake = tmp_path / "假备份.tar.gz"
    with tarfile.open(fake, "w:gz") as tar:
        tar.add(__file__, arcname="manifest.json")
    with pytest.raises(CommandError, match="不是 unionwork 的备份文件"):
        call_command("restore", str(fake), yes=True)
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("restore", str(tmp_path / "没有这个文件.tar.gz"), yes=True)
    assert table_state() == before


def test_restore_asks_for_confirmation(media, tmp_path):
    w = build_world()
    call_command("backup", output=str(tmp_path))
    backup = next(tmp_path.glob("unionwork-*.tar.gz"))
    Member.objects.filter(pk=w.zhangsan.pk).update(name="张三（改）")
    # Not at a terminal (cron, scripts) and no --yes: refused.
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup))
    assert Member.objects.get(pk=w.zhangsan.pk).name == "张三（改）"
