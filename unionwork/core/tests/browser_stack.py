"""The application as a user meets it, for the browser tests: the web server and the background task
worker (manage.py db_worker) each in a process of its own, as `make run` starts them, on a copy of
the test database.

Why processes and a copy: the test database of a SQLite run lives in this process's memory, where no
worker process can reach it, and a worker thread sharing that connection would interleave its long
import transaction with the server's requests. A file (SQLite) or a database made from the test
database as a template (PostgreSQL) gives both processes the real thing: an import really queued,
picked up by the worker, and its progress polled by the page.
"""

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Tianyun#2026"  # the browser users' password (set directly: fixture users, no forced change)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_test_database(folder: Path) -> tuple[str, str | None]:
    """A copy of the (migrated, empty) test database; returns its DATABASE_URL and, on PostgreSQL, its name."""
    from django.db import connection, connections

    # Never a copy of a real database (pytest-django leaves the real one in place when no test asks for a database).
    assert connection.creation.is_in_memory_db(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" \
        else connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        path = folder / "browser.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}", None
    from django.db.utils import OperationalError

    source = connection.settings_dict["NAME"]
    name = f"{source}_browser"
    connections.close_all()  # a template must have no other sessions
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        try:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            copied = True
        except OperationalError:  # a session left open by an earlier test (another context's connection)
            cursor.execute(f'CREATE DATABASE "{name}"')
            copied = False
    if not copied:
        _pg_copy(source, name)
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _pg_copy(source: str, target: str):
    """pg_dump of the test database restored into target: works with other sessions open."""
    from unionwork.core.backup import _pg_args_env, pg_tool

    flags, _, env = _pg_args_env()
    dump = subprocess.run([pg_tool("pg_dump"), *flags, "--format=custom", "--no-owner", source], env=env,
                          capture_output=True, check=True).stdout
    subprocess.run([pg_tool("pg_restore"), *flags, "--no-owner", "--dbname", target], input=dump, env=env,
                   capture_output=True, check=True)


def drop_database_copy(name: str | None):
    from django.db import connection

    if name:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed():
    """Run in a subprocess against the copy: the shared hand-made district, with passwords to log in."""
    import django

    django.setup()
    from conftest import build_world

    w = build_world()
    for user in (w.cadre_a, w.cadre_b, w.district_admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    print(json.dumps({"community": w.comm_a.display_name, "union": w.union_a.name}))


class Stack:
    """Server and worker processes on a database copy; stop() ends exactly these processes."""

    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.vendor = "sqlite" if database_url.startswith("sqlite") else "postgresql"
        self.env = {**os.environ, "UNIONWORK_VAR": str(folder / "var"), "DATABASE_URL": database_url,
                    "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "unionwork.settings", "DEBUG": "true"}
        self.env.pop("TASKS_BACKEND", None)  # the real queue, never the immediate backend
        self.procs: dict[str, subprocess.Popen] = {}

    def run(self, *args) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self):
        manage = [sys.executable, str(ROOT / "manage.py")]
        # All three start Django at once (seconds each on a busy machine); the data is in before the first page.
        self._spawn("server", [*manage, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"])
        self._spawn("worker", [*manage, "db_worker", "--queue-name", "default", "--no-reload", "--interval", "0.2",
                               "--no-startup-delay"])
        self.seeded = json.loads(self.run("-c", "from unionwork.core.tests.browser_stack import seed; seed()")
                                 .strip().splitlines()[-1])
        deadline = time.monotonic() + 90
        while True:
            for name, proc in self.procs.items():
                assert proc.poll() is None, f"{name} exited:\n{self.log(name)}"
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            assert time.monotonic() < deadline, f"server did not answer:\n{self.log('server')}"
            time.sleep(0.2)

    def _spawn(self, name, cmd):
        out = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process in stop()
        self.procs[name] = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.procs[name].log_file = out

    def log(self, name) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self):
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.log_file.close()
