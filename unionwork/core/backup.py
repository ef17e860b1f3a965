"""Backup and restore of the database and the uploaded files (manage.py backup / restore).

A backup is one .tar.gz, unionwork-YYYYMMDD-HHMMSS.tar.gz (Asia/Shanghai time), holding:

    manifest.json        what it is: format, database vendor, time, migrations, media file count
    database.sqlite3     SQLite: a consistent copy made with the online backup API while the server runs
    database.pgdump      PostgreSQL: pg_dump --format=custom
    media/…              everything under MEDIA_ROOT (attachments, Word templates, import files, documents)

Restore checks the whole file before touching anything, restores the database in one step (SQLite
backup API into the live database; pg_restore --single-transaction), then swaps the media folder.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = "unionwork-backup"
VERSION = 1


class BackupError(Exception):
    """A Chinese message for the operator."""


def vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN, then PATH, then the Debian location of PostgreSQL 15 (or newer)."""
    candidates = [Path(os.environ["PG_BIN"]) / name] if os.environ.get("PG_BIN") else []
    if found := shutil.which(name):
        candidates.append(Path(found))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端，或设置 PG_BIN 为其所在目录")


def _pg_args_env():
    """libpq flags (-U, -h, -p), the database name and the environment (PGPASSWORD, PGSSLMODE …)."""
    from django.db.backends.postgresql.client import DatabaseClient

    s = dict(connection.settings_dict)
    options = s.get("OPTIONS") or {}
    # DATABASE_URL=postgres://user@/db?host=/run/pg puts a socket directory in OPTIONS, not HOST.
    s["HOST"] = s.get("HOST") or options.get("host", "")
    s["PORT"] = s.get("PORT") or options.get("port", "")
    args, env = DatabaseClient.settings_to_cmd_args_env(s, [])
    # the password goes in the environment, never on a command line where ps would show it
    return args[1:-1], args[-1], {**os.environ, **(env or {})}


def _applied_migrations() -> dict:
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def make_backup(output_dir: Path | None = None) -> Path:
    output_dir = Path(output_dir or settings.VAR_DIR / "backups")
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = output_dir / f"unionwork-{stamp}.tar.gz"
    n = 1
    while target.exists():  # two backups in one second
        n += 1
        target = output_dir / f"unionwork-{stamp}-{n}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        tmp = Path(tmp)
        if vendor() == "sqlite":
            db_file = tmp / "database.sqlite3"
            connection.ensure_connection()
            dst = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dst)  # online backup API: a consistent snapshot
            finally:
                dst.close()
        elif vendor() == "postgresql":
            db_file = tmp / "database.pgdump"
            flags, dbname, env = _pg_args_env()
            run = subprocess.run([pg_tool("pg_dump"), *flags, "--format=custom", "--no-owner", "--file", str(db_file),
                                  dbname], env=env, capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"pg_dump 失败：{run.stderr.strip()}")
        else:
            raise BackupError(f"不支持的数据库：{vendor()}")
        media = Path(settings.MEDIA_ROOT)
        media_files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = {
            "format": FORMAT, "version": VERSION, "vendor": vendor(), "database": db_file.name,
            "created_at": timezone.localtime().isoformat(), "migrations": _applied_migrations(),
            "media_files": len(media_files),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = target.with_name(target.name + ".part")  # never a half-written file under the final name
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            tar.add(tmp / "manifest.json", arcname="manifest.json")
            tar.add(db_file, arcname=db_file.name)
            for p in media_files:
                tar.add(p, arcname=f"media/{p.relative_to(media).as_posix()}")
        partial.rename(target)
    return target


def read_manifest(path: Path) -> dict:
    """The manifest of a backup file, or BackupError when the file is not one of ours."""
    not_ours = f"“{Path(path).name}”不是 unionwork 的备份文件（应为 backup 命令生成的 unionwork-日期-时间.tar.gz）"
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.getmember("manifest.json")
            manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"文件不存在：{path}") from None
    except (tarfile.TarError, KeyError, OSError, EOFError, ValueError):
        raise BackupError(not_ours) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(not_ours)
    if manifest.get("version") != VERSION:
        raise BackupError(f"备份文件的格式版本为 {manifest.get('version')}，本程序只能恢复第 {VERSION} 版")
    return manifest


def restore_backup(path: Path) -> dict:
    path = Path(path)
    manifest = read_manifest(path)
    if manifest["vendor"] != vendor():
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"这是 {names.get(manifest['vendor'], manifest['vendor'])} 数据库的备份，"
                          f"当前使用的是 {names.get(vendor(), vendor())}，不能直接恢复")
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".restore-") as tmp:
        tmp = Path(tmp)
        try:
            with tarfile.open(path, "r:gz") as tar:
                # filter="data": no absolute paths, no "..", no links out of the folder, no devices.
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"备份文件已损坏，无法读取（{exc}）；当前数据没有改动") from None
        db_file = tmp / manifest["database"]
        if not db_file.is_file():
            raise BackupError("备份文件中缺少数据库部分；当前数据没有改动")
        if vendor() == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file)
        # The database is back; now the files, swapped in so that a reader never sees half a folder.
        new_media = tmp / "media"
        new_media.mkdir(exist_ok=True)
        old = media.with_name(f".{media.name}-before-restore")
        shutil.rmtree(old, ignore_errors=True)
        if media.exists():
            media.rename(old)
        new_media.rename(media)
        shutil.rmtree(old, ignore_errors=True)
    return manifest


def _restore_sqlite(db_file: Path):
    src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("备份中的数据库文件已损坏（完整性检查未通过）；当前数据没有改动")
        connection.ensure_connection()
        # The online backup API copies every page into the live database in one step.
        src.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的数据库文件无法读取（{exc}）；当前数据没有改动") from None
    finally:
        src.close()


def _restore_postgresql(dump: Path):
    flags, dbname, env = _pg_args_env()
    connection.close()  # hold no locks while pg_restore drops and recreates the tables
    run = subprocess.run([pg_tool("pg_restore"), *flags, "--dbname", dbname, "--clean", "--if-exists", "--no-owner",
                          "--single-transaction", "--exit-on-error", str(dump)], env=env, capture_output=True, text=True)
    if run.returncode:
        raise BackupError(f"pg_restore 失败，已整体撤销，当前数据没有改动：{run.stderr.strip()[-2000:]}")


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)

