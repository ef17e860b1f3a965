"""Seconds to write the documents at district size (文书基准).

    .venv/bin/python bench/documents.py [--enterprises 20000 --members 200000]

Reuses (or builds) the same scratch database as bench/indicators.py under var/bench/ and times, in-process:
the summary (工作总结, Word) of the district, of a street and of a community, next year's plan of the district,
the statistics workbook of the district and its data check. Prints exactly one JSON line.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--enterprises", type=int, default=20000)
    p.add_argument("--members", type=int, default=200000)
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args()
    folder = ROOT / "var" / "bench" / f"full-e{args.enterprises}-m{args.members}-s{args.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["UNIONWORK_VAR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from unionwork.documents import checks, docx, plan_doc, statistics, summary
    from unionwork.org.models import Node
    from unionwork.plans.indicators import Period

    call_command("migrate", verbosity=0)
    if not Node.objects.exists():
        print("seeding …", file=sys.stderr)
        call_command("seed_demo", enterprises=args.enterprises, members=args.members, seed=args.seed, quiet=True,
                     stdout=open(os.devnull, "w"))
    year = timezone.localdate().year
    period = Period.year(year, until=timezone.localdate())
    district = Node.objects.get(parent__isnull=True)
    street = Node.objects.filter(kind="street").order_by("code").first()
    community = Node.objects.filter(kind="community").order_by("code").first()

    def timed(fn):
        t = time.perf_counter()
        fn()
        return round(time.perf_counter() - t, 3)

    result = {"bench": "documents", "machine": f"{platform.machine()} {os.cpu_count()} cores",
              "nodes": Node.objects.count()}
    for label, node in (("district", district), ("street", street), ("community", community)):
        result[f"summary_{label}_s"] = timed(lambda n=node: docx.write(summary.build(n, period)))
    result["plan_district_s"] = timed(lambda: docx.write(plan_doc.build(district, year + 1)))
    result["statistics_district_s"] = timed(lambda: statistics.workbook(district,
                                                                        statistics.StatPeriod.survey_year(year)))
    result["data_check_district_s"] = timed(lambda: checks.run(district))
    result["targets"] = {"summary_street_s": 3, "statistics_district_s": 10}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
