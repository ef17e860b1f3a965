"""Benchmark of the member ledger import (issue 3, "Performance"). Not a test: it prints one JSON line.

    .venv/bin/python bench/import_speed.py --rows 200000
    .venv/bin/python bench/import_speed.py --rows 1000000

What it does, all in a scratch directory (never var/unionwork.sqlite3):

1. a scratch database (SQLite in the temp dir unless --database-url names another), migrated, with a
   small district seeded by unionwork.directory.demo.generate(members=0), so the unions exist;
2. a member sheet (.xlsx, xlsxwriter constant_memory) of --rows rows under a title row, with the
   Chinese headers the importer recognises and the mess real sheets have (date cells and dates as
   text in several spellings, blank gender, 是/否/√/×, names with a space, lower-case x), every row
   valid and every 身份证号 unique;
3. peer: django-import-export importing the first --peer-rows rows (the same people, clean values,
   as a tablib Dataset) through a plain ModelResource for Member into the empty member table;
   peer_s times import_data alone (not building the Dataset); the rows are counted, then deleted;
4. limit: reading the same file with python-calamine (iter_rows over every row) plus inserting the
   same rows (the same number of columns) with one raw executemany into a scratch table, committed:
   the floor for any importer on this machine (SQLite: in a scratch database file beside the real
   one, opened as Django opens it; another database: a scratch table in it);
5. required: the writes any importer of this data model has to make for the same sheet, with no checking
   at all, in a child process on a copy of the seeded database (SQLite only): the sheet read with the
   importer's reader, each row's stored values derived as simply as possible (pinyin, 身份证号 and phone
   encrypted, the lookup hash), members inserted by a writer thread while the next rows are prepared,
   their memberships and history rows, the name pieces and the member indexes built at the end, one
   transaction. It is what the import costs above the limit before a single cell is checked:
   required_ratio (required_s / limit_s) is the ratio_to_limit of that work as written here, and
   required_ratio_all_cores (its CPU seconds spread over every core, over limit_s) the least ratio any
   schedule of it could reach on this machine;
6. the import itself, in a child process started at the very beginning and told to go now (so that
   generating the sheet, the peer and the limit do not count in its peak RSS, ru_maxrss): create_job +
   run_job(commit=True) as the background task does, user None, into the district; seconds cover
   both; it checks that every row landed with its Membership and its ChangeLog row;
7. with --rows 200000 (or --export): the member list export as .xlsx of everything just imported,
   through the Django test client as a district user, the streamed response read to its end.
"""

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["姓名", "性别", "民族", "身份证号", "出生日期", "手机号", "学历", "政治面貌", "单位统一社会信用代码",
           "所在工会", "所在社区", "入会日期", "人员状态", "农民工"]
EDUCATION = ["初中", "高中/中专/技校", "高中/中专/技校", "大专", "本科", "本科", "研究生"]
POLITICAL = ["群众"] * 70 + ["中共党员"] * 18 + ["共青团员"] * 10 + ["民主党派"] * 2
TODAY = datetime.date.today() - datetime.timedelta(days=1)  # 入会日期 may not be later than today


def setup_django(workdir: Path, database_url: str | None):
    """Point the settings at the scratch directory, then start Django."""
    var = workdir / "var"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["UNIONWORK_VAR"] = str(var)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log
    os.environ["DJANGO_SETTINGS_MODULE"] = "unionwork.settings"
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    assert Path(settings.VAR_DIR) == var, settings.VAR_DIR
    name = str(settings.DATABASES["default"]["NAME"])
    assert "unionwork.sqlite3" not in name or str(var) in name, name


# ---------------------------------------------------------------- data


def seed(enterprises: int):
    from django.core.management import call_command

    from unionwork.directory.demo import generate
    from unionwork.directory.models import Enterprise, Union
    from unionwork.org.models import Node

    call_command("migrate", verbosity=0)
    made = generate(enterprises=enterprises, members=0)
    district = made["district"]
    covered: dict[int, list[str]] = {}
    for union_id, uscc in Enterprise.objects.filter(union__isnull=False).values_list("union_id", "uscc"):
        covered.setdefault(union_id, []).append(uscc)
    seen, unions = {}, []
    for pk, name, community, founded in Union.objects.values_list("pk", "name", "node__parent__name", "founded_on"):
        seen[(community, name)] = seen.get((community, name), 0) + 1
        unions.append((pk, name, community, founded, covered.get(pk, [])))
    # Only unions that the sheet names without ambiguity: a unique name in a community whose name is
    # unique in the district (demo districts of more than 24 communities reuse community names).
    communities = list(Node.objects.filter(kind="community").values_list("name", flat=True))
    unions = [u for u in unions if seen[(u[2], u[1])] == 1 and communities.count(u[2]) == 1]
    return district, unions


def fmt_date(rng, d: datetime.date):
    """A date the way many hands type it: a date cell, or text in one of the spellings seen in real sheets."""
    r = rng.random()
    if r < 0.55:
        return ("date", d)
    if r < 0.70:
        return ("str", f"{d.year}.{d.month}.{d.day}")
    if r < 0.80:
        return ("str", f"{d.year}/{d.month}/{d.day}")
    if r < 0.90:
        return ("str", f"{d.year}年{d.month}月{d.day}日")
    if d.year >= 2000:  # cleaning.date reads a number as YYYYMMDD from 20000101 on only
        return ("num", int(f"{d:%Y%m%d}"))
    return ("str", f"{d:%Y%m%d}")


def person_rows(rows: int, unions, seed_value=7):
    """Yield (sheet cells as (type, value) pairs, clean values for the peer) for each member."""
    from unionwork.directory.demo import make_id_number, make_person_name

    rng = random.Random(seed_value)
    used: set = set()
    for _ in range(rows):
        union_id, union_name, community, founded, usccs = rng.choice(unions)
        female = rng.random() < 0.45
        birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=rng.randrange(15700))
        name = make_person_name(rng)
        number = make_id_number(rng, used, birth, female)
        adult = datetime.date(birth.year + 18, birth.month, 28 if birth.month == 2 else birth.day)
        start = max(founded or adult, adult)
        joined = start + datetime.timedelta(days=rng.randrange(max(1, (TODAY - start).days)))
        phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
        education = rng.choice(EDUCATION)
        political = rng.choice(POLITICAL)
        uscc = rng.choice(usccs) if usccs and rng.random() < 0.7 else ""
        retired = birth.year < 1966 and rng.random() < 0.5
        migrant = rng.random() < 0.2
        gender_cell = "" if rng.random() < 0.1 else ("女" if female else "男")
        shown_name = name if rng.random() > 0.05 else f"{name[0]} {name[1:]}"
        shown_id = number.lower() if number.endswith("X") and rng.random() < 0.5 else number
        cells = [
            ("str", shown_name), ("str", gender_cell), ("str", "汉族"), ("str", shown_id),
            fmt_date(rng, birth) if rng.random() < 0.9 else ("str", ""),
            ("str", phone), ("str", education), ("str", political), ("str", uscc),
            ("str", union_name), ("str", community), fmt_date(rng, joined),
            ("str", "离退休" if retired else "在职"),
            ("str", rng.choice(["是", "√", "Y"]) if migrant else rng.choice(["否", "×", "", "N"])),
        ]
        clean = {"name": name, "id_number": number, "gender": "F" if female else "M", "birth_date": birth,
                 "phone": phone, "union": union_id, "joined_on": joined, "is_migrant": migrant}
        yield cells, clean


def write_sheet(path: Path, rows: int, unions, peer_rows: int):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("会员名册")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "滨河区工会会员名册（2026年）")
    ws.write_row(1, 0, HEADERS)
    peer = []
    for r, (cells, clean) in enumerate(person_rows(rows, unions), start=2):
        for c, (kind, value) in enumerate(cells):
            if kind == "str":
                if value:
                    ws.write_string(r, c, value)
            elif kind == "date":
                ws.write_datetime(r, c, value, date_format)
            else:
                ws.write_number(r, c, value)
        if len(peer) < peer_rows:
            peer.append(clean)
    book.close()
    return peer


# ---------------------------------------------------------------- peer


def run_peer(peer_rows: list, district):
    """django-import-export: a plain ModelResource for Member, the same people as a tablib Dataset."""
    import tablib
    from django.db import connection
    from import_export import fields, resources, widgets

    from unionwork.directory.models import Member, Union
    from unionwork.directory.selectors import with_id_number

    nodes = dict(Union.objects.values_list("pk", "node_id"))

    class MemberResource(resources.ModelResource):
        union = fields.Field(attribute="union", column_name="union", widget=widgets.ForeignKeyWidget(Union))

        class Meta:
            model = Member
            import_id_fields = ["id_number"]
            fields = ("name", "id_number", "gender", "birth_date", "phone", "union", "node", "joined_on",
                      "is_migrant")

        def get_instance(self, instance_loader, row):
            # 身份证号 is encrypted: the one change the natural key needs, found by its keyed hash.
            return with_id_number(Member.objects, row["id_number"]).first()

    headers = ["name", "id_number", "gender", "birth_date", "phone", "union", "node", "joined_on", "is_migrant"]
    data = tablib.Dataset(headers=headers)
    for p in peer_rows:
        data.append([p["name"], p["id_number"], p["gender"], p["birth_date"].isoformat(), p["phone"], p["union"],
                     nodes[p["union"]], p["joined_on"].isoformat(), "1" if p["is_migrant"] else "0"])
    assert Member.objects.count() == 0
    t0 = time.perf_counter()
    result = MemberResource().import_data(data, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - t0
    landed = Member.objects.count()
    assert not result.has_errors() and landed == len(peer_rows), (landed, len(peer_rows))
    with connection.cursor() as cursor:  # empty again for the import
        cursor.execute(f"DELETE FROM {Member._meta.db_table}")
    return seconds, landed


# ---------------------------------------------------------------- limit


def run_limit(path: Path, workdir: Path):
    """Read every row with python-calamine and executemany them into a scratch table: the floor.

    SQLite: a scratch database file beside the real one, opened as Django opens it (WAL, synchronous
    NORMAL), so that the import's database is not left with the free pages of a dropped table.
    Another database: a scratch table in it, dropped afterwards.
    """
    import sqlite3

    from django.db import connection
    from python_calamine import CalamineWorkbook

    width = len(HEADERS)
    cols = ", ".join(f"c{i}" for i in range(width))
    create = f"CREATE TABLE bench_limit (id INTEGER PRIMARY KEY, {', '.join(f'c{i} TEXT' for i in range(width))})"
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(workdir / "var" / "limit.sqlite3", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute(create)
        placeholder = "?"
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_limit")
            cursor.execute(create)
        connection.ensure_connection()
        raw = connection.connection  # the driver's own connection: no Django in the way
        placeholder = "%s"
    t0 = time.perf_counter()
    cur = raw.cursor()
    cur.execute("BEGIN")
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).iter_rows()
    next(rows), next(rows)  # title and header
    cur.executemany(f"INSERT INTO bench_limit ({cols}) VALUES ({', '.join([placeholder] * width)})",
                    (row if len(row) == width else (row + [""] * width)[:width] for row in rows))
    cur.execute("COMMIT")
    seconds = time.perf_counter() - t0
    cur.execute("SELECT COUNT(*) FROM bench_limit")
    count = cur.fetchone()[0]
    cur.execute("DROP TABLE bench_limit")
    cur.close()
    if connection.vendor == "sqlite":
        raw.close()
    return seconds, count


# ---------------------------------------------------------------- the import (child process)


def phase_import(args):
    # Started before the parent grew (see main): wait for its word that the database and sheet are ready.
    if sys.stdin.readline().strip() != "go":
        return
    setup_django(Path(args.workdir), args.database_url)
    from unionwork.core.models import ChangeLog
    from unionwork.directory.models import Member, Membership
    from unionwork.ledgers import services
    from unionwork.org.models import Node

    district = Node.objects.get(kind="district")
    assert Member.objects.count() == 0
    t0 = time.perf_counter()
    job = services.create_job(None, node=district, kind="members", source=args.file, file_name=Path(args.file).name)
    job = services.run_job(job, commit=True)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    members, stays = Member.objects.count(), Membership.objects.count()
    logs = ChangeLog.objects.filter(source=f"import:{job.pk}", action="create").count()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "status": job.status, "created": job.created,
                      "rejected": job.rejected, "problems": job.problems[:5], "members": members,
                      "memberships": stays, "changelogs": logs}, ensure_ascii=False))


# ---------------------------------------------------------------- required (child process)


def phase_required(args):
    """The writes any importer of this data model must make for the sheet, with no checking (see 5.)."""
    import gc
    import queue
    import threading

    setup_django(Path(args.workdir), args.database_url)
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from unionwork.core import crypto
    from unionwork.core.text import pinyin_keys
    from unionwork.directory import name_grams
    from unionwork.directory.models import Enterprise, Member, Union
    from unionwork.ledgers.cleaning import compact
    from unionwork.ledgers.columns import columns_for
    from unionwork.ledgers.readers import read_sheets

    assert connection.vendor == "sqlite" and Member.objects.count() == 0
    unions = {(compact(name), compact(community)): (pk, node) for pk, name, node, community
              in Union.objects.values_list("pk", "name", "node_id", "node__parent__name")}
    employers = dict(Enterprise.objects.values_list("uscc", "pk"))
    content_type = ContentType.objects.get_for_model(Member).pk
    parsers = {c.key: c.parse for c in columns_for("members")}
    columns = ("name", "name_pinyin", "name_initials", "gender", "ethnicity", "id_number", "birth_date", "phone",
               "education", "political_status", "enterprise_id", "union_id", "node_id", "joined_on",
               "membership_status", "work_status", "is_migrant", "skills", "honours", "note", "created_at",
               "updated_at", "id_number_hash")
    one = f"({', '.join(['?'] * len(columns))})"
    head = f"INSERT INTO directory_member ({', '.join(columns)}) VALUES "
    now = datetime.datetime.now(datetime.UTC).isoformat(" ")
    encrypt, lookup_hash = crypto.encrypt, crypto.lookup_hash
    pinyin, memos = {}, {}

    def derived(key, cell):  # coded and date cells: each distinct one parsed once
        memo = memos.setdefault(key, {})
        if cell not in memo:
            memo[cell] = parsers[key](cell)
        return memo[cell]

    failed = []

    def insert(params, cursor):
        """A chunk's members (ids above the highest: the transaction holds the write lock), then their
        memberships and history rows read back from the id range, as the importer writes them."""
        cursor.execute("SELECT coalesce(max(id), 0) FROM directory_member")
        first = cursor.fetchone()[0] + 1
        for start in range(0, len(params), 2000):
            part = params[start:start + 2000]
            cursor.execute(head + ", ".join([one] * len(part)), [v for p in part for v in p])
        last = first + len(params) - 1
        cursor.execute("INSERT INTO directory_membership (member_id, union_id, started_on, start_event, end_event, "
                       "note, created_at) SELECT id, union_id, joined_on, 'join', '', '', ? FROM directory_member "
                       "WHERE id BETWEEN ? AND ? ORDER BY id", [now, first, last])
        cursor.execute("INSERT INTO core_changelog (content_type_id, object_id, object_repr, action, changes, message, "
                       "user_id, source, created_at) SELECT ?, id, name, 'create', '{}', '导入新建', NULL, 'import:0', ? "
                       "FROM directory_member WHERE id BETWEEN ? AND ? ORDER BY id", [content_type, now, first, last])

    def write(chunks, cursor):
        while (params := chunks.get()) is not None:
            if not failed:  # after a failure the queue is only drained, so that the reading side never blocks
                try:
                    insert(params, cursor)
                except Exception as exc:  # noqa: BLE001 - raised again by the reading side
                    failed.append(exc)

    gc.disable()  # as the importer does
    t0, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -32768")
        name_grams.sqlite_pause_inserts(cursor)
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
                       "('directory_member', 'directory_membernamegram') AND sql NOT LIKE 'CREATE UNIQUE%'")
        dropped = cursor.fetchall()
        for name, _sql in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        chunks = queue.Queue(maxsize=1)
        writer = threading.Thread(target=write, args=(chunks, connection.connection.cursor()))
        writer.start()
        try:
            for sheet in read_sheets(args.file, "members"):
                at = {key: index for index, key in sheet.columns.items()}
                width = max(at.values()) + 1
                (i_name, i_id, i_phone, i_union, i_community, i_joined, i_ethnicity, i_education, i_political,
                 i_uscc, i_migrant) = (at[k] for k in ("name", "id_number", "phone", "union", "community", "joined_on",
                                                       "ethnicity", "education", "political_status",
                                                       "enterprise_uscc", "is_migrant"))
                params = []
                for _number, cells in sheet.rows:
                    if len(cells) < width:
                        cells = cells + [None] * (width - len(cells))
                    name, number = compact(cells[i_name]), compact(cells[i_id]).upper()
                    keys = pinyin.get(name) or pinyin.setdefault(name, pinyin_keys(name))
                    union, node = unions[(compact(cells[i_union]), compact(cells[i_community]))]
                    joined = derived("joined_on", cells[i_joined])
                    params.append([
                        name, keys[0], keys[1], "M" if number[16] in "13579" else "F",
                        derived("ethnicity", cells[i_ethnicity]) or "汉族", encrypt(number),
                        f"{number[6:10]}-{number[10:12]}-{number[12:14]}", encrypt(compact(cells[i_phone])),
                        derived("education", cells[i_education]) or "",
                        derived("political_status", cells[i_political]) or "",
                        employers.get(compact(cells[i_uscc])), union, node, joined.isoformat() if joined else now[:10],
                        "active", "employed", bool(derived("is_migrant", cells[i_migrant])), "", "", "", now, now,
                        lookup_hash(number)])
                    if len(params) == 5000:
                        chunks.put(params)
                        params = []
                if params:
                    chunks.put(params)
        finally:
            chunks.put(None)
            writer.join()
        if failed:
            raise failed[0]
        name_grams.sqlite_resume_inserts(cursor, 0)
        cursor.execute(f"PRAGMA threads = {os.cpu_count() or 1}")
        cursor.execute("PRAGMA cache_size = -1024")
        for _name, sql in dropped:
            cursor.execute(sql)
    seconds, cpu1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime  # every thread of this process
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "members": Member.objects.count()}))


def run_required(workdir: Path, sheet: Path):
    """phase_required in a child, on a copy of the seeded database (SQLite's backup API)."""
    import sqlite3

    from django.db import connection

    source = Path(connection.settings_dict["NAME"])
    copy = workdir / "var" / "required.sqlite3"
    connection.close()
    src, dst = sqlite3.connect(source), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", "required", "--workdir", str(workdir),
         "--file", str(sheet), "--database-url", f"sqlite:///{copy}"],
        capture_output=True, text=True, env=os.environ.copy())
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"required writes failed ({done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    copy.unlink()
    return result["seconds"], result["cpu_s"], result["members"]


# ---------------------------------------------------------------- export


def run_export(district, expected: int):
    from django.test import Client

    from unionwork.accounts.choices import Role
    from unionwork.accounts.models import User

    user = User.objects.create_user("bench", password="bench-password-1", node=district, role=Role.DISTRICT_ADMIN)
    client = Client()
    client.force_login(user)
    t0 = time.perf_counter()
    response = client.get("/directory/members/", {"export": "xlsx"})
    size = 0
    for block in response.streaming_content if response.streaming else [response.content]:
        size += len(block)
    seconds = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    return seconds, size


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--peer-rows", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=2000, help="size of the seeded district")
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in the temp dir)")
    parser.add_argument("--export", action="store_true", help="also time the export (always at 200,000 rows)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--phase", choices=["all", "import", "required"], default="all", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "import":
        return phase_import(args)
    if args.phase == "required":
        return phase_required(args)

    workdir = Path(tempfile.mkdtemp(prefix="uw-bench-"))
    sheet = workdir / f"会员名册-{args.rows}.xlsx"
    # The import runs in a child started now, while this process is still small: Linux counts in a
    # process's ru_maxrss the memory of the process it was forked from, as it was at the fork, and by
    # the time of the import this one holds the whole sheet read by python-calamine (the limit).
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--phase", "import", "--workdir", str(workdir),
         "--file", str(sheet)] + (["--database-url", args.database_url] if args.database_url else []),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        setup_django(workdir, args.database_url)
        district, unions = seed(args.enterprises)
        t0 = time.perf_counter()
        peer_data = write_sheet(sheet, args.rows, unions, args.peer_rows)
        print(f"sheet: {args.rows} rows, {sheet.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)

        peer_s, peer_n = run_peer(peer_data, district)
        del peer_data
        print(f"peer: {peer_n} rows in {peer_s:.2f} s", file=sys.stderr)

        limit_s, limit_n = run_limit(sheet, workdir)
        assert limit_n == args.rows, (limit_n, args.rows)
        print(f"limit: {limit_n} rows in {limit_s:.2f} s", file=sys.stderr)

        from django.db import connection

        required_s = required_cpu = None
        if connection.vendor == "sqlite":
            required_s, required_cpu, required_n = run_required(workdir, sheet)
            assert required_n == args.rows, (required_n, args.rows)
            print(f"required: {required_n} rows in {required_s:.2f} s, {required_cpu:.2f} s of CPU", file=sys.stderr)

        connection.close()  # the child writes to the same database
        stdout, stderr = child.communicate("go\n")
        if child.returncode:
            sys.stderr.write(stderr)
            raise SystemExit(f"import failed ({child.returncode})")
        result = json.loads(stdout.strip().splitlines()[-1])
        if not (result["status"] == "done" and result["created"] == result["members"] == result["memberships"]
                == result["changelogs"] == args.rows):
            raise SystemExit(f"import incomplete: {json.dumps(result, ensure_ascii=False)}")
        seconds = result["seconds"]
        print(f"import: {args.rows} rows in {seconds:.2f} s", file=sys.stderr)

        out = {
            "rows": args.rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(args.rows / seconds),
            "limit_s": round(limit_s, 2),
            "ratio_to_limit": round(seconds / limit_s, 2),
            "required_s": required_s and round(required_s, 2),
            "required_ratio": required_s and round(required_s / limit_s, 2),
            "required_cpu_s": required_cpu and round(required_cpu, 2),
            # The least ratio_to_limit even with every core busy all the time on the required work alone.
            "required_ratio_all_cores": required_cpu and round(required_cpu / (os.cpu_count() or 1) / limit_s, 2),
            "peer_s": round(peer_s, 2),
            "peer_rows_per_s": round(peer_n / peer_s),
            "speedup_vs_peer": round((args.rows / seconds) / (peer_n / peer_s), 1),
            "peak_rss_mb": round(result["peak_rss_mb"]),
        }
        if args.rows == 200_000 or args.export:
            export_s, size = run_export(district, args.rows)
            print(f"export: {args.rows} members, {size / 1e6:.1f} MB in {export_s:.2f} s", file=sys.stderr)
            out["export_200k_s" if args.rows == 200_000 else "export_s"] = round(export_s, 2)
        print(json.dumps(out))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
