"""The production server under load at district size, and a worker killed under load (负载基准).

    .venv/bin/python bench/load.py [--seconds 60 --users 50] [--workers 5 --worker-class sync --threads 1]
                                   [--kill-seconds 20] [--imports 2] [--keep]

1. Reuses (or builds, with bench/directory.py's machinery) the district-size database under var/bench/
   (20,000 enterprises, 200,000 members, records of every kind) and takes a COPY of it (SQLite backup API)
   into a scratch folder var/bench/load-<time>/; var/unionwork.sqlite3 and the cached database are never written.
2. Creates 50 cadres in the copy (5 district, 15 street, 30 community, spread over the tree), starts
   scripts/serve-production (migrate, collectstatic, gunicorn + the task worker) on 127.0.0.1 on a free port,
   and logs the cadres in through the login page, all at once.
3. Load for --seconds with wrk (Debian package; installed with apt-get when missing): 50 connections, each
   request as one of the 50 cadres in turn, a fixed mix of list pages, filters, search, detail pages, the
   dashboard, the API and writes (登记活动 through the form POST). Beside it, this script imports small member
   sheets through the import pages (upload → check → confirm, by the task worker) and polls the job page.
4. The kill test: load again for --kill-seconds; in the middle one gunicorn worker gets kill -9.
   Every write answered with a redirect to the new record (success) must be in the database afterwards:
   lost_writes = successful writes (both phases) whose record is not there. kill.errors are the failed
   requests of that phase (socket errors and non-2xx/3xx answers); phase 1 shows the same load without a kill.

Prints exactly one JSON line on stdout (progress on stderr); exit code 1 when a check fails. Needs about
2–3 minutes. Server-side times per page kind come from the gunicorn access log (%(D)s).

Environment the benchmark relies on (it serves plain http on 127.0.0.1, as behind an HTTPS proxy):
DJANGO_ENV=production, SECRET_KEY (a random one per run), SECURE_SSL_REDIRECT=false, HSTS_SECONDS=0,
ALLOWED_HOSTS=127.0.0.1. Cookies marked Secure are sent anyway: the client sets its Cookie header itself.
"""

import argparse
import collections
import datetime
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE_PREFIX = "负载测试活动"
TARGETS = {"errors": 0, "p95_ms": 300, "requests_per_s": 200, "lost_writes": 0}

# Share of each request kind in the mix (per 100 requests).
MIX = {"home": 4, "dashboard": 6, "member_list": 14, "member_search": 12, "enterprise_list": 8, "union_list": 5,
       "member_detail": 14, "enterprise_detail": 10, "union_detail": 5, "activity_list": 6, "activity_detail": 3,
       "api_members": 5, "write": 8}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--enterprises", type=int, default=20000)
    p.add_argument("--members", type=int, default=200000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--seconds", type=int, default=60, help="length of the load phase")
    p.add_argument("--kill-seconds", type=int, default=20, help="length of the kill phase (0: no kill test)")
    p.add_argument("--users", type=int, default=50, help="cadres logged in, and wrk connections")
    p.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the script's)")
    p.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    p.add_argument("--imports", type=int, default=2, help="member sheets imported through the pages during the load")
    p.add_argument("--import-rows", type=int, default=30)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--skip", default="", help="request kinds left out of the mix, comma-separated (e.g. dashboard)")
    p.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    p.add_argument("--keep", action="store_true", help="keep the scratch folder (copy, logs, wrk script)")
    return p.parse_args()


# ---------------------------------------------------------------- database: the cached source and its copy

def source_database(args):
    """The district database of bench/directory.py, built by its own code when missing or of another size."""
    path = Path(args.dir).resolve() / f"directory-e{args.enterprises}-m{args.members}-s{args.seed}.sqlite3"

    def ready():
        if not path.exists():
            return False
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                members = con.execute("select count(*) from directory_member").fetchone()[0]
                enterprises = con.execute("select count(*) from directory_enterprise").fetchone()[0]
                activities = con.execute("select count(*) from activities_activity").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            return False
        return members >= args.members and enterprises == args.enterprises and activities > 0

    if not ready():
        log(f"building {path} with bench/directory.py's machinery (seed_demo; takes minutes)…")
        code = ("import sys; sys.path.insert(0, 'bench'); import directory as d; "
                "a = d.parse_args(); d.prepare_database(a, d.setup_django(a))")
        subprocess.run([sys.executable, "-c", code, "--enterprises", str(args.enterprises), "--members",
                        str(args.members), "--seed", str(args.seed), "--dir", args.dir], cwd=ROOT, check=True)
    return path


def copy_database(source, folder):
    target = folder / "unionwork.sqlite3"
    keys = Path(source).parent / "data_keys.json"  # the copy's personal data reads with the source's keys
    if keys.exists():
        shutil.copy2(keys, folder / "data_keys.json")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    dst.close()
    src.close()
    return target


def setup_django(folder, db):
    # Before django.setup(): settings read these once. The same values go to the server.
    os.environ["UNIONWORK_VAR"] = str(folder)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionwork.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


PASSWORD = "Fuzai-2026-ceshi!"


def create_cadres(n):
    """n cadres spread over the tree: 10 % district, 30 % street, the rest community. Returns their usernames."""
    from django.contrib.auth.hashers import make_password

    from unionwork.accounts.choices import Role
    from unionwork.accounts.models import User
    from unionwork.org.models import Node

    district = Node.objects.filter(kind="district").order_by("path").first()
    streets = list(Node.objects.filter(kind="street").order_by("path"))
    communities = list(Node.objects.filter(kind="community").order_by("path"))
    n_district = max(1, n // 10)
    n_street = max(1, n * 3 // 10)
    plan = ([(Role.DISTRICT_ADMIN, district)] * n_district
            + [(Role.STREET_CADRE, streets[i % len(streets)]) for i in range(n_street)]
            + [(Role.COMMUNITY_CADRE, communities[(i * 7) % len(communities)]) for i in range(n - n_district - n_street)])
    hashed = make_password(PASSWORD)  # one hash for all: Argon2 is slow on purpose
    extra = {"must_change_password": False} if hasattr(User, "must_change_password") else {}
    names = []
    for i, (role, node) in enumerate(plan):
        username = f"load{i:02d}"
        User.objects.update_or_create(username=username, defaults={
            "password": hashed, "role": role, "node": node, "display_name": f"负载{i:02d}", "is_active": True,
            **extra})
        names.append(username)
    return names


def user_urls(user, rng):
    """Paths each request kind picks from, all inside the user's scope."""
    from unionwork.activities.models import Activity
    from unionwork.core.scope import scoped
    from unionwork.directory.models import Enterprise, Member, Union
    from unionwork.org.models import Node

    def sample(qs, k):
        ids = list(qs.order_by("id").values_list("id", flat=True)[:5000])
        return rng.sample(ids, min(k, len(ids)))

    q = urllib.parse.quote
    members = scoped(user, Member).filter(archived_at__isnull=True)
    areas = list(scoped(user, Node).filter(kind__in=["street", "community"]).values_list("pk", flat=True)) or [
        user.node_id]
    names = list(members.order_by("id").values_list("name", flat=True)[:4000:40])
    pinyin = ["zhang", "wang", "li", "liu", "chen", "zhao", "huang", "zhou", "wu", "xu", "sun", "ma", "zs", "wl", "lm"]
    unions = sample(scoped(user, Union), 50)
    enterprises = sample(scoped(user, Enterprise), 100)
    activities = sample(scoped(user, Activity), 50)
    out = {
        "home": ["/"],
        "dashboard": ["/plans/"],
        "member_list": [f"/directory/members/?membership_status=active&gender={rng.choice('FM')}"
                        f"&node={rng.choice(areas)}&page={rng.choice([1, 1, 2, 3, 5])}" for _ in range(30)],
        "member_search": [f"/directory/members/?q={q(s)}" for s in rng.sample(names, min(20, len(names)))]
                         + [f"/directory/members/?q={s}" for s in pinyin],
        "enterprise_list": [f"/directory/enterprises/?page={p}" for p in (1, 2, 3)]
                           + [f"/directory/enterprises/?q={q(w)}" for w in ("科技", "商贸", "有限公司", "服务")],
        "union_list": [f"/directory/unions/?page={p}" for p in (1, 2)],
        "member_detail": [f"/directory/members/{pk}/" for pk in sample(members, 100)],
        "enterprise_detail": [f"/directory/enterprises/{pk}/" for pk in enterprises],
        "union_detail": [f"/directory/unions/{pk}/" for pk in unions],
        "activity_list": ["/activities/activities/", "/activities/activities/?page=2"],
        "activity_detail": [f"/activities/activities/{pk}/" for pk in activities] or ["/activities/activities/"],
        "api_members": [f"/api/v1/members?page={p}" for p in (1, 2, 3, 4, 5)],
    }
    return {k: v for k, v in out.items() if v}


def classify(path):
    """The request kind of a path (for the per-kind server times of the access log)."""
    path = path.split("?", 1)[0] if "?q=" not in path else path
    rules = [(r"^/directory/members/\?q=", "member_search"), (r"^/directory/members/\d+/", "member_detail"),
             (r"^/directory/members/", "member_list"), (r"^/directory/enterprises/\d+/", "enterprise_detail"),
             (r"^/directory/enterprises/", "enterprise_list"), (r"^/directory/unions/\d+/", "union_detail"),
             (r"^/directory/unions/", "union_list"), (r"^/activities/activities/new/", "write"),
             (r"^/activities/activities/\d+/", "activity_detail"), (r"^/activities/activities/", "activity_list"),
             (r"^/plans/", "dashboard"), (r"^/api/v1/members", "api_members"), (r"^/ledgers/", "import"),
             (r"^/login/", "login"), (r"^/static/", "static"), (r"^/$", "home")]
    for pattern, name in rules:
        if re.match(pattern, path):
            return name
    return "other"


# ---------------------------------------------------------------- a small HTTP client (login, imports)

class Http:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.port = port

    def request(self, method, path, cookies=None, body=None, headers=None, timeout=60):
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {"Host": f"127.0.0.1:{self.port}", "Origin": self.base, "Referer": self.base + path}
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            for value in r.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                if cookies is not None:
                    cookies[name.strip()] = rest.split(";", 1)[0]
            return r.status, r.getheader("Location"), data
        finally:
            conn.close()

    def login(self, username):
        cookies = {}
        status, _, body = self.request("GET", "/login/", cookies)
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not m:
            raise RuntimeError(f"login page: HTTP {status}")
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": m.group(1).decode()})
        status, location, body = self.request("POST", "/login/", cookies, form,
                                              {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"login of {username}: HTTP {status} {location}")
        # A page after login must be the app, not a password-change or second-factor step.
        status, location, _ = self.request("GET", "/directory/members/", cookies)
        if status != 200:
            raise RuntimeError(f"{username} after login: HTTP {status} → {location}")
        return cookies


def multipart(fields, file_field, file_name, data):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def member_sheet(rows, union_name, rng):
    from unionwork.core.validators import id_check_char

    lines = ["姓名,身份证号,性别,所在工会,入会日期"]
    for _ in range(rows):
        birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(9000))
        first17 = f"659001{birth:%Y%m%d}{rng.randrange(1000):03d}"  # a region code the demo data does not use
        number = first17 + id_check_char(first17)
        gender = "男" if int(first17[16]) % 2 else "女"
        name = rng.choice("赵钱孙李周吴郑王冯陈") + rng.choice(["建国", "秀英", "志强", "丽娟", "海燕", "文博", "子涵"])
        lines.append(f"{name},{number},{gender},{union_name},2026-03-01")
    return ("\n".join(lines) + "\n").encode("utf-8")


class Importer(threading.Thread):
    """Member sheets through the pages, one after another, while the load runs: upload, wait for the check
    (polling the job page as the browser does), confirm, wait for the import."""

    def __init__(self, http, cookies, user, count, rows, stop):
        super().__init__(daemon=True)
        self.http, self.cookies, self.user, self.count, self.rows, self.stop = http, cookies, user, count, rows, stop
        self.results, self.requests, self.errors, self.times = [], 0, [], []

    def call(self, method, path, body=None, headers=None):
        started = time.perf_counter()
        try:
            status, location, data = self.http.request(method, path, self.cookies, body, headers)
        except OSError as exc:
            self.errors.append(f"{method} {path}: {exc}")
            raise
        finally:
            self.requests += 1
            self.times.append((time.perf_counter() - started) * 1000)
        if status >= 400:
            self.errors.append(f"{method} {path}: HTTP {status}")
        return status, location, data

    def wait_for(self, pk, statuses, limit=120):
        from unionwork.ledgers.models import ImportJob

        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.call("GET", f"/ledgers/jobs/{pk}/", headers={"HX-Request": "true", "HX-Target": "job-status"})
            status = ImportJob.objects.get(pk=pk).status
            if status in statuses:
                return status
            time.sleep(1)
        return "timeout"

    def run(self):
        from unionwork.core.scope import scoped
        from unionwork.directory.models import Union

        rng = random.Random(7)
        union = scoped(self.user, Union).filter(node__path__startswith=self.user.node.path).order_by("id").first()
        csrf = self.cookies.get("csrftoken", "")
        for i in range(self.count):
            if self.stop.is_set():
                break
            started = time.perf_counter()
            try:
                body, ctype = multipart({"csrfmiddlewaretoken": csrf, "kind": "members", "node": self.user.node_id,
                                         "mode": "all-or-nothing"}, "file", f"负载测试会员{i + 1}.csv",
                                        member_sheet(self.rows, union.name, rng))
                status, location, _ = self.call("POST", "/ledgers/", body, {"Content-Type": ctype})
                m = re.search(r"/ledgers/jobs/(\d+)/", location or "")
                if status != 302 or not m:
                    self.errors.append(f"upload: HTTP {status}")
                    continue
                pk = int(m.group(1))
                checked = self.wait_for(pk, {"checked", "rejected", "failed"})
                if checked != "checked":
                    self.results.append({"job": pk, "status": checked})
                    continue
                form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "mode": "all-or-nothing"})
                self.call("POST", f"/ledgers/jobs/{pk}/confirm/", form,
                          {"Content-Type": "application/x-www-form-urlencoded"})
                done = self.wait_for(pk, {"done", "rejected", "failed"})
                self.results.append({"job": pk, "status": done, "seconds": round(time.perf_counter() - started, 1)})
            except OSError:
                continue


# ---------------------------------------------------------------- wrk

LUA = r"""
-- Generated by bench/load.py.
local users = %(users)s
local mix = %(mix)s
local out_path = %(out)s
local title_prefix = %(prefix)s
local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919 + 17)
  sent, writes_sent, writes_ok, writes_rejected = 0, 0, 0, 0
  ids, statuses = "", {}
end

function request()
  sent = sent + 1
  local u = users[math.random(#users)]
  local kind = mix[math.random(#mix)]
  local headers = {Cookie = u.cookie, Origin = u.origin}
  if kind == "write" or u.urls[kind] == nil then
    writes_sent = writes_sent + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = u.origin .. "/activities/activities/new/"
    local body = "csrfmiddlewaretoken=" .. u.csrf .. "&kind=study&starts_on=2026-05-0" .. math.random(1, 9)
      .. "&participants=" .. math.random(5, 80) .. "&person_times=" .. math.random(80, 200)
      .. "&node=" .. u.node .. "&title=" .. title_prefix .. "-" .. tid .. "-" .. sent
    return wrk.format("POST", "/activities/activities/new/", headers, body)
  end
  local list = u.urls[kind]
  return wrk.format("GET", list[math.random(#list)], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 302 then
    local loc = headers["Location"] or headers["location"] or ""
    local pk = string.match(loc, "^/activities/activities/(%%d+)/$")
    if pk then
      writes_ok = writes_ok + 1
      ids = ids .. pk .. ","
    end
  elseif status == 200 and string.find(body, 'id="id_title"', 1, true) then
    writes_rejected = writes_rejected + 1  -- the form came back with errors
  end
end

function done(summary, latency, requests)
  local f = io.open(out_path, "w")
  f:write("requests=", summary.requests, "\n", "duration_us=", summary.duration, "\n")
  f:write("connect=", summary.errors.connect, "\n", "read=", summary.errors.read, "\n")
  f:write("write=", summary.errors.write, "\n", "timeout=", summary.errors.timeout, "\n")
  f:write("status=", summary.errors.status, "\n")
  for _, p in ipairs({50, 90, 95, 99}) do f:write("p", p, "_us=", latency:percentile(p), "\n") end
  f:write("max_us=", latency.max, "\n", "mean_us=", latency.mean, "\n")
  for _, t in ipairs(threads) do
    f:write("writes_sent=", t:get("writes_sent"), "\n", "writes_ok=", t:get("writes_ok"), "\n")
    f:write("writes_rejected=", t:get("writes_rejected"), "\n", "ids=", t:get("ids"), "\n")
    for code, n in pairs(t:get("statuses")) do f:write("http_", code, "=", n, "\n") end
  end
  f:close()
end
"""


def lua_value(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"[{lua_value(k)}] = {lua_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    if isinstance(v, int):
        return str(v)
    return json.dumps(str(v))  # a JSON string literal is a valid Lua string literal for ASCII


def write_lua(folder, sessions, port, phase, skip=()):
    origin = f"http://127.0.0.1:{port}"
    users = [{"cookie": f"sessionid={s['cookies']['sessionid']}; csrftoken={s['cookies']['csrftoken']}",
              "csrf": s["cookies"]["csrftoken"], "node": s["node"], "origin": origin, "urls": s["urls"]}
             for s in sessions]
    mix = [kind for kind, weight in MIX.items() if kind not in skip for _ in range(weight)]
    out = folder / f"wrk-{phase}.out"
    script = folder / f"load-{phase}.lua"
    script.write_text(LUA % {"users": lua_value(users), "mix": lua_value(mix), "out": lua_value(str(out)),
                             "prefix": lua_value(urllib.parse.quote(TITLE_PREFIX))})
    return script, out


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    log("wrk is missing: apt-get install wrk …")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=sys.stderr)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=False, stdout=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=sys.stderr)
    return shutil.which("wrk")


def start_wrk(wrk, script, port, seconds, connections, threads):
    return subprocess.Popen([wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                             "-s", str(script), f"http://127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def read_wrk(out):
    values, ids, statuses = collections.Counter(), [], collections.Counter()
    for line in out.read_text().splitlines():
        key, _, value = line.partition("=")
        if key == "ids":
            ids += [int(x) for x in value.split(",") if x]
        elif key.startswith("http_"):
            statuses[key[5:]] += int(value)
        elif key:
            values[key] += float(value)
    return values, ids, dict(sorted(statuses.items()))


def wrk_figures(values, statuses):
    seconds = values["duration_us"] / 1e6
    socket_errors = int(values["connect"] + values["read"] + values["write"] + values["timeout"])
    # wrk's own "status" error counts only >= 400 answers; ours counts anything not 2xx/3xx.
    bad_status = sum(n for code, n in statuses.items() if not 200 <= int(code) < 400)
    return {
        "requests": int(values["requests"]), "seconds": round(seconds, 1),
        "requests_per_s": round(values["requests"] / seconds, 1) if seconds else 0,
        "p50_ms": round(values["p50_us"] / 1000, 1), "p90_ms": round(values["p90_us"] / 1000, 1),
        "p95_ms": round(values["p95_us"] / 1000, 1), "p99_ms": round(values["p99_us"] / 1000, 1),
        "max_ms": round(values["max_us"] / 1000, 1),
        "errors": socket_errors + bad_status + int(values["writes_rejected"]),
        "socket_errors": {k: int(values[k]) for k in ("connect", "read", "write", "timeout")},
        "http_statuses": statuses, "writes_sent": int(values["writes_sent"]), "writes_ok": int(values["writes_ok"]),
        "writes_rejected": int(values["writes_rejected"]),
    }


# ---------------------------------------------------------------- the server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def gunicorn_workers(script_pid):
    masters = [p for p in children(script_pid) if "gunicorn" in cmdline(p)]
    return (masters[0], sorted(children(masters[0]))) if masters else (None, [])


def start_server(args, folder, db, port):
    env = dict(os.environ, UNIONWORK_VAR=str(folder), DATABASE_URL=f"sqlite:///{db}", HOST="127.0.0.1",
               PORT=str(port), DJANGO_ENV="production", DEBUG="false", ALLOWED_HOSTS="127.0.0.1",
               SECRET_KEY="load-bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
               # Plain http on 127.0.0.1 stands for the app behind an HTTPS proxy.
               SECURE_SSL_REDIRECT="false", HSTS_SECONDS="0", WORKER_CLASS=args.worker_class, THREADS=str(args.threads),
               ACCESS_LOG=str(folder / "access.log"))
    from unionwork.core import crypto

    env.update(crypto.environment())  # production reads the data keys from the environment only
    if args.workers:
        env["WEB_WORKERS"] = str(args.workers)
    log_file = open(folder / "server.log", "w")
    proc = subprocess.Popen([str(ROOT / "scripts" / "serve-production")], cwd=ROOT, env=env, stdout=log_file,
                            stderr=subprocess.STDOUT, start_new_session=True)
    http = Http(port)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server stopped: see {folder / 'server.log'}")
        try:
            if http.request("GET", "/login/", timeout=5)[0] == 200:
                return proc, http
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not answer within 180 s")


def stop_server(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def access_log_times(path, since_line=0):
    """Server time per request kind from the access log: (per kind p50/p95 and n, lines read)."""
    times = collections.defaultdict(list)
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    for line in lines[since_line:]:
        m = re.search(r'"(?:GET|POST|HEAD) (\S+) HTTP/[\d.]+" (\d+) \S+ (\d+)$', line)
        if m:
            times[classify(m.group(1))].append(int(m.group(3)) / 1000)
    out = {}
    for kind, ms in sorted(times.items()):
        ms.sort()
        out[kind] = {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
                     "p95_ms": round(ms[max(0, math.ceil(0.95 * len(ms)) - 1)], 1), "max_ms": round(ms[-1], 1)}
    return out, len(lines)


# ---------------------------------------------------------------- main

def main():
    args = parse_args()
    source = source_database(args)
    folder = Path(args.dir).resolve() / f"load-{time.strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir(parents=True)
    db = copy_database(source, folder)
    log(f"copied {source.name} to {db}")
    setup_django(folder, db)

    import django
    from django.conf import settings

    from unionwork.accounts.models import User
    from unionwork.activities.models import Activity
    from unionwork.directory.models import Member

    rng = random.Random(args.seed)
    usernames = create_cadres(args.users)
    users = {u.username: u for u in User.objects.select_related("node").filter(username__in=usernames)}
    plans = {name: user_urls(users[name], rng) for name in usernames}
    failures = []
    port = free_port()
    wrk = ensure_wrk()
    load_before = os.getloadavg()[0]
    log(f"starting scripts/serve-production on 127.0.0.1:{port} …")
    proc, http = start_server(args, folder, db, port)
    try:
        master, workers = gunicorn_workers(proc.pid)
        log(f"gunicorn master {master}, workers {workers}; logging in {len(usernames)} cadres at once …")
        sessions, login_errors = [None] * len(usernames), []

        def login(i, name):
            try:
                sessions[i] = {"cookies": http.login(name), "node": users[name].node_id, "urls": plans[name]}
            except (OSError, RuntimeError) as exc:
                login_errors.append(f"{name}: {exc}")

        started = time.perf_counter()
        logins = [threading.Thread(target=login, args=(i, n)) for i, n in enumerate(usernames)]
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        login_s = round(time.perf_counter() - started, 1)
        if login_errors:
            raise RuntimeError("login failed: " + "; ".join(login_errors[:5]))

        rows_before = Activity.objects.filter(title__startswith=TITLE_PREFIX).count()
        members_before = Member.objects.count()
        _, log_lines = access_log_times(folder / "access.log")

        # Phase 1: the load, with imports beside it.
        skip = {k for k in args.skip.split(",") if k}
        script, out = write_lua(folder, sessions, port, "load", skip)
        community = next(name for name in usernames if users[name].role == "community_cadre")
        stop = threading.Event()
        importer = Importer(http, dict(sessions[usernames.index(community)]["cookies"]), users[community],
                            args.imports, args.import_rows, stop)
        log(f"phase 1: {args.seconds} s of load ({args.users} connections), {args.imports} imports beside it …")
        run = start_wrk(wrk, script, port, args.seconds, args.users, args.wrk_threads)
        importer.start()
        wrk_text = run.communicate()[0]
        stop.set()
        importer.join(150)  # an import still running finishes, without load
        if run.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {wrk_text[-2000:]}")
        values, ids_load, statuses = read_wrk(out)
        load = wrk_figures(values, statuses)
        per_kind, log_lines = access_log_times(folder / "access.log", log_lines)

        # Phase 2: the kill test.
        kill = None
        ids_kill = []
        if args.kill_seconds:
            script, out = write_lua(folder, sessions, port, "kill", skip)
            log(f"phase 2: {args.kill_seconds} s of load, kill -9 of one worker in the middle …")
            run = start_wrk(wrk, script, port, args.kill_seconds, args.users, args.wrk_threads)
            time.sleep(args.kill_seconds / 2)
            master, before = gunicorn_workers(proc.pid)
            victim = random.Random().choice(before)
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            respawned_s = None
            while time.monotonic() - killed_at < 10:
                now = gunicorn_workers(proc.pid)[1]
                if len(now) == len(before) and victim not in now:
                    respawned_s = round(time.monotonic() - killed_at, 2)
                    break
                time.sleep(0.05)
            wrk_text = run.communicate()[0]
            if run.returncode != 0 or not out.exists():
                raise RuntimeError(f"wrk failed: {wrk_text[-2000:]}")
            values, ids_kill, statuses = read_wrk(out)
            k = wrk_figures(values, statuses)
            kill = {"killed_pid": victim, "worker_back_after_s": respawned_s, "requests": k["requests"],
                    "requests_per_s": k["requests_per_s"], "p95_ms": k["p95_ms"], "errors": k["errors"],
                    "socket_errors": k["socket_errors"], "http_statuses": k["http_statuses"],
                    "writes_ok": k["writes_ok"]}
            if respawned_s is None:
                failures.append("the killed worker was not replaced within 10 s")

        # Every write answered with its new record must be there, once.
        ok_ids = ids_load + ids_kill
        found = set(Activity.objects.filter(pk__in=ok_ids, title__startswith=TITLE_PREFIX)
                    .values_list("pk", flat=True))
        lost = len(set(ok_ids) - found)
        rows_after = Activity.objects.filter(title__startswith=TITLE_PREFIX).count()
        if kill is not None:
            kill.update({"rows_before": rows_before, "rows_after": rows_after,
                         "writes_ok_both_phases": len(ok_ids), "lost_writes": lost,
                         # Committed though the answer was lost with the worker: not an error of the data.
                         "committed_without_answer": rows_after - rows_before - len(found)})
        members_added = Member.objects.count() - members_before
        imports = {"jobs": importer.results, "requests": importer.requests, "errors": importer.errors[:5],
                   "members_added": members_added, "rows_each": args.import_rows,
                   "request_p95_ms": round(sorted(importer.times)[max(0, math.ceil(0.95 * len(importer.times)) - 1)],
                                           1) if importer.times else None}
        done = [j for j in importer.results if j["status"] == "done"]
        if len(done) < args.imports:
            failures.append(f"imports done: {len(done)} of {args.imports} ({importer.results})")
        if members_added != len(done) * args.import_rows:
            failures.append(f"members added {members_added}, expected {len(done) * args.import_rows}")
        if lost:
            failures.append(f"{lost} successful writes are not in the database")
        if len(ok_ids) != len(set(ok_ids)):
            failures.append("a record id was answered twice")
        errors = load["errors"] + len(importer.errors)
        workers_used = len(gunicorn_workers(proc.pid)[1])
    finally:
        stop_server(proc)

    result = {
        "bench": "load", "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "requests": load["requests"], "requests_per_s": load["requests_per_s"], "p50_ms": load["p50_ms"],
        "p95_ms": load["p95_ms"], "p99_ms": load["p99_ms"], "errors": errors, "lost_writes": lost,
        "kill": kill,
        "load": {k: v for k, v in load.items() if k not in ("requests", "requests_per_s", "p50_ms", "p95_ms",
                                                              "p99_ms", "errors")},
        "server_ms_by_kind": per_kind, "imports": imports, "logins": {"users": len(usernames), "seconds": login_s},
        "server": {"workers": workers_used, "worker_class": args.worker_class, "threads": args.threads,
                   "database": "sqlite (WAL), copy of " + source.name},
        "mix_percent": {k: v for k, v in MIX.items() if k not in skip},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "django": django.get_version(),
                    "sqlite": sqlite3.sqlite_version, "debug": settings.DEBUG,
                    # Other work on the machine (other engineers' tests) shares the 2 cores.
                    "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)]},
        "targets": TARGETS,
    }
    misses = [k for k, limit in (("errors", 0), ("lost_writes", 0)) if result[k] > limit]
    misses += ["p95_ms"] if result["p95_ms"] > TARGETS["p95_ms"] else []
    misses += ["requests_per_s"] if result["requests_per_s"] < TARGETS["requests_per_s"] else []
    result.update({"missed_targets": misses, "failures": failures[:20], "ok": not failures and not misses})
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        log(f"kept {folder}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
