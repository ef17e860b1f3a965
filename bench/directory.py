"""Server time of the directory's member lists at district size (名录库基准).

    .venv/bin/python bench/directory.py [--enterprises 20000 --members 200000 --repeat 50] [--fresh]

Builds (or reuses) a scratch SQLite database under var/bench/ with the shared generator
(seed_demo), then times requests in-process with Django's test Client as a street cadre
(jd_ganbu) and as the district admin (qu_admin):

  member_list       /directory/members/?membership_status=active&gender=F&node=<area>&page=N
  member_search     /directory/members/?q=<pinyin prefix | initials | 姓名>
  api_members       /api/v1/members?page=N   (N ≤ 40)
  api_members_deep  /api/v1/members?page=N   (N anywhere in the list: OFFSET up to the whole scope)
  api_members_after /api/v1/members?after=<id>   (the same walk through the whole list by id: a seek)

Each request's parameters vary (a fixed random sequence). The time is the whole server side
(middleware, session, scope, filters, queries, template or JSON), not the network.
Prints exactly one JSON line on stdout (progress goes to stderr); exit code 1 if a request fails
or a check does not hold. var/unionwork.sqlite3 is never touched.
"""

import argparse
import datetime
import io
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=20000)
    p.add_argument("--members", type=int, default=200000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=50, help="timed requests per case and user")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per case and user first")
    p.add_argument("--dir", default=str(ROOT / "var" / "bench"), help="where the scratch database lives")
    p.add_argument("--fresh", action="store_true", help="rebuild the database even if one of the right size exists")
    p.add_argument("--slowest", type=int, default=0, help="print each case's N slowest requests to stderr")
    p.add_argument("--explain", action="store_true",
                   help="print each case's queries with EXPLAIN QUERY PLAN to stderr (one request each)")
    return p.parse_args()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def setup_django(args):
    bench_dir = Path(args.dir).resolve()
    bench_dir.mkdir(parents=True, exist_ok=True)
    db_path = bench_dir / f"directory-e{args.enterprises}-m{args.members}-s{args.seed}.sqlite3"
    if db_path.resolve() == (ROOT / "var" / "unionwork.sqlite3").resolve():
        sys.exit("refusing to use var/unionwork.sqlite3")
    # Before django.setup(): settings read these once.
    os.environ["UNIONWORK_VAR"] = str(bench_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DEBUG"] = "false"  # as served: no query log, no debug pages
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return db_path


def database_ready(args):
    from django.db import DatabaseError

    from unionwork.accounts.models import User
    from unionwork.directory.models import Enterprise, Member

    try:
        return (Member.objects.count() == args.members and Enterprise.objects.count() == args.enterprises
                and User.objects.filter(username__in=["jd_ganbu", "qu_admin"]).count() == 2)
    except DatabaseError:
        return False


def prepare_database(args, db_path):
    """Migrate; seed unless a database of this size and seed is there already. Returns seed seconds or None."""
    from django.core.management import call_command
    from django.db import connections

    if db_path.exists() and not args.fresh:
        call_command("migrate", verbosity=0, interactive=False)
        if database_ready(args):
            log(f"reusing {db_path}")
            return None
    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    log(f"building {db_path} ({args.enterprises} enterprises, {args.members} members)…")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_demo", enterprises=args.enterprises, members=args.members, seed=args.seed, quiet=True,
                 stdout=io.StringIO())
    seconds = time.perf_counter() - started
    log(f"seeded in {seconds:.1f} s")
    return round(seconds, 1)


def sizes():
    from unionwork.directory.models import Enterprise, Member, Membership, Union
    from unionwork.org.models import Node

    return {"nodes": Node.objects.count(), "enterprises": Enterprise.objects.count(), "unions": Union.objects.count(),
            "members": Member.objects.count(), "memberships": Membership.objects.count()}


def build_cases(user, rng, repeat, warmup):
    """(case name, [urls]) with varying parameters; the same for a given user and seed."""
    from unionwork.core.scope import scoped
    from unionwork.directory.models import Member
    from unionwork.org.models import Node

    n = repeat + warmup
    areas = list(scoped(user, Node).filter(kind__in=["street", "community"]).order_by("path")
                 .values_list("pk", "kind", "parent_id"))
    streets = [pk for pk, kind, _ in areas if kind == "street"]
    communities = [pk for pk, kind, _ in areas if kind == "community"]
    in_scope = scoped(user, Member).filter(archived_at__isnull=True)
    total = in_scope.count()

    member_list = []
    for i in range(n):
        node = rng.choice(streets) if i % 2 == 0 or not communities else rng.choice(communities)
        params = {"membership_status": "active", "gender": rng.choice("FM"), "node": node}
        if i % 3 == 1:
            params["work_status"] = "employed"
        if i % 4 == 3:
            params["ordering"] = rng.choice(["joined", "-birth", "name"])
        params["page"] = rng.choice([1, 1, 2, 3, 5, 10, 40])
        member_list.append("/directory/members/?" + "&".join(f"{k}={v}" for k, v in params.items()))

    # Real names of the scope (full names and surname + given), pinyin prefixes and initials.
    names = list(in_scope.order_by("id").values_list("name", flat=True)[:: max(1, total // 500)][:500])
    pinyin = ["zhang", "wang", "li", "liu", "chen", "zhao", "huang", "zhou", "wu", "xu", "sun", "ma", "zhu", "hu",
              "guo", "he", "lin", "luo", "gao", "liang", "zhangwei", "wangfang", "liming", "chenjing", "sunli"]
    initials = ["zs", "wl", "lm", "zw", "cj", "wf", "lx", "hy", "zh", "ly", "xm", "sl", "gj", "mh", "zq"]
    member_search = []
    for i in range(n):
        kind = i % 3
        q = rng.choice(pinyin) if kind == 0 else rng.choice(initials) if kind == 1 else rng.choice(names)
        member_search.append(f"/directory/members/?q={q}")

    # Pages a client reading the first part of a list asks for, and pages anywhere in the list
    # (a client walking all of it: OFFSET up to the whole scope).
    pages = max(1, math.ceil(total / 25))
    api_members = [f"/api/v1/members?page={rng.randint(1, min(40, pages))}" for _ in range(n)]
    api_members_deep = [f"/api/v1/members?page={rng.randint(1, pages)}" for _ in range(n)]
    ids = list(in_scope.order_by("id").values_list("id", flat=True)[:: max(1, total // 500)])
    api_members_after = [f"/api/v1/members?after={rng.choice(ids)}" for _ in range(n)]
    return total, [("member_list", member_list), ("member_search", member_search), ("api_members", api_members),
                   ("api_members_deep", api_members_deep), ("api_members_after", api_members_after)]


def expected_rows(user, url):
    """Rows the request should find, computed apart from the view: the same selector and filter."""
    from urllib.parse import urlsplit

    from django.http import QueryDict
    from django.test import RequestFactory

    from unionwork.directory import selectors
    from unionwork.directory.filters import MemberFilter

    request = RequestFactory().get(url)
    request.user = user
    params = QueryDict(urlsplit(url).query)
    fs = MemberFilter(params, queryset=selectors.members_for(user), request=request)
    return fs.qs.count() if fs.is_valid() else 0


def explain(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    log(f"\n== {url}: {len(ctx.captured_queries)} queries")
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            sql = q["sql"]
            log(f"-- {q['time']} s: {sql[:600]}")
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                for row in cursor.fetchall():
                    log(f"     {row[-1]}")


def pct(sorted_ms, p):
    """Nearest-rank percentile."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def run_case(client, user, name, urls, warmup, do_explain, slowest=0):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:warmup]:
        client.get(url)
    if do_explain:
        explain(client, urls[warmup])
    with CaptureQueriesContext(connection) as ctx:
        client.get(urls[warmup])
    queries = len(ctx.captured_queries)
    times, cpu, rows, failures, timed, seen_unions = [], [], [], [], [], set()
    for url in urls[warmup:]:
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        timed.append((times[-1], url))
        if response.status_code != 200:
            failures.append(f"{url}: HTTP {response.status_code}")
            continue
        if name.startswith("api_"):
            body = response.json()
            count = body["count"] if body["count"] is not None else len(body["results"])  # ?after= pages: no count
            seen_unions.update(r["union_id"] for r in body["results"])
        else:
            count = expected_rows(user, url)
            body = response.content.decode()
            if f"共 {count} 条" not in body:
                failures.append(f"{url}: page does not show 共 {count} 条")
        rows.append(count)
    if seen_unions:  # every row the API returned lies in the user's subtree
        from unionwork.core.scope import scope_path
        from unionwork.directory.models import Union

        path = scope_path(user)
        outside = Union.objects.filter(pk__in=seen_unions).exclude(node__path__startswith=path).count()
        if outside:
            failures.append(f"{user.username} {name}: rows of {outside} unions outside {path}")
    for ms, url in sorted(timed, reverse=True)[:slowest]:
        log(f"  {ms:7.1f} ms  {url}")
    times.sort()
    cpu.sort()
    return {
        "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
        "max_ms": round(times[-1], 1), "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(pct(cpu, 95), 1), "n": len(times), "queries": queries,
        "rows": {"min": min(rows, default=0), "median": int(statistics.median(rows)) if rows else 0,
                 "max": max(rows, default=0)},
    }, failures


def main():
    args = parse_args()
    db_path = setup_django(args)
    seed_seconds = prepare_database(args, db_path)

    import django
    from django.conf import settings
    from django.test import Client

    from unionwork.accounts.models import User
    from unionwork.core.scope import scope_path
    from unionwork.directory.models import Member

    load_before = os.getloadavg()[0]
    data = sizes()
    rng = random.Random(args.seed)
    cases, scope, failures = {}, {}, []
    for username in ("jd_ganbu", "qu_admin"):
        user = User.objects.select_related("node").get(username=username)
        total, case_urls = build_cases(user, rng, args.repeat, args.warmup)
        # The scope must be the user's subtree, no more, no less.
        path = scope_path(user)
        below = Member.objects.filter(node__path__startswith=path, archived_at__isnull=True).count()
        if below != total:
            failures.append(f"{username}: scope has {total} members, the subtree {below}")
        scope[username] = {"node": user.node.name, "members_in_scope": total}
        client = Client()
        client.force_login(user)
        for name, urls in case_urls:
            log(f"{username} {name}…")
            result, bad = run_case(client, user, name, urls, args.warmup, args.explain, args.slowest)
            if name == "api_members_after":  # pages read by id carry no count: each is a full page or the end
                if result["rows"]["max"] != 25:
                    bad.append(f"{username} {name}: pages of at most {result['rows']['max']} rows, not 25")
            elif name.startswith("api_") and result["rows"]["max"] != total:
                bad.append(f"{username} api count {result['rows']['max']} != members in scope {total}")
            cases[f"{username}.{name}"] = result
            failures += bad

    slow = [k for k, v in cases.items() if v["p95_ms"] > TARGET_P95_MS]
    out = {
        "bench": "directory", "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "django": django.get_version(),
                    "sqlite": __import__("sqlite3").sqlite_version, "debug": settings.DEBUG,
                    # Other work on the machine inflates wall times: the 1-minute load before and after.
                    "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)]},
        "seed": args.seed, "sizes": data, "scope": scope, "seed_demo_s": seed_seconds,
        "repeat": args.repeat, "target_p95_ms": TARGET_P95_MS, "cases": cases,
        "slow": slow, "failures": failures[:20], "ok": not failures and not slow,
    }
    print(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
