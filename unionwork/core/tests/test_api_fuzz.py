"""Fuzz every /api/v1 operation with schemathesis: no response is a 5xx, for GETs and writes, as a
district admin, as a community cadre and as a cadre attached to no organisation.

The document is the API's own (api.get_openapi_schema), list filters included. The test adds what it lacks: the
document parameters read from request.GET and the fields behind the record kinds' `dict`
bodies. Hooks then draw path ids, body references, codes and filter ids from rows that exist (in and
out of the cadre's scope, archived or not), and write bodies that start from a real record with some
fields replaced by generated values, so that cases get past the forms into the services.
Bounded and derandomized: the same cases on every run.
"""

import copy
import datetime
import decimal
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, close_old_connections, models, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from conftest import make_id, make_uscc
from unionwork.accounts.models import ApiToken, User
from unionwork.api import api
from unionwork.core.kinds import all_kinds
from unionwork.directory.filters import EnterpriseFilter, MemberFilter, UnionFilter
from unionwork.directory.models import Enterprise, Member, Union
from unionwork.org.models import Node

PREFIX = "/api/v1/"
KINDS = all_kinds()
TODAY = datetime.date(2026, 6, 30)  # the demo records' "today": fixed, so the data is the same on every run

# ---------------------------------------------------------------- the document, completed

# Plain types keep generation cheap; the hooks supply the valid codes and the real ids.
TEXT = {"type": ["string", "null"], "maxLength": 60}
NUMBER = {"type": ["number", "null"]}


def _field_schema(f):
    if f.many_to_many:
        return {"type": "array", "items": {"type": "integer"}, "maxItems": 3}
    if f.is_relation:
        return {"type": ["integer", "null"]}
    if isinstance(f, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(f, models.DateField):
        return {"type": ["string", "null"], "format": "date"}
    if isinstance(f, models.IntegerField | models.DecimalField | models.FloatField) and not f.choices:
        return NUMBER
    return TEXT


def _ids_of(model, many=False):
    def strategy():
        ids = st.sampled_from(ROWS.get(model) or [1])
        return st.lists(ids, max_size=3) if many else ids

    return strategy


def _codes(choices):
    values = [str(v) for v, _ in choices]
    return lambda: st.sampled_from(values)


def _body_key(f, aliases):
    # a record's body names related rows `{fk}_id` / `{m2m}_ids` (kinds.form_data); a child entry's by field name
    if not aliases:
        return f.name
    return f"{f.name}_ids" if f.many_to_many else f"{f.name}_id" if f.is_relation else f.name


def _body_schema(model, names, aliases=True):
    props, values = {}, {}
    for name in names:
        f = model._meta.get_field(name)
        key = _body_key(f, aliases)
        props[key] = _field_schema(f)
        if f.is_relation:
            values[key] = _ids_of(f.related_model, f.many_to_many)
        elif f.choices:
            values[key] = _codes(f.flatchoices)
    return {"type": "object", "properties": props, "additionalProperties": True}, values


QUERY_IDS = {"node": Node, "union": Union, "enterprise": Enterprise}  # filters naming a row


def _query_params(filterset):
    params = {"page": {"type": "integer"}, "page_size": {"type": "integer"}, "after": {"type": "integer"}}
    values = {}
    for name, flt in filterset.base_filters.items():
        params[name] = {"type": "string"}
        choices = flt.extra.get("choices")
        if name in QUERY_IDS:
            values[name] = _ids_of(QUERY_IDS[name])
        elif name == "ordering":
            values[name] = _codes([(p, p) for o in flt.param_map for p in (o, f"-{o}")])
        elif choices and not callable(choices):
            values[name] = _codes(choices)
    return params, values


DIRECTORY = {"enterprises": (Enterprise, EnterpriseFilter), "unions": (Union, UnionFilter),
             "members": (Member, MemberFilter)}
DIRECTORY_IDS = {"node_id": Node, "parent_id": Node, "union_id": Union, "to_union_id": Union,
                 "enterprise_id": Enterprise, "enterprise_ids": Enterprise}
DOCUMENT_PARAMS = ({n: {"type": "integer"} for n in ("node", "year", "half", "quarter")},
                   {"node": _ids_of(Node), "year": lambda: st.integers(2020, 2027),
                    "half": _codes([(1, ""), (2, "")]), "quarter": _codes([(q, "") for q in range(1, 5)])})

PATH_MODEL = {}  # (METHOD, path) -> model behind {pk}
BODY_VALUES = {}  # (METHOD, path) -> {body key: () -> strategy of real ids / valid codes}
QUERY_VALUES = {}  # (METHOD, path) -> {query parameter: () -> strategy}
BASE_OF = {}  # (METHOD, path) -> key in BASES of the real record a write body may start from
BASES = {}  # filled by the bearer_keys fixture


def _kind_of(operation_id):
    for slug in sorted(KINDS, key=len, reverse=True):
        if operation_id.startswith(f"{slug}_"):
            return KINDS[slug], operation_id[len(slug) + 1:]
    return None, None


def _directory_body(raw, op, model):
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    values = {}
    for name in raw["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]:
        if name in DIRECTORY_IDS:
            values[name] = _ids_of(DIRECTORY_IDS[name], many=name.endswith("_ids"))
        elif name in {f.name for f in model._meta.fields} and model._meta.get_field(name).choices:
            values[name] = _codes(model._meta.get_field(name).flatchoices)
    return values


def build_document():
    raw = copy.deepcopy(api.get_openapi_schema(path_prefix=PREFIX))
    for path, ops in raw["paths"].items():
        for method, op in ops.items():
            key = (method.upper(), path)
            kind, action = _kind_of(op.get("operationId", ""))
            params, body = {}, None
            if kind is not None:
                if action in ("list", "export"):
                    params, QUERY_VALUES[key] = _query_params(kind.filterset)
                elif action in ("create", "update"):
                    body, BODY_VALUES[key] = _body_schema(kind.model, kind.fields)
                    if action == "create":
                        BASE_OF[key] = kind.slug
                elif action.endswith("_add"):
                    child = kind.child(action[:-4])
                    body, BODY_VALUES[key] = _body_schema(child.model, child.fields, aliases=False)
                    BASE_OF[key] = (kind.slug, child.name)
                if "{pk}" in path:
                    PATH_MODEL[key] = kind.model
            else:
                section = path[len(PREFIX):].split("/")[0]
                if section in DIRECTORY:
                    model, filterset = DIRECTORY[section]
                    if "{pk}" in path:
                        PATH_MODEL[key] = model
                    elif method == "get":
                        params, QUERY_VALUES[key] = _query_params(filterset)
                    if "requestBody" in op:
                        BODY_VALUES[key] = _directory_body(raw, op, model)
                        if method == "post":
                            BASE_OF[key] = path.rsplit("/", 1)[1]  # enterprises, unions, members, transfer
                elif section == "documents":
                    params, QUERY_VALUES[key] = DOCUMENT_PARAMS
            if body is not None:
                op["requestBody"]["content"]["application/json"]["schema"] = body
            # The lists document their filters themselves (core.listing.query_parameters); the rest are added here.
            documented = {p["name"] for p in op.get("parameters", [])}
            op.setdefault("parameters", []).extend(
                {"in": "query", "name": name, "required": False, "schema": schema} for name, schema in params.items()
                if name not in documented)
    return raw


DOCUMENT = build_document()
ONE_ROW = r"^(GET .*\{pk\}(/reveal)?|POST .*/(archive|restore))$"  # no body, no parameters but the id


def _schema(examples, one_row_examples):
    config = schemathesis.Config.from_dict({
        "seed": 20260630,
        "generation": {"deterministic": True, "database": "none", "max-examples": examples},
        # The coverage phase enumerates every boundary of every field: ten thousand requests per user.
        "phases": {"coverage": {"enabled": False}},
        "operations": [{"include-name-regex": ONE_ROW, "generation": {"max-examples": one_row_examples}}],
    })
    return schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=config)


# examples per operation (with a body or parameters, only an id)
ADMIN = _schema(8, 3)
CADRE = _schema(5, 2)
NOBODY = _schema(2, 1)
SCHEMAS = (ADMIN, CADRE, NOBODY)
APP = WSGIHandler()

# ---------------------------------------------------------------- hooks: real ids, codes and records

ROWS: dict = {}  # model -> [pk], filled by the bearer_keys fixture before any case is drawn


def _op_key(context):
    return context.operation.method.upper(), context.operation.path


def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict) or "pk" not in path_parameters:
        return st.just(path_parameters)
    if "kind" in path_parameters:  # /{kind}/{pk}/archive|restore
        real = st.sampled_from(sorted(DIRECTORY)).flatmap(
            lambda k: st.sampled_from(ROWS.get(DIRECTORY[k][0]) or [1]).map(lambda pk: {"kind": k, "pk": pk}))
        return st.one_of(real, st.just(path_parameters))
    model = PATH_MODEL.get(_op_key(context))
    if model is None:
        return st.just(path_parameters)
    # a real row first: that is where the code runs
    return st.one_of(_ids_of(model)().map(lambda pk: {**path_parameters, "pk": pk}), st.just(path_parameters))


def _substitute(values, generated):
    """Each named entry of a generated dict kept, or replaced by a drawn real id / valid code."""
    if not values or not isinstance(generated, dict):
        return st.just(generated)
    keep = object()
    parts = {name: st.one_of(st.just(keep), strategy()) for name, strategy in values.items()}
    return st.fixed_dictionaries(parts).map(
        lambda chosen: generated | {k: v for k, v in chosen.items() if v is not keep})


def flatmap_body(context, body):
    key = _op_key(context)
    generated = _substitute(BODY_VALUES.get(key), body)
    base = BASES.get(BASE_OF.get(key))
    if base is None or not isinstance(body, dict) or not body:
        return generated
    # a real record's body with some of the generated values in it
    mutated = st.sets(st.sampled_from(sorted(body))).map(lambda names: base | {n: body[n] for n in names})
    return st.one_of(mutated, generated)


def flatmap_query(context, query):
    return _substitute(QUERY_VALUES.get(_op_key(context)), query)


for _s in SCHEMAS:
    for _hook in (flatmap_path_parameters, flatmap_body, flatmap_query):
        _s.hook(_hook)

# ---------------------------------------------------------------- rows of every kind


def _plain_value(f, refs):
    if f.choices:
        return f.flatchoices[0][0]
    if f.is_relation:
        return refs.get(f.related_model)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DateTimeField):
        return datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC)
    if isinstance(f, models.DateField):
        return datetime.date(2025, 3, 1)
    if isinstance(f, models.DecimalField):
        return decimal.Decimal("100")
    if isinstance(f, models.IntegerField | models.FloatField):
        return 10
    if isinstance(f, models.FileField):
        return ""
    return "测试"


def _make(model, refs, fill=(), **fixed):
    """A row with the required fields and those in `fill` set (saved directly: the fuzzer, not the
    rules, is under test); only the required ones when that breaks a database constraint."""

    def data(names):
        out = dict(fixed)
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name in out or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            if f.name not in names and (f.null or f.blank or f.has_default()):
                continue
            value = _plain_value(f, refs)
            if value is not None or not f.null:
                out[f.name] = value
        return out

    try:
        with transaction.atomic():
            return model._default_manager.create(**data(set(fill)))
    except IntegrityError:
        return model._default_manager.create(**data(set()))


def build_rows(w):
    """The demo generators' records (which keep the rules) over the district, then one record of each
    kind (and one entry of each child) in 天运社区 and an archived one in 朝阳里社区."""
    import random

    from unionwork.activities import demo as activities_demo
    from unionwork.care import demo as care_demo
    from unionwork.funds import demo as funds_demo
    from unionwork.labour import demo as labour_demo

    rng = random.Random(2026)
    for demo in (labour_demo, care_demo, activities_demo, funds_demo):
        demo.generate(rng, TODAY, w.district_admin)
    for where in ("a", "c"):
        refs = {Node: getattr(w, f"comm_{where}"), Enterprise: getattr(w, f"ent_{where}"),
                Union: getattr(w, f"union_{where}"), Member: w.zhangsan if where == "a" else w.zhaoliu,
                User: w.district_admin}
        pending = list(KINDS.values())
        for _ in range(3):  # kinds that point at other kinds (assistance -> campaign) come later
            later = []
            for kind in pending:
                if any(f.is_relation and not f.null and f.related_model not in refs
                       for f in kind.model._meta.concrete_fields):
                    later.append(kind)
                    continue
                obj = _make(kind.model, refs, fill=kind.fields)
                refs[kind.model] = obj
                for child in kind.children:
                    _make(child.model, refs, fill=child.fields, **{child.fk: obj})
                if where == "c":  # something for restore to restore
                    kind.model._default_manager.filter(pk=obj.pk).update(archived_at=timezone.now())
            pending = later
        assert not pending, f"no rows for {[k.slug for k in pending]}"


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def record_body(obj, names, aliases=True):
    """The JSON body that would create this record (or child entry) again."""
    body = {}
    for name in names:
        f = obj._meta.get_field(name)
        if f.many_to_many:
            value = [r.pk for r in getattr(obj, name).all()]
        elif isinstance(f, models.FileField):
            continue
        else:
            value = _json(getattr(obj, f.attname))
        if value is not None:
            body[_body_key(f, aliases)] = value
    return body


def build_bases(w):
    """The bodies write cases start from: the first record of each kind (a demo one where there is one)."""
    bases = {}
    for kind in KINDS.values():
        obj = kind.model._default_manager.filter(archived_at__isnull=True).order_by("pk").first()
        bases[kind.slug] = record_body(obj, kind.fields)
        for child in kind.children:
            entry = child.model._default_manager.order_by("pk").first()
            bases[(kind.slug, child.name)] = record_body(entry, child.fields, aliases=False)
    bases["enterprises"] = {"uscc": make_uscc(), "name": "天津新登记模具有限公司", "node_id": w.comm_a.pk,
                            "unit_category": "170", "industry": "C", "employees": 40, "female_employees": 12,
                            "contact_phone": "13511112222"}
    bases["unions"] = {"name": "天津宏达商贸有限公司工会委员会", "parent_id": w.comm_a.pk, "kind": "single",
                       "founded_on": "2024-06-01", "chair_name": "周主席", "enterprise_ids": [w.ent_a2.pk]}
    bases["members"] = {"name": "钱七", "id_number": make_id("19920304", 7), "union_id": w.union_a.pk,
                        "enterprise_id": w.ent_a.pk, "joined_on": "2024-01-02", "phone": "13711112222"}
    bases["transfer"] = {"to_union_id": w.union_a2.pk, "on": "2026-01-05", "enterprise_id": None}
    return bases


USERS = ("district_admin", "cadre_a", "nobody")


@pytest.fixture(scope="module")
def bearer_keys(_world_rows, django_db_blocker):
    """Records of every kind, the write bases and the users' tokens, made once in the module's transaction."""
    with django_db_blocker.unblock():
        w = SimpleNamespace(**{name: model._default_manager.get(pk=pk) for name, (model, pk) in _world_rows.items()})
        build_rows(w)
        ROWS.clear()
        for model in {Node, Enterprise, Union, Member} | {k.model for k in KINDS.values()} | {
                c.model for k in KINDS.values() for c in k.children}:
            ROWS[model] = sorted(model._default_manager.values_list("pk", flat=True))
        BASES.clear()
        BASES.update(build_bases(w))
        keys = {name: ApiToken.issue(getattr(w, name), "fuzz")[1] for name in USERS}
    yield keys
    ROWS.clear()
    BASES.clear()


@pytest.fixture(scope="module")
def _keep_connection():
    """Django closes the connection at the end of a request that is inside a transaction; the test
    client stops that for its requests, and so must a WSGI call inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz(bearer_keys, _keep_connection, db):
    """fuzz(case, user): send the case as that user through WSGI; any 5xx fails with a curl to replay it."""

    def _send(case, user):
        case.call_and_validate(app=APP, headers={"Authorization": f"Bearer {bearer_keys[user]}"},
                               checks=[not_a_server_error])

    return _send


# ---------------------------------------------------------------- the property, for each user

SETTINGS = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


@ADMIN.parametrize()
@SETTINGS
def test_district_admin_gets_no_server_error(case, fuzz):
    fuzz(case, "district_admin")


@CADRE.parametrize()
@SETTINGS
def test_community_cadre_gets_no_server_error(case, fuzz):
    fuzz(case, "cadre_a")


@NOBODY.parametrize()
@SETTINGS
def test_cadre_of_no_organisation_gets_no_server_error(case, fuzz):
    fuzz(case, "nobody")


def _operations(document):
    return {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}


@pytest.mark.django_db
def test_every_operation_of_the_document_is_fuzzed():
    served = Client().get("/api/v1/openapi.json").json()
    assert _operations(DOCUMENT) == _operations(served)
    for s in SCHEMAS:  # parametrize() makes one test of each operation schemathesis reads
        fuzzed = {(r.ok().method.upper(), r.ok().path) for r in s.get_all_operations()}
        assert fuzzed == _operations(served)
    assert len(_operations(served)) > 200
