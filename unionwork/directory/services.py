"""Writes of the directory: atomic, validated, scoped and audited."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_can_write, ensure_perm, ensure_visible
from unionwork.core.validators import (
    id_birth_date,
    id_gender,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_uscc,
)
from unionwork.org.choices import NodeKind
from unionwork.org.models import Node
from unionwork.org.services import create_node

from .choices import MembershipEvent, MembershipStatus, OperatingStatus, UnionKind
from .models import Enterprise, Member, Membership, Union
from .selectors import member_by_id_number


def _apply(obj, data: dict):
    for key, value in data.items():
        setattr(obj, key, value)


def _full_clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _save(obj, unique_message: dict):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a race past our checks: still a clear message, nothing written
        raise ValidationError(unique_message) from exc


# ---------------------------------------------------------------- enterprises


def _validate_enterprise(user, ent: Enterprise):
    errors = {}
    try:
        ent.uscc = normalize_uscc(ent.uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages
    try:
        ent.contact_phone = normalize_phone(ent.contact_phone)
    except ValidationError as exc:
        errors["contact_phone"] = exc.messages
    if ent.node_id and ent.node.kind != NodeKind.COMMUNITY:
        errors["node"] = ["企业应归属到社区"]
    if ent.female_employees > ent.employees:
        errors["female_employees"] = [f"女职工人数（{ent.female_employees}）不能多于职工人数（{ent.employees}）"]
    if ent.migrant_workers > ent.employees:
        errors["migrant_workers"] = [f"农民工人数（{ent.migrant_workers}）不能多于职工人数（{ent.employees}）"]
    if "uscc" not in errors:
        clash = Enterprise.objects.filter(uscc=ent.uscc).exclude(pk=ent.pk).first()
        if clash:
            errors["uscc"] = [f"统一社会信用代码“{ent.uscc}”已登记为「{clash.name}」"]
    if errors:
        raise ValidationError(errors)
    _full_clean(ent, exclude=["union"])


@transaction.atomic
def create_enterprise(user, data: dict, source="web") -> Enterprise:
    ent = Enterprise(**data)
    ensure_can_write(user, Perm.CREATE, ent.node if ent.node_id else None)
    _validate_enterprise(user, ent)
    ent.refresh_pinyin()
    _save(ent, {"uscc": [f"统一社会信用代码“{ent.uscc}”已登记"]})
    audit.record_created(ent, user, source=source)
    return ent


@transaction.atomic
def update_enterprise(user, ent: Enterprise, data: dict, source="web") -> Enterprise:
    ent = Enterprise.objects.select_for_update().get(pk=ent.pk)
    ensure_can_write(user, Perm.CHANGE, ent.node)
    before = audit.snapshot(ent)
    data = {k: v for k, v in data.items() if k not in {"union", "status", "status_date"}}
    _apply(ent, data)
    ensure_can_write(user, Perm.CHANGE, ent.node)  # moving a row out of one's scope is refused
    _validate_enterprise(user, ent)
    ent.refresh_pinyin()
    changes = audit.diff(before, audit.snapshot(ent), Enterprise)
    if changes:
        _save(ent, {"uscc": [f"统一社会信用代码“{ent.uscc}”已登记"]})
        audit.record(ent, user, "update", changes, source=source)
    return ent


@transaction.atomic
def change_enterprise_status(user, ent: Enterprise, status: str, on: datetime.date, note="", source="web"):
    ent = Enterprise.objects.select_for_update().get(pk=ent.pk)
    ensure_can_write(user, Perm.CHANGE, ent.node)
    if status not in OperatingStatus.values:
        raise ValidationError({"status": ["未知的经营状态"]})
    if status == ent.status:
        raise ValidationError({"status": [f"该企业已是“{ent.get_status_display()}”状态"]})
    if on is None:
        raise ValidationError({"status_date": ["请填写状态变更日期"]})
    if on > timezone.localdate():
        raise ValidationError({"status_date": ["状态变更日期不能晚于今天"]})
    before = audit.snapshot(ent)
    ent.status, ent.status_date = status, on
    ent.save(update_fields=["status", "status_date", "updated_at"])
    audit.record(ent, user, "status", audit.diff(before, audit.snapshot(ent), Enterprise), message=note, source=source)
    return ent


# ---------------------------------------------------------------- archive / restore (all three)


@transaction.atomic
def archive(user, obj, source="web", reason=""):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    ensure_can_write(user, Perm.ARCHIVE, _scope_node(obj))
    if obj.archived_at:
        raise ValidationError("该记录已归档")
    if isinstance(obj, Union):
        active = obj.members.filter(membership_status=MembershipStatus.ACTIVE, archived_at__isnull=True).count()
        if active:
            raise ValidationError(f"「{obj.name}」尚有 {active} 名在册会员，请先办理转会或退会后再归档")
    obj.archived_at = timezone.now()
    obj.save(update_fields=["archived_at"])
    if isinstance(obj, Union):
        Node.objects.filter(pk=obj.node_id).update(archived_at=obj.archived_at)
        for ent in obj.enterprises.all():  # each enterprise's history says it lost its union
            audit.record(ent, user, "update", {"union": {"label": "所属工会", "old": obj.name, "new": ""}},
                         message=f"「{obj.name}」已归档", source=source)
        obj.enterprises.update(union=None)
    audit.record(obj, user, "archive", message=reason, source=source)
    return obj


@transaction.atomic
def restore(user, obj, source="web"):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    node = _scope_node(obj)
    if node.kind == NodeKind.UNION and node.archived_at:
        # Archiving a union archives its node too: judge the scope where that node sits, as restored.
        node.archived_at = None
    ensure_can_write(user, Perm.ARCHIVE, node)
    if not obj.archived_at:
        raise ValidationError("该记录未归档")
    if isinstance(obj, Member) and obj.union.archived_at:
        raise ValidationError(f"会员所在工会「{obj.union.name}」已归档，请先恢复该工会")
    obj.archived_at = None
    obj.save(update_fields=["archived_at"])
    if isinstance(obj, Union):
        Node.objects.filter(pk=obj.node_id).update(archived_at=None)
    audit.record(obj, user, "restore", source=source)
    return obj


def _scope_node(obj):
    return obj.node


# ---------------------------------------------------------------- unions


def _validate_union(union: Union):
    errors = {}
    try:
        union.chair_phone = normalize_phone(union.chair_phone)
    except ValidationError as exc:
        errors["chair_phone"] = exc.messages
    if union.term_start and union.term_end and union.term_end < union.term_start:
        errors["term_end"] = ["届满日期不能早于本届起始日期"]
    if union.founded_on and union.founded_on > timezone.localdate():
        errors["founded_on"] = ["成立日期不能晚于今天"]
    if errors:
        raise ValidationError(errors)
    _full_clean(union, exclude=["node"])


def _check_coverage(user, union_kind, enterprises, union=None):
    errors = []
    for ent in enterprises:
        ensure_can_write(user, Perm.CHANGE, ent.node)
        if ent.union_id and (union is None or ent.union_id != union.pk):
            errors.append(f"「{ent.name}」已由「{ent.union.name}」覆盖")
        if ent.status != OperatingStatus.OPERATING:
            errors.append(f"「{ent.name}」状态为{ent.get_status_display()}，不能建会")
        if ent.archived_at:
            errors.append(f"「{ent.name}」已归档")
    if union_kind == UnionKind.SINGLE and len(enterprises) > 1:
        errors.append("单独建会的工会只能覆盖一家企业；覆盖多家企业请选择“联合基层工会”")
    if errors:
        raise ValidationError({"enterprises": errors})


@transaction.atomic
def found_union(user, *, parent: Node, data: dict, enterprises=(), source="web") -> Union:
    """建会: create the union, its node under the community, and link the enterprises it covers."""
    ensure_can_write(user, Perm.CREATE, parent)
    enterprises = list(Enterprise.objects.select_for_update().filter(pk__in=[e.pk for e in enterprises]))
    union = Union(**data)
    union.node = parent  # placeholder so validation sees a node; replaced below
    _validate_union(union)
    _check_coverage(user, union.kind, enterprises)
    if parent.kind not in (NodeKind.COMMUNITY, NodeKind.STREET):
        raise ValidationError({"parent": ["基层工会应设在社区或街道下"]})
    code = union.code or f"{parent.code}-U{Node.objects.filter(parent=parent).count() + 1:04d}"
    while Node.objects.filter(code=code).exists():
        code += "a"
    node = create_node(None, kind=NodeKind.UNION, name=union.name, code=code, parent=parent, union_name=union.name)
    union.node = node
    union.refresh_pinyin()
    union.save()
    for ent in enterprises:
        ent.union = union
        ent.save(update_fields=["union", "updated_at"])
        audit.record(ent, user, "found_union", {"union": {"label": "所属工会", "old": "", "new": union.name}},
                     source=source)
    names = "、".join(e.name for e in enterprises)
    audit.record_created(union, user, source=source, message=f"建会，覆盖企业：{names}" if names else "建会")
    return union


@transaction.atomic
def update_union(user, union: Union, data: dict, enterprises=None, source="web") -> Union:
    union = Union.objects.select_for_update().select_related("node").get(pk=union.pk)
    ensure_can_write(user, Perm.CHANGE, union.node)
    before = audit.snapshot(union)
    _apply(union, data)
    _validate_union(union)
    union.refresh_pinyin()
    changes = audit.diff(before, audit.snapshot(union), Union)
    if enterprises is not None:
        enterprises = list(Enterprise.objects.select_for_update().filter(pk__in=[e.pk for e in enterprises]))
        _check_coverage(user, union.kind, enterprises, union=union)
        old = {e.pk: e for e in union.enterprises.all()}
        new = {e.pk: e for e in enterprises}
        for pk in old.keys() - new.keys():
            ent = old[pk]
            ensure_can_write(user, Perm.CHANGE, ent.node)
            ent.union = None
            ent.save(update_fields=["union", "updated_at"])
            audit.record(ent, user, "update", {"union": {"label": "所属工会", "old": union.name, "new": ""}}, source=source)
        for pk in new.keys() - old.keys():
            ent = new[pk]
            ent.union = union
            ent.save(update_fields=["union", "updated_at"])
            audit.record(ent, user, "update", {"union": {"label": "所属工会", "old": "", "new": union.name}}, source=source)
        if old.keys() != new.keys():
            changes["enterprises"] = {
                "label": "覆盖企业",
                "old": "、".join(sorted(e.name for e in old.values())),
                "new": "、".join(sorted(e.name for e in new.values())),
            }
    if changes:
        union.save()
        if "name" in changes:
            Node.objects.filter(pk=union.node_id).update(name=union.name, union_name=union.name)
        audit.record(union, user, "update", changes, source=source)
    return union


# ---------------------------------------------------------------- members


def _validate_member(member: Member):
    errors = {}
    try:
        member.id_number = normalize_id_number(member.id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    else:
        birth = id_birth_date(member.id_number)
        if member.birth_date and member.birth_date != birth:
            errors["birth_date"] = [f"出生日期与身份证号不一致（身份证号中为 {birth:%Y-%m-%d}）"]
        member.birth_date = birth
        gender = id_gender(member.id_number)
        if not member.gender:
            member.gender = gender
        elif member.gender != gender:
            errors["gender"] = [f"性别与身份证号不一致（身份证号第17位表明为{'男' if gender == 'M' else '女'}）"]
    try:
        member.phone = normalize_mobile(member.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if member.joined_on and member.joined_on > timezone.localdate():
        errors["joined_on"] = ["入会日期不能晚于今天"]
    if member.joined_on and member.birth_date and member.joined_on < member.birth_date:
        errors["joined_on"] = ["入会日期不能早于出生日期"]
    if member.enterprise_id and member.union_id and member.enterprise.union_id not in (None, member.union_id):
        errors["enterprise"] = [f"工作单位「{member.enterprise.name}」属于「{member.enterprise.union.name}」，与所选工会不一致"]
    if "id_number" not in errors:
        holder = member_by_id_number(member.id_number)
        if holder and holder.pk != member.pk:
            if holder.membership_status == MembershipStatus.ACTIVE:
                errors["id_number"] = [
                    f"该人员已是「{holder.union.name}」的会员，一人同时只能加入一个工会；如需变更请由原工会办理转会"
                ]
            else:
                errors["id_number"] = [
                    f"该人员已在「{holder.union.name}」建有会员档案（{holder.get_membership_status_display()}），"
                    "请在原档案中办理重新入会，不要重复建档"
                ]
    if errors:
        raise ValidationError(errors)
    _full_clean(member, exclude=["node"])


@transaction.atomic
def create_member(user, data: dict, source="web") -> Member:
    member = Member(**data)
    if not member.union_id:
        raise ValidationError({"union": ["请选择所在工会"]})
    ensure_can_write(user, Perm.CREATE, member.union.node)
    if member.enterprise_id:
        ensure_visible(user, member.enterprise, "工作单位")
    member.node = member.union.node
    member.membership_status = MembershipStatus.ACTIVE
    member.joined_on = member.joined_on or timezone.localdate()
    _validate_member(member)
    member.refresh_pinyin()
    _save(member, {"id_number": ["该身份证号已登记"]})
    Membership.objects.create(member=member, union=member.union, started_on=member.joined_on,
                              start_event=MembershipEvent.JOIN)
    audit.record_created(member, user, source=source)
    return member


@transaction.atomic
def update_member(user, member: Member, data: dict, source="web") -> Member:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the enterprise join.
    member = Member.objects.select_for_update(of=("self",)).select_related("union", "enterprise").get(pk=member.pk)
    ensure_can_write(user, Perm.CHANGE, member.node)
    before = audit.snapshot(member)
    # The union changes only through transfer, the status only through leave/transfer.
    data = {k: v for k, v in data.items() if k not in {"union", "membership_status", "node"}}
    _apply(member, data)
    if member.enterprise_id:
        ensure_visible(user, member.enterprise, "工作单位")
    _validate_member(member)
    member.refresh_pinyin()
    changes = audit.diff(before, audit.snapshot(member), Member)
    if changes:
        _save(member, {"id_number": ["该身份证号已登记"]})
        audit.record(member, user, "update", changes, source=source)
    return member


@transaction.atomic
def transfer_member(user, member: Member, to_union: Union, on: datetime.date, enterprise=None, note="",
                    source="web") -> Member:
    """转会: close the stay in the old union, open one in the new; both unions keep the history."""
    member = Member.objects.select_for_update().select_related("union").get(pk=member.pk)
    ensure_can_write(user, Perm.CHANGE, member.node)
    ensure_can_write(user, Perm.CHANGE, to_union.node)
    errors = {}
    if member.archived_at:
        errors["member"] = ["已归档的会员不能转会"]
    if to_union.pk == member.union_id and member.membership_status == MembershipStatus.ACTIVE:
        errors["to_union"] = [f"该会员已在「{to_union.name}」"]
    if to_union.archived_at:
        errors["to_union"] = [f"「{to_union.name}」已归档"]
    if member.membership_status == MembershipStatus.DECEASED:
        errors["member"] = ["已去世的会员不能转会"]
    if on is None:
        errors["on"] = ["请填写转会日期"]
    elif on > timezone.localdate():
        errors["on"] = ["转会日期不能晚于今天"]
    open_stay = member.memberships.filter(ended_on__isnull=True).first()
    if on and open_stay and on < open_stay.started_on:
        errors["on"] = [f"转会日期不能早于在原工会的入会日期 {open_stay.started_on:%Y-%m-%d}"]
    if enterprise is not None:
        ensure_visible(user, enterprise, "工作单位")
        if enterprise.union_id not in (None, to_union.pk):
            errors["enterprise"] = [f"「{enterprise.name}」属于「{enterprise.union.name}」，与转入工会不一致"]
    if errors:
        raise ValidationError(errors)
    old_union = member.union
    rejoin = member.membership_status != MembershipStatus.ACTIVE
    if open_stay:
        open_stay.ended_on, open_stay.end_event = on, MembershipEvent.TRANSFER_OUT
        open_stay.note = note
        open_stay.save(update_fields=["ended_on", "end_event", "note"])
    Membership.objects.create(member=member, union=to_union, started_on=on, note=note,
                              start_event=MembershipEvent.JOIN if rejoin else MembershipEvent.TRANSFER_IN)
    before = audit.snapshot(member)
    member.union, member.node = to_union, to_union.node
    member.membership_status = MembershipStatus.ACTIVE
    if enterprise is not None:
        member.enterprise = enterprise
    elif member.enterprise_id and member.enterprise.union_id not in (None, to_union.pk):
        member.enterprise = None
    member.save()
    changes = audit.diff(before, audit.snapshot(member), Member)
    verb = "重新入会" if rejoin else "转会"
    message = f"{verb}：由「{old_union.name}」转入「{to_union.name}」" if not rejoin else f"重新入会：加入「{to_union.name}」"
    audit.record(member, user, "transfer", changes, message=message + (f"（{note}）" if note else ""), source=source)
    if old_union.pk != to_union.pk:
        audit.record(old_union, user, "transfer", message=f"会员{member.name}转出至「{to_union.name}」", source=source)
    audit.record(to_union, user, "transfer", message=f"会员{member.name}由「{old_union.name}」转入", source=source)
    return member


@transaction.atomic
def end_membership(user, member: Member, status: str, on: datetime.date, note="", source="web") -> Member:
    """退会 or 去世: the person's file stays, their stay in the union ends."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    ensure_can_write(user, Perm.CHANGE, member.node)
    if status not in (MembershipStatus.LEFT, MembershipStatus.DECEASED):
        raise ValidationError({"status": ["只能办理退会或去世"]})
    if member.membership_status != MembershipStatus.ACTIVE:
        raise ValidationError({"status": [f"该会员当前为“{member.get_membership_status_display()}”，不能再办理"]})
    if on is None or on > timezone.localdate():
        raise ValidationError({"on": ["请填写不晚于今天的日期"]})
    before = audit.snapshot(member)
    member.memberships.filter(ended_on__isnull=True).update(
        ended_on=on, end_event=MembershipEvent.LEAVE if status == MembershipStatus.LEFT else MembershipEvent.DECEASED,
        note=note,
    )
    member.membership_status = status
    member.save(update_fields=["membership_status", "updated_at"])
    audit.record(member, user, "status", audit.diff(before, audit.snapshot(member), Member), message=note, source=source)
    return member


def reveal_member(user, member: Member, channel="page"):
    """The full 身份证号 and phone, for roles that may see them; each reveal is logged."""
    ensure_perm(user, Perm.REVEAL)
    ensure_visible(user, member, "会员")
    audit.log_reveal(user, member, fields=Member.SENSITIVE_FIELDS, channel=channel)
    return {"id_number": member.id_number, "phone": member.phone}
