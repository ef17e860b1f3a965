"""Thin views: parse input, call selectors/services, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.forms import apply_service_errors
from unionwork.core.listing import list_response
from unionwork.core.paging import kept_count
from unionwork.core.scope import ensure_perm

from . import selectors, services
from .exports import ENTERPRISE_COLUMNS, MEMBER_COLUMNS, UNION_COLUMNS
from .filters import EnterpriseFilter, MemberFilter, UnionFilter
from .forms import (
    EndMembershipForm,
    EnterpriseForm,
    EnterpriseStatusForm,
    MemberForm,
    TransferForm,
    UnionForm,
)


def _form_page(request, form, template, **context):
    return render(request, template, {"form": form, **context})


def _save_form(request, form, action, ok_message):
    """Run a service with a valid form; on a ValidationError put it on the form. Returns obj or None."""
    if not form.is_valid():
        return None
    try:
        obj = action()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, ok_message)
    return obj


# ---------------------------------------------------------------- enterprises


def enterprise_list(request):
    return list_response(request, queryset=selectors.enterprises_for(request.user), filterset_class=EnterpriseFilter,
                         template="directory/enterprise_list.html", columns=ENTERPRISE_COLUMNS, export_name="企业名录",
                         page_fields=ENTERPRISE_PAGE_FIELDS)


# What a row of the enterprise list shows (directory/enterprise_list.html).
ENTERPRISE_PAGE_FIELDS = ("name", "archived_at", "uscc", "unit_category", "employees", "status", "node__name",
                          "union__name")


def enterprise_detail(request, pk):
    ent = selectors.get_enterprise(request.user, pk)
    return render(request, "directory/enterprise_detail.html", {
        "obj": ent, "history": audit.history(ent)[:200],
        "member_count": selectors.members_for(request.user).filter(enterprise=ent, membership_status="active").count(),
        "status_form": EnterpriseStatusForm(),
    })


def enterprise_create(request):
    ensure_perm(request.user, Perm.CREATE)
    form = EnterpriseForm(request.POST or None, user=request.user, initial={"node": request.GET.get("node")})
    if request.method == "POST":
        ent = _save_form(request, form, lambda: services.create_enterprise(request.user, form.cleaned_data),
                         "企业已登记")
        if ent:
            return redirect("directory:enterprise_detail", ent.pk)
    return _form_page(request, form, "directory/form.html", title="登记企业", cancel=reverse("directory:enterprise_list"))


def enterprise_edit(request, pk):
    ent = selectors.get_enterprise(request.user, pk)
    ensure_perm(request.user, Perm.CHANGE)
    form = EnterpriseForm(request.POST or None, user=request.user, instance=ent)
    if request.method == "POST":
        if _save_form(request, form, lambda: services.update_enterprise(request.user, ent, form.cleaned_data),
                      "修改已保存"):
            return redirect("directory:enterprise_detail", ent.pk)
    return _form_page(request, form, "directory/form.html", title=f"修改企业：{ent.name}",
                      cancel=reverse("directory:enterprise_detail", args=[ent.pk]))


@require_POST
def enterprise_status(request, pk):
    ent = selectors.get_enterprise(request.user, pk)
    form = EnterpriseStatusForm(request.POST)
    if _save_form(request, form, lambda: services.change_enterprise_status(
            request.user, ent, form.cleaned_data["status"], form.cleaned_data["on"], form.cleaned_data["note"]),
            "经营状态已变更"):
        return redirect("directory:enterprise_detail", ent.pk)
    return render(request, "directory/enterprise_detail.html", {
        "obj": ent, "history": audit.history(ent)[:200], "status_form": form, "show_status": True,
    }, status=400)


# ---------------------------------------------------------------- unions


def union_list(request):
    return list_response(request, queryset=selectors.unions_for(request.user), filterset_class=UnionFilter,
                         template="directory/union_list.html", columns=UNION_COLUMNS, export_name="基层工会名录")


def union_detail(request, pk):
    union = selectors.get_union(request.user, pk)
    return render(request, "directory/union_detail.html", {
        "obj": union,
        # The covered enterprises' table shows four columns: the rest (the contact's phone, decrypted) stays unread.
        "enterprises": selectors.enterprises_for(request.user).filter(union=union).select_related(None)
                       .only("name", "uscc", "employees", "status"),
        "memberships": selectors.union_memberships(request.user, union)[:100],
        "member_count": kept_count(union.members.filter(membership_status="active", archived_at__isnull=True)),
        "history": audit.history(union)[:200],
    })


def union_create(request):
    """建会: found a union and link the enterprises it covers."""
    ensure_perm(request.user, Perm.CREATE)
    initial = {"parent": request.GET.get("node"), "enterprises": request.GET.getlist("enterprise")}
    form = UnionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        def action():
            data = {k: v for k, v in form.cleaned_data.items() if k not in {"parent", "enterprises"}}
            return services.found_union(request.user, parent=form.cleaned_data["parent"], data=data,
                                        enterprises=form.cleaned_data["enterprises"])
        union = _save_form(request, form, action, "建会成功")
        if union:
            return redirect("directory:union_detail", union.pk)
    return _form_page(request, form, "directory/form.html", title="建会（新建基层工会）", cancel=reverse("directory:union_list"))


def union_edit(request, pk):
    union = selectors.get_union(request.user, pk)
    ensure_perm(request.user, Perm.CHANGE)
    form = UnionForm(request.POST or None, user=request.user, instance=union)
    if request.method == "POST":
        def action():
            data = {k: v for k, v in form.cleaned_data.items() if k != "enterprises"}
            return services.update_union(request.user, union, data, enterprises=form.cleaned_data["enterprises"])
        if _save_form(request, form, action, "修改已保存"):
            return redirect("directory:union_detail", union.pk)
    return _form_page(request, form, "directory/form.html", title=f"修改工会：{union.name}",
                      cancel=reverse("directory:union_detail", args=[union.pk]))


# ---------------------------------------------------------------- members


def member_list(request):
    return list_response(request, queryset=selectors.members_for(request.user), filterset_class=MemberFilter,
                         template="directory/member_list.html", columns=MEMBER_COLUMNS, export_name="会员名册",
                         export_related=("union__node__parent",), page_fields=MEMBER_PAGE_FIELDS)


# What a row of the member list shows (directory/member_list.html): the rest of the three rows is not read.
MEMBER_PAGE_FIELDS = ("name", "is_migrant", "archived_at", "gender", "id_number", "birth_date", "phone",
                      "joined_on", "membership_status", "node", "union__name", "enterprise__name")


def member_detail(request, pk):
    member = selectors.get_member(request.user, pk)
    return render(request, "directory/member_detail.html", {
        "obj": member, "history": audit.history(member)[:200],
        "memberships": selectors.memberships_of(member),
    })


def member_create(request):
    ensure_perm(request.user, Perm.CREATE)
    form = MemberForm(request.POST or None, user=request.user,
                      initial={"union": request.GET.get("union"), "enterprise": request.GET.get("enterprise")})
    if request.method == "POST":
        member = _save_form(request, form, lambda: services.create_member(request.user, form.service_data()),
                            "会员已登记")
        if member:
            return redirect("directory:member_detail", member.pk)
    return _form_page(request, form, "directory/form.html", title="登记会员", cancel=reverse("directory:member_list"))


def member_edit(request, pk):
    member = selectors.get_member(request.user, pk)
    ensure_perm(request.user, Perm.CHANGE)
    form = MemberForm(request.POST or None, user=request.user, instance=member)
    if request.method == "POST":
        if _save_form(request, form, lambda: services.update_member(request.user, member, form.service_data()),
                      "修改已保存"):
            return redirect("directory:member_detail", member.pk)
    return _form_page(request, form, "directory/form.html", title=f"修改会员：{member.name}", cancel=reverse("directory:member_detail", args=[member.pk]))


def member_transfer(request, pk):
    member = selectors.get_member(request.user, pk)
    ensure_perm(request.user, Perm.CHANGE)
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST":
        cd = lambda: form.cleaned_data  # noqa: E731
        if _save_form(request, form, lambda: services.transfer_member(
                request.user, member, cd()["to_union"], cd()["on"], enterprise=cd()["enterprise"], note=cd()["note"]),
                "转会已办理"):
            return redirect("directory:member_detail", member.pk)
    return _form_page(request, form, "directory/form.html", title=f"转会：{member.name}（现属 {member.union.name}）",
                      cancel=reverse("directory:member_detail", args=[member.pk]))


def member_end(request, pk):
    member = selectors.get_member(request.user, pk)
    ensure_perm(request.user, Perm.CHANGE)
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST":
        cd = lambda: form.cleaned_data  # noqa: E731
        if _save_form(request, form, lambda: services.end_membership(
                request.user, member, cd()["status"], cd()["on"], cd()["note"]), "已办理"):
            return redirect("directory:member_detail", member.pk)
    return _form_page(request, form, "directory/form.html", title=f"退会/去世：{member.name}", cancel=reverse("directory:member_detail", args=[member.pk]))


def member_reveal(request, pk):
    """htmx fragment: the full 身份证号 and phone, logged."""
    member = selectors.get_member(request.user, pk)
    values = services.reveal_member(request.user, member)
    return render(request, "directory/member_detail.html#pii", {"obj": member, "revealed": values})


# ---------------------------------------------------------------- archive / restore


_GETTERS = {"enterprise": selectors.get_enterprise, "union": selectors.get_union, "member": selectors.get_member}


@require_POST
def archive_toggle(request, kind, pk):
    obj = _GETTERS[kind](request.user, pk)
    restoring = obj.archived_at is not None
    try:
        if restoring:
            services.restore(request.user, obj)
            messages.success(request, "已恢复")
        else:
            services.archive(request.user, obj, reason=request.POST.get("reason", ""))
            messages.success(request, "已归档，可随时恢复")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"directory:{kind}_detail", pk)
