"""Authorization generated from the URL configuration: every page and every API operation.

For each route (walked from django.urls.get_resolver(), and each API operation from the ninja API's
OpenAPI document) the path parameters are filled with a real row of community A (天运社区), and:

- an anonymous visitor is sent to the login page (pages) or gets 401 (API), never data;
- the cadre of community B (鹿源春社区) gets 404/403 on A's rows, for GET and POST; on a route
  without a row id (lists, dashboards, exports, forms) a 200 shows none of A's rows (marker strings
  unique to A), and a POST carrying A's ids writes nothing into A;
- the cadre of A reaches the same row (not 404), so the filled id is real and B's 404 means scope.

A route whose parameters cannot be filled fails test_every_route_can_be_filled: a new page cannot be
added without being covered here.
"""

import datetime
import io
import json
import re
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from unionwork.accounts.models import ApiToken, User
from unionwork.api import api as ninja_api
from unionwork.core.kinds import Kind, all_kinds
from unionwork.core.scope import scoped
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.org.models import Node

MARK = "甲社区专属标记"  # written into A's rows made here; appears nowhere else

# Routes open to everyone, each with the reason. Everything else must be closed.
PUBLIC_PAGES = {
    "login": "the login form",
    "logout": "ending a session shows nothing",
}
PUBLIC_API = {
    "api:openapi-json": "the API description: no data",
    "api:openapi-view": "Swagger UI for the description: no data",
    "api:api-root": "ninja's index of the API: no data",
}
ADMIN_PREFIX = "ops/admin/"  # Django admin: staff only, covered by test_ops_admin_is_staff_only


# ---------------------------------------------------------------- the routes


def _walk(resolver, prefix="", ns=()):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern), ns + ((p.namespace,) if p.namespace else ()))
        elif isinstance(p, URLPattern):
            yield SimpleNamespace(route=prefix + str(p.pattern), pattern=p, name=":".join(ns + (p.name or "",)),
                                  params=list(p.pattern.regex.groupindex), default_args=p.default_args)


KINDS = list(all_kinds().values())
ALL_ROUTES = list(_walk(get_resolver()))
API_PREFIX = "api/v1/"
PAGE_ROUTES = [r for r in ALL_ROUTES if not r.route.startswith((API_PREFIX, ADMIN_PREFIX))]
API_SCHEMA = ninja_api.get_openapi_schema(path_prefix="/" + API_PREFIX)
API_OPERATIONS = [(method.upper(), path) for path, ops in API_SCHEMA["paths"].items() for method in ops]


def _kind_of(route) -> Kind | None:
    kind = route.default_args.get("kind")
    return kind if isinstance(kind, Kind) else None


def _kind_for_api_path(path) -> Kind | None:
    for kind in KINDS:
        if path.startswith(f"/{API_PREFIX}{kind.app}/{kind.slug}/") or path == f"/{API_PREFIX}{kind.app}/{kind.slug}":
            return kind
    return None


# Pages whose ids are not a record kind's: url name -> [(case suffix, objs -> kwargs)].
DIRECTORY = {"enterprise": "ent_a", "union": "union_a", "member": "zhangsan"}
OBJECT_PAGES = {
    "org:node": [("", lambda o: {"pk": o.comm_a.pk})],
    "org:node_create": [("", lambda o: {"pk": o.comm_a.pk})],
    "accounts:revoke_token": [("", lambda o: {"pk": o.token_a.pk})],
    "accounts:node_totp": [("", lambda o: {"pk": o.comm_a.pk})],
    "ledgers:job": [("", lambda o: {"pk": o.import_job.pk})],
    "ledgers:confirm": [("", lambda o: {"pk": o.import_job.pk})],
    "ledgers:cancel": [("", lambda o: {"pk": o.import_job.pk})],
    "ledgers:rejected": [("", lambda o: {"pk": o.import_job.pk})],
    "plans:plan_detail": [("", lambda o: {"pk": o.plan.pk})],
    "plans:assess": [("", lambda o: {"pk": o.plan.pk})],
    "plans:assessment": [("", lambda o: {"pk": o.assessment.pk})],
    "plans:snapshot": [("", lambda o: {"pk": o.snapshot.pk})],
    "documents:job": [("", lambda o: {"pk": o.document_job.pk})],
    "directory:archive_toggle": [(k, lambda o, k=k, a=a: {"kind": k, "pk": getattr(o, a).pk})
                                 for k, a in DIRECTORY.items()],
}
for _action in ("detail", "reset_password", "deactivate", "activate", "unlock", "reset_totp"):
    OBJECT_PAGES[f"accounts:user_{_action}"] = [("", lambda o: {"pk": o.chair_a.pk})]  # a user of A's union
for _k, _attr in DIRECTORY.items():
    for _action in ("detail", "edit", "status", "transfer", "end", "reveal"):
        OBJECT_PAGES[f"directory:{_k}_{_action}"] = [("", lambda o, a=_attr: {"pk": getattr(o, a).pk})]

# Pages with a parameter that is not a row (a kind of template, an indicator): no row of A in the URL.
def _first_indicator():
    from unionwork.plans import indicators

    return next(iter(indicators.REGISTRY))


LIST_PAGES_WITH_PARAMS = {
    "ledgers:template": lambda: {"kind": "members"},
    "plans:records": lambda: {"key": _first_indicator()},
}


def _page_cases():
    """[(id, url name, 'object'|'list', objs -> kwargs, expect A to reach it)], and the unfilled routes."""
    cases, unfilled = [], []
    for r in PAGE_ROUTES:
        if r.name in PUBLIC_PAGES:
            continue
        kind = _kind_of(r)
        if not r.params:
            cases.append((r.name, r.name, "list", lambda o: {}))
        elif r.name in LIST_PAGES_WITH_PARAMS:
            cases.append((r.name, r.name, "list", lambda o, f=LIST_PAGES_WITH_PARAMS[r.name]: f()))
        elif kind is not None and set(r.params) == {"pk"}:
            cases.append((r.name, r.name, "object", lambda o, s=kind.slug: {"pk": o.records[s].pk}))
        elif kind is not None and set(r.params) == {"pk", "child_name"}:
            for child in kind.children:
                cases.append((f"{r.name}[{child.name}]", r.name, "object",
                              lambda o, s=kind.slug, c=child.name: {"pk": o.records[s].pk, "child_name": c}))
        elif kind is not None and set(r.params) == {"pk", "child_name", "child_pk"}:
            for child in kind.children:
                if r.name.endswith("_child_file") and not any(
                        isinstance(f, models.FileField) for f in child.model._meta.fields):
                    continue  # a child without a file has nothing to download
                cases.append((f"{r.name}[{child.name}]", r.name, "object",
                              lambda o, s=kind.slug, c=child.name: {"pk": o.records[s].pk, "child_name": c,
                                                                    "child_pk": o.children[(s, c)].pk}))
        elif r.name in OBJECT_PAGES:
            for suffix, fill in OBJECT_PAGES[r.name]:
                cases.append((r.name + (f"[{suffix}]" if suffix else ""), r.name, "object", fill))
        else:
            unfilled.append(f"{r.route} ({r.name})")
    return cases, unfilled


PAGE_CASES, UNFILLED_PAGES = _page_cases()


def _api_cases():
    cases, unfilled = [], []
    for method, path in API_OPERATIONS:
        params = re.findall(r"{(\w+)}", path)
        kind = _kind_for_api_path(path)
        if not params:
            cases.append((f"{method} {path}", method, path, "list", lambda o: {}))
        elif params == ["pk"] and kind is not None:
            cases.append((f"{method} {path}", method, path, "object", lambda o, s=kind.slug: {"pk": o.records[s].pk}))
        elif params == ["pk"] and path.split("/")[3] in ("enterprises", "unions", "members"):
            attr = DIRECTORY[path.split("/")[3][:-1]]
            cases.append((f"{method} {path}", method, path, "object", lambda o, a=attr: {"pk": getattr(o, a).pk}))
        elif params == ["kind", "pk"]:
            for k, a in DIRECTORY.items():
                cases.append((f"{method} {path}[{k}s]", method, path, "object",
                              lambda o, k=k, a=a: {"kind": f"{k}s", "pk": getattr(o, a).pk}))
        else:
            unfilled.append(f"{method} {path}")
    return cases, unfilled


API_CASES, UNFILLED_API = _api_cases()


def test_every_route_can_be_filled():
    """A new page or API route must get its row of community A here (or a reasoned public entry)."""
    assert UNFILLED_PAGES == [], "routes without a row of community A to test with:\n" + "\n".join(UNFILLED_PAGES)
    assert UNFILLED_API == [], "API operations without a row of community A:\n" + "\n".join(UNFILLED_API)


def test_every_api_url_pattern_is_in_the_openapi_document():
    """The API cases come from the OpenAPI document; no URL of the API may be missing from it."""
    documented = {re.sub(r"{(\w+)}", r"<\1>", p) for p in API_SCHEMA["paths"]}
    missing = [f"{r.route} ({r.name})" for r in ALL_ROUTES if r.route.startswith(API_PREFIX)
               and "/" + r.route not in documented and r.name not in PUBLIC_API]
    assert missing == []
    assert len(PAGE_CASES) > 200 and len(API_CASES) > 200  # the walk found the kinds' routes


# ---------------------------------------------------------------- community A's rows


def _value(f, w, made):
    if f.is_relation:
        target = f.related_model
        fixed = {Node: w.comm_a, Enterprise: w.ent_a, Union: w.union_a, Member: w.zhangsan, User: w.cadre_a}
        if target in fixed:
            return fixed[target]
        if target not in made:
            made[target] = make_row(target, w, made)
        return made[target]
    if f.choices:
        first = f.flatchoices[0][0]
        return first
    if isinstance(f, models.FileField):
        return ContentFile(b"%PDF-1.4 test", name="甲.pdf")
    if isinstance(f, models.DateTimeField):
        return datetime.datetime(2026, 1, 15, 9, tzinfo=datetime.UTC)
    if isinstance(f, models.DateField):
        return datetime.date(2026, 1, 15)
    if isinstance(f, models.DecimalField):
        return Decimal("1")
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.IntegerField | models.FloatField):
        return 1
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.CharField | models.TextField):
        return MARK[: f.max_length] if f.max_length else MARK
    raise AssertionError(f"no test value for {f.model.__name__}.{f.name} ({type(f).__name__})")


def make_row(model, w, made=None):
    """A row of community A with every required field filled (written directly: only its scope matters)."""
    made = {} if made is None else made
    data = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        required = not f.null and not f.has_default() and not (isinstance(f, models.CharField | models.TextField)
                                                                and f.blank and not f.choices)
        if required or f.name in ("title", "name", "subject"):
            data[f.name] = _value(f, w, made)
    obj = model(**{k: v for k, v in data.items() if not isinstance(v, ContentFile)})
    for k, v in data.items():
        if isinstance(v, ContentFile):
            getattr(obj, k).save(v.name, v, save=False)
    obj.save()
    return obj


def build_a_rows(w):
    """One row of every record kind (and of each of its children) in community A, and A's other rows."""
    from unionwork.documents.models import DocumentJob
    from unionwork.ledgers import services as ledgers
    from unionwork.plans.models import Assessment
    from unionwork.plans.services import create_plan, take_snapshot

    o = SimpleNamespace(records={}, children={})
    for slug, kind in all_kinds().items():
        rec = make_row(kind.model, w)
        o.records[slug] = rec
        for child in kind.children:
            o.children[(slug, child.name)] = make_row(child.model, w, {kind.model: rec})
    o.token_a, _ = ApiToken.issue(w.cadre_a, "甲的令牌")
    csv_bytes = ("姓名,身份证号,所在工会\n孙一,110101199001010000,不存在的工会\n").encode()
    o.import_job = ledgers.create_job(w.cadre_a, node=w.comm_a, kind="members", source=ContentFile(csv_bytes),
                                      file_name="甲.csv", mode="valid-rows")
    o.import_job = ledgers.run_job(o.import_job, commit=False)  # checked, with a rejected row
    o.plan = create_plan(w.district_admin, w.comm_a, 2026)
    o.assessment = Assessment.objects.create(plan=o.plan, version=1, reference_date=datetime.date(2026, 1, 15))
    o.snapshot = take_snapshot(w.district_admin, w.comm_a, datetime.date(2026, 1, 15))
    o.document_job = DocumentJob.objects.create(user=w.cadre_a, node=w.comm_a, kind="summary", status="queued")
    return {name: (type(v), v.pk) for name, v in vars(o).items() if isinstance(v, models.Model)} | {
        "records": {s: (type(v), v.pk) for s, v in o.records.items()},
        "children": {k: (type(v), v.pk) for k, v in o.children.items()}}


@pytest.fixture(scope="module")
def _a_rows(_world_rows, django_db_blocker):
    """A's rows, made once per module inside the module's transaction (rolled back with it)."""
    with django_db_blocker.unblock():
        w = SimpleNamespace(**{n: m._default_manager.get(pk=pk) for n, (m, pk) in _world_rows.items()})
        return build_a_rows(w)


def _fetch(entry):
    model, pk = entry
    return model._default_manager.get(pk=pk)


@pytest.fixture
def objs(world, _a_rows):
    o = SimpleNamespace(**vars(world))
    for name, entry in _a_rows.items():
        if name == "records":
            o.records = {s: _fetch(e) for s, e in entry.items()}
        elif name == "children":
            o.children = {k: _fetch(e) for k, e in entry.items()}
        else:
            setattr(o, name, _fetch(entry))
    return o


# ---------------------------------------------------------------- what "no data of A" means


def a_markers(o) -> list[str]:
    # Not A's community name (天运社区) nor 王芳's ID number: the app uses them as examples in forms and templates.
    return [MARK, o.comm_a.code, o.ent_a.name, o.ent_a2.name, o.union_a.name, o.union_a2.name, o.ent_a.uscc,
            o.zhangsan.id_number, o.chair_a.username]


def body_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # .xlsx / .docx: the text is in the zipped XML
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(body), ensure_ascii=False)  # names are \u-escaped in the JSON
    return body.decode("utf-8", "replace")


def assert_no_a_data(response, o, what):
    text = body_text(response)
    leaked = [m for m in a_markers(o) if m in text]
    assert not leaked, f"{what}: community B's cadre sees A's {leaked}"


def a_sees_own_rows(text, o) -> bool:
    """A's cadre's own list shows a row of A: a marker, or a record of A by its detail link (pages) or
    its id (API), for lists whose columns hold no text of A (a date, a figure)."""
    if any(m in text for m in a_markers(o)):
        return True
    for slug, rec in o.records.items():
        kind = all_kinds()[slug]
        if kind.url("detail", rec.pk) in text or re.search(rf'"id": {rec.pk}[,}}]', text):
            return True
    return bool(getattr(o, "plan", None) and reverse("plans:plan_detail", args=[o.plan.pk]) in text)


_A_ROWS_SQL = {}


def a_row_counts(o):
    """The ids of every row community A's cadre can see: one query, compiled once (it runs twice a case)."""
    from django.db import connection
    from django.db.models import CharField, Value

    if connection.vendor not in _A_ROWS_SQL:
        parts = [scoped(o.cadre_a, m).annotate(_m=Value(m._meta.label, output_field=CharField())).order_by()
                 .values_list("_m", "pk") for m in _scoped_models()]
        union = parts[0].union(*parts[1:], all=True)
        _A_ROWS_SQL[connection.vendor] = union.query.get_compiler(connection=connection).as_sql()
    sql, params = _A_ROWS_SQL[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def _scoped_models():
    from django.apps import apps

    # The audit log records B's visits (append-only, not a row of A's data).
    return [m for m in apps.get_models() if getattr(m, "SCOPE_NODE_FIELD", None) and m.__name__ != "AuditEvent"]


def a_ids_payload(o, method="", path="") -> dict:
    """A form or JSON body that names A's rows wherever a form could take one; for an API operation, also
    every field its request schema requires, so the request reaches the view (not the body's validation)."""
    ids = {"node": o.comm_a, "parent": o.comm_a, "enterprise": o.ent_a, "union": o.union_a2, "to_union": o.union_a2,
           "member": o.zhangsan}
    data = {"title": "乙写入甲", "name": "乙写入甲", "enterprises": [o.ent_a.pk]}
    for name, obj in ids.items():
        data[name] = data[f"{name}_id"] = obj.pk
    op = API_SCHEMA["paths"].get(path, {}).get(method.lower(), {})
    ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    if ref:
        schema = API_SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
        for name in schema.get("required", []):
            prop = schema["properties"][name]
            if name in data:
                continue
            if prop.get("format") == "date":
                data[name] = "2026-01-10"
            elif prop.get("type") == "integer":
                data[name] = 1
            elif prop.get("type") == "boolean":
                data[name] = False
            else:
                data[name] = "乙写入甲"
    return data


# ---------------------------------------------------------------- pages


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "shape", "fill"), [c[1:] for c in PAGE_CASES], ids=[c[0] for c in PAGE_CASES])
def test_page(objs, login, name, shape, fill):
    url = reverse(name, kwargs=fill(objs))
    anon = Client()
    for method in ("get", "post"):
        r = getattr(anon, method)(url)
        assert _is_login_redirect(r), f"anonymous {method.upper()} {url}: {r.status_code}"

    b = login(objs.cadre_b)
    before = a_row_counts(objs)
    if shape == "object":
        a = login(objs.cadre_a).get(url)
        assert a.status_code != 404, f"{url} is not a row A's cadre can reach: the test fills it wrongly"
        r = b.get(url)
        assert r.status_code in (403, 404) or (r.status_code == 405 and a.status_code == 405), \
            f"B GET {url}: {r.status_code}"
        r = b.post(url, a_ids_payload(objs))
        assert r.status_code in (403, 404), f"B POST {url}: {r.status_code}"
    else:
        for query in ("", f"?node={objs.comm_a.pk}"):
            r = b.get(url + query)
            assert r.status_code in (200, 302, 403, 404, 405), f"B GET {url}{query}: {r.status_code}"
            if r.status_code == 200:
                assert_no_a_data(r, objs, f"GET {url}{query}")
        r = b.post(url, a_ids_payload(objs))
        assert r.status_code < 500, f"B POST {url}: {r.status_code}"
        if r.status_code == 200:
            assert_no_a_data(r, objs, f"POST {url}")
        a = login(objs.cadre_a).get(url) if name.endswith("_list") else None
        if a is not None and a.status_code == 200:  # (a list A's role may open)
            assert a_sees_own_rows(body_text(a), objs), f"{url}: A's own list shows no row of A"
    assert a_row_counts(objs) == before, f"B's POST {url} changed rows of community A"


def test_ops_admin_is_staff_only(objs, login):
    """The Django admin (/ops/admin/): anonymous users and cadres (not staff) are sent to its login."""
    admin_routes = [r for r in ALL_ROUTES if r.route.startswith(ADMIN_PREFIX)]
    assert admin_routes
    for client in (Client(), login(objs.cadre_b), login(objs.district_admin)):
        for path in ("/ops/admin/", "/ops/admin/directory/member/", f"/ops/admin/directory/member/{objs.zhangsan.pk}/change/"):
            r = client.get(path)
            assert r.status_code == 302 and "/ops/admin/login/" in r["Location"], (path, r.status_code)


# ---------------------------------------------------------------- API


def _api_call(client, method, url, body=None):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def _bearer(user):
    _, key = ApiToken.issue(user, "测试")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.mark.parametrize(("method", "path", "shape", "fill"), [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_api(objs, method, path, shape, fill):
    url = path.format(**fill(objs))
    body = a_ids_payload(objs, method, path)
    r = _api_call(Client(), method, url, body)
    assert r.status_code == 401, f"anonymous {method} {url}: {r.status_code}"

    before = a_row_counts(objs)
    b = _bearer(objs.cadre_b)
    if shape == "object":
        a = _api_call(_bearer(objs.cadre_a), "GET", url) if method == "GET" else None
        if a is not None:
            assert a.status_code != 404, f"{url} is not a row A's cadre can reach: the test fills it wrongly"
        r = _api_call(b, method, url, body)
        assert r.status_code in (403, 404), f"B {method} {url}: {r.status_code}"
        assert_no_a_data(r, objs, f"{method} {url}")
    else:
        r = _api_call(b, method, url, body)
        assert r.status_code < 500, f"B {method} {url}: {r.status_code}"
        if r.status_code < 300:
            assert_no_a_data(r, objs, f"{method} {url}")
        if method == "GET":
            r = b.get(url, {"node": objs.comm_a.pk})
            assert r.status_code < 500
            if r.status_code < 300:
                assert_no_a_data(r, objs, f"GET {url}?node=A")
            if not url.endswith((".xlsx", ".docx", "/check")):
                a = _bearer(objs.cadre_a).get(url)
                if a.status_code == 200:
                    assert a_sees_own_rows(body_text(a), objs), f"{url}: A's own list shows no row of A"
    assert a_row_counts(objs) == before, f"B's {method} {url} changed rows of community A"
