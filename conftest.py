"""Shared fixtures: a small hand-made district built through the services, and users of each role.

    滨河区 (district)                                        users: qu_admin (区总工会管理员)
    ├── 新华街道 (street S1)                                        jd_ganbu (街道工会干部), jingshen (经审),
    │   │                                                          zhidu (只读)
    │   ├── 天运社区 (community A)                                  sq_a (社区工会干部)
    │   │   ├── 华信机械 (ent_a) ── 华信机械工会 (union_a, single)   zhuxi_a (基层工会主席 of union_a)
    │   │   │     members 张三 (110102199101010078, 13812345678), 王芳 (11010519491231002X, 13912345678)
    │   │   ├── 宏达商贸 (ent_a2, no union)
    │   │   └── 天运社区第一联合基层工会委员会 (union_a2, joint, no enterprise, no member)
    │   └── 鹿源春社区 (community B)                                sq_b (社区工会干部)
    │       └── 鑫源物流 (ent_b) ── 鑫源物流工会 (union_b); member 李四 (360426199101010071)
    └── 和平街道 (street S2)
        └── 朝阳里社区 (community C)
            └── 恒通科技 (ent_c) ── 恒通科技工会 (union_c); member 赵六
    and wuzuzhi: a 社区工会干部 attached to no node.

The district is built once per test module (in a transaction rolled back after it); each test runs
in a savepoint inside it and gets fresh instances through the `world` fixture.

Personal codes are computed here from the standards (GB 11643, GB 32100), independently of the
code under test.
"""

import datetime
import itertools
import shutil
from types import SimpleNamespace

import pytest
from django.test import Client

from unionwork.accounts.choices import Role
from unionwork.accounts.models import ApiToken, User
from unionwork.directory import services
from unionwork.org.choices import NodeKind
from unionwork.org.services import create_node

# ---------------------------------------------------------------- codes computed from the standards

# GB 11643: weight of position i (0-based, left to right) is 2^(17-i) mod 11; check = (12 - S mod 11) mod 11.
GB11643_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def gb11643_check(first17: str) -> str:
    r = (12 - sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS, strict=True)) % 11) % 11
    return "X" if r == 10 else str(r)


def make_id(birth: str = "19900101", seq: int = 1, area: str = "120101", female: bool = False) -> str:
    """A valid 18-digit 身份证号; the 17th digit is odd for men, even for women."""
    order = (seq % 500) * 2 + (0 if female else 1)
    first17 = f"{area}{birth}{order:03d}"
    return first17 + gb11643_check(first17)


# GB 32100: 31-character alphabet, weights 3^i mod 31, check = 31 - S mod 31 (31 -> 0).
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [3**i % 31 for i in range(17)]


def gb32100_check(first17: str) -> str:
    s = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_ALPHABET[(31 - s % 31) % 31]


_uscc_counter = itertools.count(1)


def make_uscc() -> str:
    """A fresh valid 统一社会信用代码 (enterprise, registered in 120101)."""
    first17 = f"91120101{next(_uscc_counter):08d}Q"
    return first17 + gb32100_check(first17)


# ---------------------------------------------------------------- builders (through the services)


def add_enterprise(user, node, name, **extra):
    data = {"uscc": make_uscc(), "name": name, "node": node, "employees": 30, "female_employees": 10}
    data.update(extra)
    return services.create_enterprise(user, data)


def add_union(user, parent, name, enterprises=(), kind=None, **extra):
    from unionwork.directory.choices import UnionKind

    kind = kind or (UnionKind.JOINT if len(enterprises) != 1 else UnionKind.SINGLE)
    data = {"name": name, "kind": kind, "founded_on": datetime.date(2020, 5, 1), "chair_name": "刘主席"}
    data.update(extra)
    return services.found_union(user, parent=parent, data=data, enterprises=list(enterprises))


def add_member(user, union, name, id_number, enterprise=None, **extra):
    data = {"name": name, "id_number": id_number, "union": union, "enterprise": enterprise,
            "joined_on": datetime.date(2021, 3, 1)}
    data.update(extra)
    return services.create_member(user, data)


def make_user(username, role, node, **extra):
    return User.objects.create_user(username=username, password=None, role=role, node=node,
                                    display_name=extra.pop("display_name", username), **extra)


# ---------------------------------------------------------------- browser tests (Playwright)

# Debian's Chromium, never a downloaded browser (scripts/ensure-chromium installs it).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


# ---------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Passwords are hashed by seed_demo and the login page; a slow hash only slows the tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _forget_process_caches():
    """Process-level caches read from the database must not outlive a test's rolled-back rows."""
    from unionwork.accounts.services import forget_totp_nodes
    from unionwork.core.paging import forget_counts
    from unionwork.core.scope import forget_scoped
    from unionwork.org.selectors import forget_areas

    forget_totp_nodes()
    forget_counts()
    forget_areas()
    forget_scoped()
    yield
    forget_totp_nodes()
    forget_counts()
    forget_areas()
    forget_scoped()


def build_world():
    """The hand-made district above, with one user of each role, made through the services."""
    w = SimpleNamespace()
    w.district = create_node(None, kind=NodeKind.DISTRICT, name="滨河区", code="D1")
    w.street1 = create_node(None, kind=NodeKind.STREET, name="新华街道", code="D1-S1", parent=w.district)
    w.comm_a = create_node(None, kind=NodeKind.COMMUNITY, name="天运社区", code="D1-S1-A", parent=w.street1)
    w.comm_b = create_node(None, kind=NodeKind.COMMUNITY, name="鹿源春社区", code="D1-S1-B", parent=w.street1)
    w.street2 = create_node(None, kind=NodeKind.STREET, name="和平街道", code="D1-S2", parent=w.district)
    w.comm_c = create_node(None, kind=NodeKind.COMMUNITY, name="朝阳里社区", code="D1-S2-C", parent=w.street2)

    w.district_admin = make_user("qu_admin", Role.DISTRICT_ADMIN, w.district, display_name="区管理员")
    w.street_cadre = make_user("jd_ganbu", Role.STREET_CADRE, w.street1, display_name="街道干部")
    w.cadre_a = make_user("sq_a", Role.COMMUNITY_CADRE, w.comm_a, display_name="社区A干部")
    w.cadre_b = make_user("sq_b", Role.COMMUNITY_CADRE, w.comm_b, display_name="社区B干部")
    w.auditor = make_user("jingshen", Role.AUDITOR, w.street1, display_name="经审员")
    w.viewer = make_user("zhidu", Role.VIEWER, w.street1, display_name="只读员")
    w.nobody = make_user("wuzuzhi", Role.COMMUNITY_CADRE, None, display_name="未分配")

    admin = w.district_admin
    w.ent_a = add_enterprise(admin, w.comm_a, "天津华信机械制造有限公司", contact_phone="13600001111")
    w.ent_a2 = add_enterprise(admin, w.comm_a, "天津宏达商贸有限公司", employees=8, female_employees=3)
    w.ent_b = add_enterprise(admin, w.comm_b, "天津鑫源物流有限公司", contact_phone="13600002222")
    w.ent_c = add_enterprise(admin, w.comm_c, "天津恒通科技有限公司")

    w.union_a = add_union(admin, w.comm_a, "天津华信机械制造有限公司工会委员会", [w.ent_a])
    w.union_a2 = add_union(admin, w.comm_a, "天运社区第一联合基层工会委员会")
    w.union_b = add_union(admin, w.comm_b, "天津鑫源物流有限公司工会委员会", [w.ent_b])
    w.union_c = add_union(admin, w.comm_c, "天津恒通科技有限公司工会委员会", [w.ent_c])

    w.chair_a = make_user("zhuxi_a", Role.UNION_CHAIR, w.union_a.node, display_name="华信主席")

    w.zhangsan = add_member(admin, w.union_a, "张三", "110102199101010078", w.ent_a, phone="13812345678")
    w.wangfang = add_member(admin, w.union_a, "王芳", "11010519491231002X", w.ent_a, phone="13912345678")
    w.lisi = add_member(admin, w.union_b, "李四", "360426199101010071", w.ent_b, phone="13700001111")
    w.zhaoliu = add_member(admin, w.union_c, "赵六", make_id("19850505", 3), w.ent_c, phone="15900001111")
    return w


@pytest.fixture(scope="module")
def _world_rows(django_db_setup, django_db_blocker):
    """Build the district once per test module, inside a transaction rolled back after the module.

    Each test then runs in its own savepoint inside it (as Django's setUpTestData does), so what a
    test writes is undone before the next one, and the next module starts from an empty database.
    """
    from django.db import transaction

    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            rows = {name: (type(obj), obj.pk) for name, obj in vars(build_world()).items()}
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield rows
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(request, _world_rows, db):
    """The district for one test: fresh instances of the module's rows (the savepoint resets the data).

    _world_rows is module-scoped, so pytest sets it up before the test's own transaction: the test's
    savepoint nests inside it. Transactional tests (live server, transaction=True) cannot nest in
    it: they call build_world() themselves.
    """
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        pytest.fail("world is for tests in a transaction; transactional tests call conftest.build_world()")
    w = SimpleNamespace()
    for name, (model, pk) in _world_rows.items():
        setattr(w, name, model._default_manager.get(pk=pk))
    return w


@pytest.fixture
def login():
    """login(user) -> a test client with a session of that user (force_login: axes stays out of the way)."""

    def _login(user):
        c = Client()
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def api():
    """api(user) -> a test client that sends that user's Bearer token (no session)."""

    def _api(user):
        _, key = ApiToken.issue(user, "测试")
        return Client(headers={"Authorization": f"Bearer {key}"})

    return _api


HTMX = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def htmx_headers():
    return dict(HTMX)


# ---------------------------------------------------------------- reading responses


def xlsx_rows(response) -> list[dict]:
    """The rows of an exported workbook as {header: value} dicts."""
    import io

    import openpyxl

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    ws = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


# kind -> (list page, API list, the name column of the export)
KINDS = {
    "enterprise": ("/directory/enterprises/", "/api/v1/enterprises", "单位名称"),
    "union": ("/directory/unions/", "/api/v1/unions", "工会名称"),
    "member": ("/directory/members/", "/api/v1/members", "姓名"),
}


def row_of(world, kind, community):
    """The fixture row of that kind in community 'a', 'b' or 'c'."""
    return {
        "enterprise": {"a": world.ent_a, "b": world.ent_b, "c": world.ent_c},
        "union": {"a": world.union_a, "b": world.union_b, "c": world.union_c},
        "member": {"a": world.zhangsan, "b": world.lisi, "c": world.zhaoliu},
    }[kind][community]


def detail_url(kind, pk):
    return f"/directory/{kind}s/{pk}/"


def api_url(kind, pk=None):
    return f"/api/v1/{kind}s" + (f"/{pk}" if pk is not None else "")


# ---------------------------------------------------------------- form posts of the pages


def enterprise_post(node, name="天津新登记有限公司", uscc=None, **extra):
    data = {"uscc": uscc or make_uscc(), "name": name, "node": node.pk if node else "", "unit_category": "170",
            "industry": "C", "employees": "40", "female_employees": "12", "migrant_workers": "5",
            "established_on": "", "address": "测试路1号", "contact_person": "孙经理", "contact_phone": "13511112222",
            "note": ""}
    data.update(extra)
    return data


def union_post(parent, name="新建工会委员会", enterprises=(), kind=None, **extra):
    data = {"parent": parent.pk if parent else "", "enterprises": [e.pk for e in enterprises], "name": name,
            "code": "", "kind": kind or ("single" if len(enterprises) == 1 else "joint"),
            "founded_on": "2024-06-01", "chair_name": "周主席", "chair_phone": "13611112222", "vice_chairs": "",
            "term_start": "2024-06-01", "term_end": "2029-05-31", "note": ""}
    data.update(extra)
    return data


def member_post(union, id_number, name="钱七", enterprise=None, **extra):
    data = {"name": name, "id_number": id_number, "gender": "", "ethnicity": "汉族", "birth_date": "",
            "phone": "13711112222", "education": "bachelor", "political_status": "masses",
            "union": union.pk if union else "", "enterprise": enterprise.pk if enterprise else "",
            "joined_on": "2024-01-02", "work_status": "employed", "skills": "", "honours": "", "note": ""}
    data.update(extra)
    return data


def edit_post(kind, obj, **changes):
    """The edit form's post for an existing row, with some fields changed."""
    if kind == "enterprise":
        data = enterprise_post(obj.node, name=obj.name, uscc=obj.uscc, contact_phone=obj.contact_phone)
    elif kind == "union":
        data = union_post(None, name=obj.name, enterprises=list(obj.enterprises.all()), kind=obj.kind)
        data.pop("parent")
    else:
        data = member_post(None, "", name=obj.name, enterprise=obj.enterprise, phone="",
                           gender=obj.gender, birth_date=obj.birth_date.isoformat(),
                           joined_on=obj.joined_on.isoformat() if obj.joined_on else "")
        data.pop("union")
    data.update(changes)
    return data


def form_as_posted(response, **changes) -> dict:
    """What a browser submits for the form on a page, untouched, with some fields changed."""
    import datetime as _dt

    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    data = {}
    for bf in form:
        value = bf.value()
        if isinstance(value, bool) or bf.field.widget.input_type == "checkbox":
            if value:
                data[bf.name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, _dt.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [str(getattr(v, "pk", v)) for v in value]
        else:
            value = str(getattr(value, "pk", value))
        data[bf.name] = value
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = value
    return data
