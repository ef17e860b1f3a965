"""Server time of the indicator dashboards and computations at district size (指标基准).

    .venv/bin/python bench/indicators.py [--enterprises 20000 --members 200000 --repeat 20] [--fresh]

Builds (or reuses) a scratch SQLite database under var/bench/ with the shared generator (seed_demo: the
directory and proportionate records of every kind), then measures in-process:

  dashboard_district / _street / _community   GET /plans/ as qu_admin / jd_ganbu / sq_ganbu (p50, p95)
  all_indicators_all_nodes_s                  every indicator for every node of the district, once
  freeze_assessment_s                         scoring and freezing the district plan's assessment of its streets

Prints exactly one JSON line on stdout; progress on stderr. var/unionwork.sqlite3 is never touched.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=20000)
    p.add_argument("--members", type=int, default=200000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--fresh", action="store_true")
    args = p.parse_args()

    folder = ROOT / "var" / "bench" / f"full-e{args.enterprises}-m{args.members}-s{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["UNIONWORK_VAR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from unionwork.accounts.models import User
    from unionwork.directory.models import Member
    from unionwork.org.models import Node
    from unionwork.plans import indicators as ind
    from unionwork.plans import services

    db = folder / "unionwork.sqlite3"
    if args.fresh and db.exists():
        db.unlink()
    call_command("migrate", verbosity=0)
    if not Node.objects.exists():
        log(f"seeding {args.enterprises} enterprises, {args.members} members and their records …")
        t = time.perf_counter()
        call_command("seed_demo", enterprises=args.enterprises, members=args.members, seed=args.seed, quiet=True,
                     stdout=open(os.devnull, "w"))
        log(f"  seeded in {time.perf_counter() - t:.1f} s")
    members = Member.objects.count()

    def timed_get(client, url):
        t = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, (url, r.status_code)
        return ms

    result = {"bench": "indicators", "machine": f"{platform.machine()} {os.cpu_count()} cores",
              "enterprises": args.enterprises, "members": members, "repeat": args.repeat}
    year = timezone.localdate().year
    for label, username in (("district", "qu_admin"), ("street", "jd_ganbu"), ("community", "sq_ganbu")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = f"/plans/?year={year}"
        timed_get(client, url)  # warm the process (templates, first connection)
        times = sorted(timed_get(client, url) for _ in range(args.repeat))
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        result[f"dashboard_{label}_p50_ms"] = round(statistics.median(times), 1)
        result[f"dashboard_{label}_p95_ms"] = round(times[max(0, int(len(times) * 0.95) - 1)], 1)
        result[f"dashboard_{label}_queries"] = len(q)
        log(f"  dashboard {label}: p50 {result[f'dashboard_{label}_p50_ms']} ms, "
            f"p95 {result[f'dashboard_{label}_p95_ms']} ms, {len(q)} queries")

    # Cold: the first dashboard after a record changed recomputes the figures of the whole tree.
    from unionwork.directory import services as directory_services
    from unionwork.directory.models import Enterprise

    admin_client = Client()
    admin_client.force_login(User.objects.get(username="qu_admin"))
    cold = []
    for i in range(3):
        ent = Enterprise.objects.order_by("pk")[i]
        directory_services.update_enterprise(User.objects.get(username="qu_admin"), ent, {"note": f"bench {time.time()}"})
        cold.append(timed_get(admin_client, f"/plans/?year={year}"))
    result["dashboard_district_cold_after_write_ms"] = round(statistics.median(cold), 1)
    log(f"  dashboard district, first request after a write: {result['dashboard_district_cold_after_write_ms']} ms")

    district = Node.objects.get(parent__isnull=True)
    period = ind.Period.year(year, until=timezone.localdate())
    t = time.perf_counter()
    figures = ind.compute(district, period)
    result["all_indicators_all_nodes_s"] = round(time.perf_counter() - t, 3)
    result["nodes"] = len(figures)
    result["indicators"] = len(ind.REGISTRY)

    admin = User.objects.get(username="qu_admin")
    from unionwork.plans.models import Plan

    plan = Plan.objects.filter(node=district, year=year).first() or services.create_plan(admin, district, year, False)
    t = time.perf_counter()
    services.run_assessment(admin, plan)
    result["freeze_assessment_s"] = round(time.perf_counter() - t, 3)
    result["targets"] = {"dashboard_p95_ms": 150, "all_indicators_all_nodes_s": 5}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
