"""The deterministic demo and benchmark data of the directory: one seed number, the same data.

Bulk inserts (not the services) so that a district of 200,000 members loads in about a minute;
every code it writes is valid, so the data passes the same checks as what users type.

Members and their memberships, nearly all of the rows, skip model instances: bulk_create spends
tens of µs a row in Python building them and their SQL, more than the database takes to store them,
so they are written with executemany (_insert_rows). The random draws keep their order: a seed
gives the same rows, ids included, as the model-instance version did.
"""

import datetime
import random
from functools import lru_cache

from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from unionwork.core.crypto import lookup_hash
from unionwork.core.fields import EncryptedTextField, LookupHashField
from unionwork.core.scope import path_prefix_q
from unionwork.core.text import pinyin_keys
from unionwork.core.validators import id_check_char
from unionwork.org.choices import NodeKind
from unionwork.org.models import Node

from .choices import ETHNICITIES, MembershipEvent, OperatingStatus, UnionKind
from .models import Enterprise, Member, Membership, Union

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭"
    "廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强海燕红梅晓东丹丹宇浩然思远欣怡子涵雨桐梓轩一鸣佳琪文博嘉怡振华淑珍春梅立新德华永刚凤英国庆"
STREETS = ["新华街道", "和平街道", "劝业场街道", "小白楼街道", "五大道街道", "南营门街道"]
COMMUNITIES = [
    "天运", "鹿源春", "朝阳里", "文化村", "迎春里", "兴安", "福安", "宝鸡里", "昆明里", "贵州里", "桂林里", "山西里",
    "长春里", "花园里", "新兴里", "西湖里", "中心里", "友谊里", "图书馆", "瑞金里", "汇川里", "丰泽里", "育红里", "德才里",
]
BRANDS = "华信 宏达 鑫源 恒通 瑞丰 嘉禾 金桥 天成 永盛 博远 中联 东方 新城 远航 和美 利民 兴业 安泰 康宁 汇丰 盛世 长城 金鼎 海川 顺发 立信 德馨 宝利 众合 华夏".split()
TRADES = [
    ("C", "机械制造"), ("C", "食品"), ("C", "电子"), ("E", "建筑工程"), ("F", "商贸"), ("F", "超市"), ("G", "物流"),
    ("H", "餐饮管理"), ("H", "酒店"), ("I", "科技"), ("I", "软件"), ("J", "投资"), ("K", "物业服务"), ("L", "人力资源"),
    ("M", "设计咨询"), ("O", "家政服务"), ("P", "培训学校"), ("Q", "诊所"), ("R", "文化传媒"),
]
SUFFIX = ["有限公司", "有限公司", "有限公司", "股份有限公司", "（个体工商户）", "中心"]
AREA_CODES = [f"1201{n:02d}" for n in (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16)] + ["130102", "370102", "410105"]
TODAY = datetime.date(2026, 11, 1)  # fixed so the same seed gives the same data on any day


@lru_cache(maxsize=50_000)
def _pinyin(name):
    return pinyin_keys(name)


def org_code_check(code8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a USCC."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    c = 11 - sum(alphabet.index(ch) * w for ch, w in zip(code8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_uscc(rng: random.Random, used: set) -> str:
    while True:
        body8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        org = body8 + org_code_check(body8)
        if "X" in org[-1:] and rng.random() < 0.5:
            continue
        prefix = rng.choice(["91", "91", "91", "92", "12", "52"]) + "120101"
        number = prefix + org
        number += stdnum_uscc.calc_check_digit(number)
        if number not in used and stdnum_uscc.is_valid(number):
            used.add(number)
            return number


def make_id_number(rng: random.Random, used: set, birth: datetime.date, female: bool) -> str:
    while True:
        seq = rng.randrange(0, 100) * 10 + (rng.randrange(0, 5) * 2 + (0 if female else 1))
        first17 = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:03d}"
        number = first17 + id_check_char(first17)
        if number not in used:
            used.add(number)
            return number


def make_person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def _rand_date(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _bulk_nodes(specs):
    """Insert nodes whose parents exist already, then set their paths (ids come back from the insert)."""
    nodes = [Node(kind=k, name=n, code=c, union_name=u, parent=p, depth=p.depth + 1 if p else 0, path=f"tmp-{c}")
             for k, n, c, u, p in specs]
    Node.objects.bulk_create(nodes, batch_size=1000)
    if any(n.pk is None for n in nodes):  # databases that do not return ids from bulk inserts
        by_code = dict(Node.objects.filter(code__in=[n.code for n in nodes]).values_list("code", "pk"))
        for n in nodes:
            n.pk = n.id = by_code[n.code]
    for n in nodes:
        n.path = (n.parent.path if n.parent else "") + f"{n.pk}/"
    _update_column(Node, "path", [(n.path, n.pk) for n in nodes])
    return nodes


def _update_column(model, field_name, value_pk_pairs):
    """UPDATE one column of many rows by pk (bulk_update's CASE WHEN is slow for thousands of rows)."""
    field, qn = model._meta.get_field(field_name), connection.ops.quote_name
    sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(field.column)} = %s WHERE {qn(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(field.get_db_prep_save(v, connection), pk) for v, pk in value_pk_pairs])


_NEEDS_PREP = (models.DateField, models.TimeField, models.DecimalField, models.UUIDField, models.JSONField)


def _insert_rows(model, rows, batch_size=5000):
    """INSERT dicts of attname -> value without model instances, as bulk_create would store them.

    Fields a row does not give get their default (as Model() would), or the database's own
    (db_default); auto_now(_add) fields get one shared now(). Plain values (str, int, bool, ids)
    go to the driver as they are; dates and the like through the field's own conversion. No
    signals, no ids back (as bulk_create).
    """
    if not rows:
        return
    given = list(rows[0])
    fields = [f for f in model._meta.concrete_fields
              if f.attname in given or not (f.primary_key or getattr(f, "has_db_default", lambda: False)())]
    now, fixed, per_row = timezone.now(), {}, []
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = f.get_db_prep_save(now if isinstance(f, models.DateTimeField) else now.date(),
                                                  connection)
        elif f.has_default() and callable(f.default):
            per_row.append(f)
        else:
            fixed[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    # Lookup hashes come from their source's plain value, before the source itself is encrypted.
    hashes = [f for f in fields if isinstance(f, LookupHashField) and f.attname not in given]
    for f in hashes:
        fixed.pop(f.attname, None)
    prep = [(f.attname, f.get_db_prep_save if isinstance(f, _NEEDS_PREP + (EncryptedTextField,)) else None)
            for f in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            params = []
            for row in rows[start:start + batch_size]:
                for f in per_row:
                    row[f.attname] = f.get_db_prep_save(f.get_default(), connection)
                for f in hashes:
                    row[f.attname] = lookup_hash(row.get(f.source) or "")
                params.append([
                    fixed[name] if name not in row else conv(row[name], connection) if conv else row[name]
                    for name, conv in prep
                ])
            cursor.executemany(sql, params)


@transaction.atomic
def generate(*, seed=2026, streets=3, communities_per_street=8, enterprises=2000, members=20000, progress=None):
    """Build a district. Returns a dict of what was made (nodes by level, counts)."""
    rng = random.Random(seed)
    say = progress or (lambda msg: None)
    if connection.vendor == "sqlite":
        # Room for the member indexes while they are filled (SQLite's default page cache is 2 MB;
        # the indexes of 200,000 members are ~100 MB). This connection only, memory as needed.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    (district,) = _bulk_nodes([(NodeKind.DISTRICT, "滨河区", "D01", "滨河区总工会", None)])
    street_nodes = _bulk_nodes([
        (NodeKind.STREET, STREETS[i], f"D01-S{i + 1:02d}", STREETS[i] + "总工会", district) for i in range(streets)
    ])
    comm_specs, names = [], iter(rng.sample(COMMUNITIES, len(COMMUNITIES)) * 10)
    for s in street_nodes:
        n = max(1, communities_per_street + rng.choice([-1, 0, 0, 1])) if communities_per_street > 2 else communities_per_street
        for j in range(n):
            name = next(names) + "社区"
            comm_specs.append((NodeKind.COMMUNITY, name, f"{s.code}-C{j + 1:02d}", name + "联合工会", s))
    communities = _bulk_nodes(comm_specs)
    say(f"组织：1 个区，{len(street_nodes)} 个街道，{len(communities)} 个社区")

    # Enterprises
    used_uscc, ents = set(), []
    for i in range(enterprises):
        comm = communities[i % len(communities)] if i < len(communities) else rng.choice(communities)
        industry, trade = rng.choice(TRADES)
        r = rng.random()
        employees = rng.randint(3, 24) if r < 0.6 else rng.randint(25, 200) if r < 0.92 else rng.randint(201, 2000)
        status = rng.choices(list(OperatingStatus.values), weights=[90, 4, 4, 2])[0]
        name = f"天津{rng.choice(BRANDS)}{rng.choice(BRANDS)}{trade}{rng.choice(SUFFIX)}"
        if any(e.name == name for e in ents[-50:]):
            name = name.replace("有限公司", f"第{i}分公司")
        established = _rand_date(rng, datetime.date(1995, 1, 1), datetime.date(2025, 6, 30))
        ent = Enterprise(
            uscc=make_uscc(rng, used_uscc), name=name, node=comm, industry=industry,
            unit_category=rng.choices(["170", "150", "160", "110", "300", "600", "700", "400"],
                                      weights=[45, 25, 6, 4, 4, 8, 5, 3])[0],
            employees=employees, female_employees=int(employees * rng.uniform(0.2, 0.6)),
            migrant_workers=int(employees * rng.uniform(0, 0.5)), status=status,
            status_date=_rand_date(rng, established, TODAY) if status != OperatingStatus.OPERATING else None,
            established_on=established, address=f"{comm.name}{rng.randint(1, 300)}号",
            contact_person=make_person_name(rng), contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        )
        ent.name_pinyin, ent.name_initials = _pinyin(name)
        ents.append(ent)
    Enterprise.objects.bulk_create(ents, batch_size=2000)
    if any(e.pk is None for e in ents):
        ids = dict(Enterprise.objects.values_list("uscc", "pk"))
        for e in ents:
            e.pk = e.id = ids[e.uscc]
    say(f"企业：{len(ents)} 家")

    # Unions: most operating enterprises with >=25 employees have their own; small ones share joint unions.
    union_specs, coverage = [], []
    by_comm: dict[int, list[Enterprise]] = {}
    for e in ents:
        by_comm.setdefault(e.node_id, []).append(e)
    for comm in communities:
        small_pool = []
        for e in by_comm.get(comm.pk, []):
            if e.status == OperatingStatus.CANCELLED and rng.random() < 0.9:
                continue
            if e.employees >= 25:
                if rng.random() < 0.86:
                    union_specs.append((comm, e.name.replace("（个体工商户）", "") + "工会委员会", UnionKind.SINGLE))
                    coverage.append([e])
            elif e.status == OperatingStatus.OPERATING and rng.random() < 0.55:
                small_pool.append(e)
        k = 0
        while small_pool:
            size = rng.randint(3, 8)
            group, small_pool = small_pool[:size], small_pool[size:]
            k += 1
            union_specs.append((comm, f"{comm.name}第{k}联合基层工会委员会", UnionKind.JOINT))
            coverage.append(group)
    union_nodes = _bulk_nodes([
        (NodeKind.UNION, name, f"{comm.code}-U{i + 1:05d}", name, comm) for i, (comm, name, _) in enumerate(union_specs)
    ])
    unions = []
    for node, (_comm, name, kind), group in zip(union_nodes, union_specs, coverage, strict=True):
        founded = _rand_date(rng, max(e.established_on for e in group), TODAY - datetime.timedelta(days=30))
        term_start = _rand_date(rng, max(founded, TODAY - datetime.timedelta(days=5 * 365)), TODAY)
        u = Union(
            node=node, name=name, kind=kind, founded_on=founded, code=node.code,
            chair_name=make_person_name(rng), chair_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            vice_chairs="、".join(make_person_name(rng) for _ in range(rng.choice([0, 1, 1, 2]))),
            term_start=term_start, term_end=term_start.replace(year=term_start.year + 5) if term_start.month != 2
            or term_start.day != 29 else term_start + datetime.timedelta(days=5 * 365),
            sign_shown=rng.random() < 0.7, chair_shown=rng.random() < 0.6, staff_home=rng.random() < 0.4,
            reading_room=rng.random() < 0.25, women_committee=rng.random() < 0.5, audit_committee=rng.random() < 0.6,
            mediation_committee=rng.random() < 0.5, law_supervision_group=rng.random() < 0.3,
        )
        u.name_pinyin, u.name_initials = _pinyin(name)
        unions.append(u)
    Union.objects.bulk_create(unions, batch_size=2000)
    if any(u.pk is None for u in unions):
        ids = dict(Union.objects.values_list("node_id", "pk"))
        for u in unions:
            u.pk = u.id = ids[u.node_id]
    covered = []
    for u, group in zip(unions, coverage, strict=True):
        for e in group:
            e.union = u
            covered.append(e)
    _update_column(Enterprise, "union", [(e.union_id, e.pk) for e in covered])
    say(f"基层工会：{len(unions)} 个（覆盖企业 {len(covered)} 家）")

    # Members, spread over unions in proportion to the employees they cover.
    weights = [sum(e.employees for e in group) for group in coverage]
    used_ids, batch, made = set(), [], 0
    chosen = rng.choices(range(len(unions)), weights=weights, k=members) if unions else []
    for idx in chosen:
        u, group = unions[idx], coverage[idx]
        female = rng.random() < 0.45
        birth = _rand_date(rng, datetime.date(1962, 1, 1), datetime.date(2004, 12, 31))
        name = make_person_name(rng)
        joined = _rand_date(rng, max(u.founded_on, birth.replace(year=birth.year + 18) if not (
            birth.month == 2 and birth.day == 29) else birth + datetime.timedelta(days=18 * 365)), TODAY)
        # The draws below happen in this order (the order of the keys); keep it so a seed keeps its data.
        m = dict(
            name=name, gender="F" if female else "M", ethnicity="汉族" if rng.random() < 0.94 else rng.choice(ETHNICITIES),
            id_number=make_id_number(rng, used_ids, birth, female), birth_date=birth,
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else "",
            education=rng.choice(["junior", "senior", "senior", "college", "bachelor", "bachelor", "postgrad"]),
            political_status=rng.choices(["masses", "cpc", "cyl", "democratic"], weights=[70, 18, 10, 2])[0],
            enterprise_id=rng.choice(group).pk, union_id=u.pk, node_id=u.node_id, joined_on=joined,
            work_status="retired" if birth.year < 1966 and rng.random() < 0.5 else "employed",
            is_migrant=rng.random() < 0.2, honours="劳模" if rng.random() < 0.003 else
            ("技术能手" if rng.random() < 0.01 else ""),
        )
        m["name_pinyin"], m["name_initials"] = _pinyin(name)
        batch.append(m)
        if len(batch) >= 10000:
            _insert_rows(Member, batch)
            made += len(batch)
            batch = []
            say(f"会员：{made} / {members}")
    _insert_rows(Member, batch)
    made += len(batch)
    _open_memberships(district)
    say(f"会员：{made} 人")
    return {"district": district, "streets": street_nodes, "communities": communities, "unions": unions,
            "enterprises": len(ents), "members": made}


def _open_memberships(district):
    """One open stay (a join on the day they joined) for every member just made: those below the new
    district, whose nodes nobody else can see yet (same transaction)."""
    below = Node.objects.filter(path_prefix_q("path", district.path)).values("id")
    rows = Member.objects.filter(node__in=below).order_by("id").values_list("id", "union_id", "joined_on")
    _insert_rows(Membership, [
        {"member_id": pk, "union_id": union_id, "started_on": joined, "start_event": MembershipEvent.JOIN}
        for pk, union_id, joined in rows.iterator(chunk_size=10000)
    ])
