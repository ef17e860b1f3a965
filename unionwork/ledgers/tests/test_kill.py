"""kill -9 in the middle of an import leaves the database exactly as it was (one transaction)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

from conftest import make_id

ROOT = Path(__file__).resolve().parents[3]
COUNTED = ["directory_member", "directory_membership", "core_changelog", "directory_enterprise"]


def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, **kwargs)


def counts(db):
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED}


@pytest.mark.skipif(os.name != "posix", reason="needs kill -9")
def test_kill_minus_9_mid_import_leaves_database_as_before(tmp_path):
    db = tmp_path / "kill.sqlite3"
    env = {**os.environ, "UNIONWORK_VAR": str(tmp_path), "DATABASE_URL": f"sqlite:///{db}",
           "PYTHONPATH": str(ROOT)}
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--enterprises", "60", "--members", "50", "--streets", "1", "--communities", "2")
    with sqlite3.connect(db) as conn:
        union = conn.execute("SELECT name FROM directory_union ORDER BY id LIMIT 1").fetchone()[0]
        district = conn.execute("SELECT code FROM org_node WHERE parent_id IS NULL").fetchone()[0]
    rows = 60_000
    sheet = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(sheet, {"constant_memory": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["姓名", "身份证号", "所在工会"])
    for i in range(rows):
        ws.write_row(i + 1, 0, [f"测试{i}", make_id("19800101", i % 500, area=f"{110000 + i // 500:06d}"), union])
    book.close()
    before = counts(db)

    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "import_ledger", str(sheet), "--kind",
                             "members", "--into", district, "--no-progress"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    progress_dir = tmp_path / "progress"
    deadline = time.monotonic() + 120
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        for f in progress_dir.glob("job-*.json") if progress_dir.exists() else []:
            try:
                p = json.loads(f.read_text())
            except ValueError:
                continue
            if 10_000 <= p["done"] < rows:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = p["done"]
                break
        if killed_at:
            break
        time.sleep(0.005)
    proc.wait()
    assert killed_at, "the import finished before it could be killed; make the sheet bigger"
    assert proc.returncode == -signal.SIGKILL
    # Rows had been written inside the transaction when it died; none of them remain.
    assert counts(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
