"""核查: what is wrong or suspicious in a node's data, each item linking to its record."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone

from unionwork.care.models import HardshipFile
from unionwork.core.masking import mask_id_number
from unionwork.core.scope import path_prefix_q
from unionwork.core.urls import record_url
from unionwork.core.validators import normalize_id_number, normalize_uscc
from unionwork.directory.models import Enterprise, Member, Membership, Union
from unionwork.labour.models import CollectiveContract
from unionwork.org.models import Node


@dataclass
class Item:
    record: object
    message: str

    @property
    def url(self):
        return record_url(self.record)


@dataclass
class Rule:
    key: str
    title: str
    explanation: str
    severity: str  # "error": wrong data; "warning": work to do or suspicious
    find: object  # callable(node_ids, today) -> list[Item]


def _members(ids):
    return Member.objects.filter(node__in=ids, archived_at__isnull=True)


def _enterprises(ids):
    return Enterprise.objects.filter(node__in=ids, archived_at__isnull=True)


def bad_id_numbers(ids, today):
    out = []
    for m in _members(ids).only("pk", "name", "id_number").iterator(chunk_size=5000):
        try:
            normalize_id_number(m.id_number, today=today)
        except ValidationError as exc:
            out.append(Item(m, f"{m.name}：身份证号 {mask_id_number(m.id_number)} {exc.messages[0].split('”')[-1]}"))
    return out


def bad_usccs(ids, today):
    out = []
    for e in _enterprises(ids).only("pk", "name", "uscc"):
        try:
            normalize_uscc(e.uscc)
        except ValidationError as exc:
            out.append(Item(e, f"{e.name}：{exc.messages[0]}"))
    return out


def two_unions(ids, today):
    people = (Membership.objects.filter(ended_on__isnull=True, union__node__in=ids).values("member")
              .annotate(n=Count("pk")).filter(n__gt=1).values_list("member", flat=True))
    return [Item(m, f"{m.name} 同时在 {m.memberships.filter(ended_on__isnull=True).count()} 个工会有未结束的会籍")
            for m in Member.objects.filter(pk__in=list(people))]


def closed_with_live_union(ids, today):
    qs = _enterprises(ids).exclude(status="operating").filter(union__isnull=False, union__archived_at__isnull=True,
                                                                union__kind="single").select_related("union")
    return [Item(e, f"{e.name} 已{e.get_status_display()}，其单独建会的「{e.union.name}」仍在册") for e in qs]


def term_expired(ids, today):
    qs = Union.objects.filter(node__parent__in=ids, archived_at__isnull=True, term_end__lt=today)
    return [Item(u, f"{u.name} 本届任期已于 {u.term_end:%Y-%m-%d} 届满，尚未换届") for u in qs]


def contract_expired(ids, today):
    qs = CollectiveContract.objects.filter(node__in=ids, archived_at__isnull=True, effective_to__lt=today,
                                           renewed_by__isnull=True)
    return [Item(c, f"{c.title} 已于 {c.effective_to:%Y-%m-%d} 到期，未续签") for c in qs]


def members_above_employees(ids, today):
    qs = (_enterprises(ids).annotate(n=Count("members", filter=Q(members__membership_status="active",
                                                                 members__archived_at__isnull=True)))
          .filter(n__gt=F("employees")))
    return [Item(e, f"{e.name} 在册会员 {e.n} 人，多于职工人数 {e.employees} 人") for e in qs]


def big_without_union(ids, today):
    qs = _enterprises(ids).filter(status="operating", employees__gte=25, union__isnull=True).order_by("-employees")
    return [Item(e, f"{e.name} 职工 {e.employees} 人，尚未建会") for e in qs]


def hardship_review_due(ids, today):
    qs = HardshipFile.objects.filter(node__in=ids, archived_at__isnull=True, status="active", next_review_on__lt=today)
    return [Item(f, f"{f.person_name} 的困难职工档案应于 {f.next_review_on:%Y-%m-%d} 前复核") for f in qs]


def duplicate_people(ids, today):
    # Phones are encrypted at rest (no two alike in the database): grouped here, after decryption.
    groups: dict = {}
    for pk, name, phone in _members(ids).exclude(phone="").values_list("pk", "name", "phone").iterator(2000):
        groups.setdefault((name, phone), []).append(pk)
    twice = {pk: len(pks) for pks in groups.values() if len(pks) > 1 for pk in pks}
    if not twice:
        return []
    return [Item(m, f"{m.name}：与另外 {twice[m.pk] - 1} 人姓名、手机号相同，身份证号不同，可能重复建档")
            for m in _members(ids).filter(pk__in=list(twice)).order_by("name", "pk")]


RULES = [
    Rule("bad_id", "身份证号校验位错误", "会员身份证号不符合 GB 11643（校验位或出生日期）", "error", bad_id_numbers),
    Rule("bad_uscc", "统一社会信用代码校验位错误", "企业信用代码不符合 GB 32100", "error", bad_usccs),
    Rule("two_unions", "一人同时在两个工会", "同一会员有两段未结束的会籍", "error", two_unions),
    Rule("closed_live_union", "已注销（停业、迁出）企业的工会仍在册", "单独建会企业已不在正常经营，其工会应撤销或归档",
         "warning", closed_with_live_union),
    Rule("term_expired", "工会任期届满未换届", "本届届满日期已过", "warning", term_expired),
    Rule("contract_expired", "集体合同到期未续签", "有效期已过且没有续签合同", "warning", contract_expired),
    Rule("members_above_employees", "会员人数多于职工人数", "企业在册会员多于登记的职工人数，人数或会籍有误", "error",
         members_above_employees),
    Rule("big_without_union", "25人以上企业未建会", "正常经营、职工25人及以上、没有工会的企业", "warning",
         big_without_union),
    Rule("hardship_review", "困难职工档案逾期未复核", "在档困难职工档案超过一年未复核", "warning", hardship_review_due),
    Rule("duplicates", "疑似重复的会员", "姓名和手机号相同而身份证号不同的会员", "warning", duplicate_people),
]


def run(node: Node, today: datetime.date | None = None):
    """[(rule, items)] for the node and everything below it."""
    today = today or timezone.localdate()
    ids = Node.objects.filter(path_prefix_q("path", node.path)).values("pk")
    return [(rule, rule.find(ids, today)) for rule in RULES]
