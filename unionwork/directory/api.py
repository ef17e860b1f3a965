import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from unionwork.core.exports import xlsx_response
from unionwork.core.listing import api_filtered, api_page, query_parameters
from unionwork.core.masking import mask_id_number, mask_phone
from unionwork.org.models import Node

from . import selectors, services
from .exports import ENTERPRISE_COLUMNS, MEMBER_COLUMNS, UNION_COLUMNS
from .filters import EnterpriseFilter, MemberFilter, UnionFilter
from .models import Enterprise, Member, Union

router = Router(tags=["名录库"])


class Page(Schema):
    count: int | None  # page, pages and count are None when read with ?after=
    page: int | None
    pages: int | None
    results: list
    next_after: int | None = None  # with ?after=: pass it back for the next rows; None at the end


def _page(request, qs, filterset_class, to_dict):
    return api_page(request, qs, filterset_class, to_dict)


def _ref(model, pk, field, label):
    """An id from the request body, resolved unscoped: the service's scope check decides (403)."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: [f"{label}（id={pk}）不存在"]})
    return obj


# ---------------------------------------------------------------- enterprises


class EnterpriseIn(Schema):
    uscc: str
    name: str
    node_id: int
    unit_category: str = "170"
    industry: str = ""
    employees: int = 0
    female_employees: int = 0
    migrant_workers: int = 0
    established_on: datetime.date | None = None
    address: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    note: str = ""


class EnterprisePatch(Schema):
    uscc: str | None = None
    name: str | None = None
    node_id: int | None = None
    unit_category: str | None = None
    industry: str | None = None
    employees: int | None = None
    female_employees: int | None = None
    migrant_workers: int | None = None
    established_on: datetime.date | None = None
    address: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    note: str | None = None


def enterprise_dict(e: Enterprise):
    return {
        "id": e.pk, "uscc": e.uscc, "name": e.name, "node_id": e.node_id, "community": e.node.name,
        "unit_category": e.unit_category, "industry": e.industry, "employees": e.employees,
        "female_employees": e.female_employees, "migrant_workers": e.migrant_workers, "status": e.status,
        "status_label": e.get_status_display(), "status_date": e.status_date, "established_on": e.established_on,
        "address": e.address, "contact_person": e.contact_person, "contact_phone": mask_phone(e.contact_phone),
        "union_id": e.union_id, "union": e.union.name if e.union_id else None,
        "archived": e.archived_at is not None,
    }


def _enterprise_data(payload, partial=False):
    data = payload.dict(exclude_unset=partial)
    if "node_id" in data:
        data["node"] = _ref(Node, data.pop("node_id"), "node_id", "社区")
    for key, value in list(data.items()):
        if value is None and key not in {"established_on"}:
            data.pop(key)
    return data


@router.get("/enterprises", response=Page, summary="企业列表（与页面相同的筛选参数）",
            openapi_extra={"parameters": query_parameters(EnterpriseFilter)})
def list_enterprises(request):
    return _page(request, selectors.enterprises_for(request.user), EnterpriseFilter, enterprise_dict)


@router.get("/enterprises/export.xlsx", summary="导出企业（Excel，与列表相同的筛选；联系电话脱敏，reveal=1 且有权限时完整并记录）",
            openapi_extra={"parameters": query_parameters(EnterpriseFilter, paged=False, export=True)})
def export_enterprises(request):
    rows = api_filtered(request, selectors.enterprises_for(request.user), EnterpriseFilter)
    return xlsx_response(request, rows, ENTERPRISE_COLUMNS, "企业名录")


@router.get("/enterprises/{pk}", summary="企业详情")
def get_enterprise(request, pk: int):
    return enterprise_dict(selectors.get_enterprise(request.user, pk))


@router.post("/enterprises", response={201: dict}, summary="登记企业")
def create_enterprise(request, payload: EnterpriseIn):
    ent = services.create_enterprise(request.user, _enterprise_data(payload), source="api")
    return Status(201, enterprise_dict(selectors.get_enterprise(request.user, ent.pk)))


@router.patch("/enterprises/{pk}", summary="修改企业")
def update_enterprise(request, pk: int, payload: EnterprisePatch):
    ent = selectors.get_enterprise(request.user, pk)
    services.update_enterprise(request.user, ent, _enterprise_data(payload, partial=True), source="api")
    return enterprise_dict(selectors.get_enterprise(request.user, pk))


# ---------------------------------------------------------------- unions


class UnionIn(Schema):
    name: str
    parent_id: int
    kind: str = "single"
    code: str = ""
    founded_on: datetime.date | None = None
    chair_name: str = ""
    chair_phone: str = ""
    vice_chairs: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    sign_shown: bool = False
    chair_shown: bool = False
    staff_home: bool = False
    reading_room: bool = False
    note: str = ""
    enterprise_ids: list[int] = []


class UnionPatch(Schema):
    name: str | None = None
    kind: str | None = None
    code: str | None = None
    founded_on: datetime.date | None = None
    chair_name: str | None = None
    chair_phone: str | None = None
    vice_chairs: str | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    sign_shown: bool | None = None
    chair_shown: bool | None = None
    staff_home: bool | None = None
    reading_room: bool | None = None
    note: str | None = None
    enterprise_ids: list[int] | None = None


def union_dict(u: Union):
    return {
        "id": u.pk, "name": u.name, "code": u.code, "kind": u.kind, "node_id": u.node_id,
        "community": u.node.parent.name if u.node.parent_id else None, "founded_on": u.founded_on,
        "chair_name": u.chair_name, "vice_chairs": u.vice_chairs, "term_start": u.term_start,
        "term_end": u.term_end, "sign_shown": u.sign_shown, "chair_shown": u.chair_shown,
        "staff_home": u.staff_home, "reading_room": u.reading_room, "archived": u.archived_at is not None,
    }


def _enterprises(ids):
    found = list(Enterprise.objects.filter(pk__in=ids).select_related("node", "union"))
    missing = set(ids) - {e.pk for e in found}
    if missing:
        raise ValidationError({"enterprise_ids": [f"企业 id {sorted(missing)} 不存在"]})
    return found


@router.get("/unions", response=Page, summary="基层工会列表",
            openapi_extra={"parameters": query_parameters(UnionFilter)})
def list_unions(request):
    return _page(request, selectors.unions_for(request.user), UnionFilter, union_dict)


@router.get("/unions/export.xlsx", summary="导出基层工会（Excel，与列表相同的筛选）",
            openapi_extra={"parameters": query_parameters(UnionFilter, paged=False, export=True)})
def export_unions(request):
    rows = api_filtered(request, selectors.unions_for(request.user), UnionFilter)
    return xlsx_response(request, rows, UNION_COLUMNS, "基层工会名录")


@router.get("/unions/{pk}", summary="基层工会详情")
def get_union(request, pk: int):
    return union_dict(selectors.get_union(request.user, pk))


@router.post("/unions", response={201: dict}, summary="建会（新建基层工会并关联企业）")
def create_union(request, payload: UnionIn):
    data = payload.dict()
    parent = _ref(Node, data.pop("parent_id"), "parent_id", "上级组织")
    enterprises = _enterprises(data.pop("enterprise_ids"))
    union = services.found_union(request.user, parent=parent, data=data, enterprises=enterprises, source="api")
    return Status(201, union_dict(selectors.get_union(request.user, union.pk)))


@router.patch("/unions/{pk}", summary="修改基层工会")
def update_union(request, pk: int, payload: UnionPatch):
    union = selectors.get_union(request.user, pk)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    ids = data.pop("enterprise_ids", None)
    services.update_union(request.user, union, data, enterprises=_enterprises(ids) if ids is not None else None,
                          source="api")
    return union_dict(selectors.get_union(request.user, pk))


# ---------------------------------------------------------------- members


class MemberIn(Schema):
    name: str
    id_number: str
    union_id: int
    gender: str = ""
    ethnicity: str = "汉族"
    phone: str = ""
    education: str = ""
    political_status: str = ""
    enterprise_id: int | None = None
    joined_on: datetime.date | None = None
    work_status: str = "employed"
    is_migrant: bool = False
    skills: str = ""
    honours: str = ""
    note: str = ""


class MemberPatch(Schema):
    name: str | None = None
    id_number: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    education: str | None = None
    political_status: str | None = None
    enterprise_id: int | None = None
    joined_on: datetime.date | None = None
    work_status: str | None = None
    is_migrant: bool | None = None
    skills: str | None = None
    honours: str | None = None
    note: str | None = None


class TransferIn(Schema):
    to_union_id: int
    on: datetime.date
    enterprise_id: int | None = None
    note: str = ""


def member_dict(m: Member):
    return {
        "id": m.pk, "name": m.name, "gender": m.gender, "ethnicity": m.ethnicity,
        "id_number": mask_id_number(m.id_number), "birth_date": m.birth_date, "phone": mask_phone(m.phone),
        "education": m.education, "political_status": m.political_status, "enterprise_id": m.enterprise_id,
        "enterprise": m.enterprise.name if m.enterprise_id else None, "union_id": m.union_id,
        "union": m.union.name, "joined_on": m.joined_on, "membership_status": m.membership_status,
        "work_status": m.work_status, "is_migrant": m.is_migrant, "archived": m.archived_at is not None,
    }


def _member_data(payload, partial=False):
    data = payload.dict(exclude_unset=partial)
    if "union_id" in data:
        data["union"] = _ref(Union, data.pop("union_id"), "union_id", "工会")
    if "enterprise_id" in data:
        data["enterprise"] = _ref(Enterprise, data.pop("enterprise_id"), "enterprise_id", "工作单位")
    return {k: v for k, v in data.items() if v is not None or k in {"enterprise", "joined_on"}}


@router.get("/members", response=Page, summary="会员列表（身份证号、手机号脱敏）",
            openapi_extra={"parameters": query_parameters(MemberFilter)})
def list_members(request):
    return _page(request, selectors.members_for(request.user), MemberFilter, member_dict)


@router.get("/members/export.xlsx", summary="导出会员（Excel，与列表相同的筛选；身份证号、手机号脱敏，reveal=1 且有权限时完整并记录）",
            openapi_extra={"parameters": query_parameters(MemberFilter, paged=False, export=True)})
def export_members(request):
    rows = api_filtered(request, selectors.members_for(request.user), MemberFilter)
    return xlsx_response(request, rows.select_related("union__node__parent"), MEMBER_COLUMNS, "会员名册")


@router.get("/members/{pk}", summary="会员详情（脱敏）")
def get_member(request, pk: int):
    return member_dict(selectors.get_member(request.user, pk))


@router.get("/members/{pk}/reveal", summary="查看完整身份证号和手机号（有权限的角色，记录日志）")
def reveal_member(request, pk: int):
    return services.reveal_member(request.user, selectors.get_member(request.user, pk), channel="api")


@router.post("/members", response={201: dict}, summary="登记会员")
def create_member(request, payload: MemberIn):
    member = services.create_member(request.user, _member_data(payload), source="api")
    return Status(201, member_dict(selectors.get_member(request.user, member.pk)))


@router.patch("/members/{pk}", summary="修改会员")
def update_member(request, pk: int, payload: MemberPatch):
    member = selectors.get_member(request.user, pk)
    services.update_member(request.user, member, _member_data(payload, partial=True), source="api")
    return member_dict(selectors.get_member(request.user, pk))


@router.post("/members/{pk}/transfer", summary="转会")
def transfer_member(request, pk: int, payload: TransferIn):
    member = selectors.get_member(request.user, pk)
    to_union = _ref(Union, payload.to_union_id, "to_union_id", "转入工会")
    enterprise = _ref(Enterprise, payload.enterprise_id, "enterprise_id", "工作单位")
    services.transfer_member(request.user, member, to_union, payload.on, enterprise=enterprise, note=payload.note,
                             source="api")
    return member_dict(selectors.get_member(request.user, pk))


# ---------------------------------------------------------------- archive / restore

_KINDS = {"enterprises": (selectors.get_enterprise, enterprise_dict), "unions": (selectors.get_union, union_dict),
          "members": (selectors.get_member, member_dict)}


def _kind(kind):
    if kind not in _KINDS:
        raise Http404
    return _KINDS[kind]


@router.post("/{kind}/{pk}/archive", summary="归档（企业、工会、会员）")
def archive(request, kind: str, pk: int):
    getter, to_dict = _kind(kind)
    services.archive(request.user, getter(request.user, pk), source="api")
    return to_dict(getter(request.user, pk))


@router.post("/{kind}/{pk}/restore", summary="恢复已归档的记录")
def restore(request, kind: str, pk: int):
    getter, to_dict = _kind(kind)
    services.restore(request.user, getter(request.user, pk), source="api")
    return to_dict(getter(request.user, pk))
