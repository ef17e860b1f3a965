import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from unionwork.accounts.choices import Perm
from unionwork.core.params import year_param
from unionwork.core.scope import ensure_perm, get_scoped, nodes_in_scope
from unionwork.core.urls import record_url

from . import indicators as ind
from . import selectors, services


def _period(request):
    today = timezone.localdate()
    year = year_param(request, today.year)
    return ind.Period.year(year, until=today if year == today.year else None)


def dashboard(request):
    node = selectors.dashboard_node(request.user, request.GET.get("node"))
    if node is None:
        return render(request, "plans/dashboard.html", {"node": None})
    period = _period(request)
    sections, compare, children = selectors.figures_with_targets(node, period)
    return render(request, "plans/dashboard.html", {
        "node": node, "period": period, "sections": sections, "children": children,
        "compare_json": json.dumps(compare, ensure_ascii=False),
        "names_json": json.dumps({k: i.name + ("（%）" if i.is_rate else f"（{i.unit}）") for k, i in
                                  ind.REGISTRY.items()}, ensure_ascii=False),
        "trend_json": json.dumps(selectors.monthly_trends(node, period.end.year), ensure_ascii=False),
        "reminders": selectors.reminders(request.user, node, period),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    })


def indicator_records(request, key):
    """The records behind a figure: numerator, denominator or what is still missing."""
    indicator = ind.REGISTRY.get(key)
    if indicator is None:
        raise Http404
    node = selectors.dashboard_node(request.user, request.GET.get("node"))
    if node is None:
        raise Http404
    period = _period(request)
    which = request.GET.get("which", "num")
    qs = ind.records(indicator, which, node, period)
    if qs is None:
        raise Http404("该指标没有这类明细")
    fig = ind.compute_one(node, period, key)
    page = Paginator(qs.order_by("pk"), 50).get_page(request.GET.get("page"))
    rows = [(obj, record_url(obj)) for obj in page.object_list]
    return render(request, "plans/records.html", {
        "ind": indicator, "node": node, "period": period, "which": which, "page": page, "rows": rows, "fig": fig,
        "titles": {"num": "计入分子的记录", "den": "计入分母的记录", "missing": "尚未达到的（工作清单）"},
    })


def plan_list(request):
    plans = selectors.plans_for(request.user).filter(archived_at__isnull=True)
    nodes = nodes_in_scope(request.user).filter(kind__in=["district", "street", "community"])
    return render(request, "plans/plan_list.html", {"plans": plans, "nodes": nodes,
                                                    "next_year": timezone.localdate().year + 1,
                                                    "this_year": timezone.localdate().year})


@require_POST
def plan_create(request):
    ensure_perm(request.user, Perm.CREATE)
    node = get_scoped(request.user, nodes_in_scope(request.user), pk=request.POST.get("node") or 0)
    try:
        year = int(request.POST.get("year"))
        plan = services.create_plan(request.user, node, year, copy_last_year=request.POST.get("copy") == "1")
    except (TypeError, ValueError):
        messages.error(request, "请填写年度")
        return redirect("plans:plan_list")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("plans:plan_list")
    messages.success(request, "计划已建立")
    return redirect("plans:plan_detail", plan.pk)


def plan_detail(request, pk):
    plan = get_scoped(request.user, selectors.plans_for(request.user), pk=pk)
    if request.method == "POST":
        ensure_perm(request.user, Perm.CHANGE)
        try:
            _save_targets(request, plan)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "目标已保存")
        return redirect("plans:plan_detail", plan.pk)
    targets = {(t.indicator, t.scope, t.child_id): t for t in plan.targets.all()}
    children = list(plan.node.children.filter(archived_at__isnull=True).exclude(kind="group").order_by("code"))
    rows = []
    for key, indicator in ind.REGISTRY.items():
        rows.append({"key": key, "ind": indicator, "self": targets.get((key, "self", None)),
                     "children": targets.get((key, "children", None)),
                     "overrides": [(c, targets.get((key, "child", c.pk))) for c in children]})
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "rows": rows, "children": children, "assessments": plan.assessments.all(),
    })


def _save_targets(request, plan):
    from decimal import Decimal, InvalidOperation

    def number(name):
        raw = (request.POST.get(name) or "").strip()
        if not raw:
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise ValidationError(f"“{raw}”不是数字") from None

    children = {c.pk: c for c in plan.node.children.all()}
    for key in ind.REGISTRY:
        for scope in ("self", "children"):
            value, weight = number(f"{key}-{scope}"), number(f"{key}-{scope}-weight") or Decimal(0)
            if value is None:
                services.clear_target(request.user, plan, key, scope)
            else:
                services.set_target(request.user, plan, key, scope, value, weight)
        for child_id, child in children.items():
            value = number(f"{key}-child-{child_id}")
            if value is None:
                services.clear_target(request.user, plan, key, "child", child)
            else:
                services.set_target(request.user, plan, key, "child", value, Decimal(0), child=child)


@require_POST
def assess(request, pk):
    plan = get_scoped(request.user, selectors.plans_for(request.user), pk=pk)
    try:
        day = request.POST.get("reference_date")
        assessment = services.run_assessment(request.user, plan,
                                             datetime.date.fromisoformat(day) if day else None)
    except (ValueError, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("plans:plan_detail", plan.pk)
    return redirect("plans:assessment", assessment.pk)


def assessment(request, pk):
    a = get_scoped(request.user, selectors.assessments_for(request.user), pk=pk)
    names = {k: i.name for k, i in ind.REGISTRY.items()}
    return render(request, "plans/assessment.html", {"a": a, "names": names,
                                                     "cap": int(float(a.rules.get("cap", 1.2)) * 100)})


def snapshots(request):
    if request.method == "POST":
        node = get_scoped(request.user, nodes_in_scope(request.user), pk=request.POST.get("node") or 0)
        try:
            day = datetime.date.fromisoformat(request.POST.get("reference_date") or "")
            snap = services.take_snapshot(request.user, node, day)
        except ValueError:
            messages.error(request, "请填写统计截止日")
            return redirect("plans:snapshots")
        return redirect("plans:snapshot", snap.pk)
    return render(request, "plans/snapshots.html", {
        "snapshots": selectors.snapshots_for(request.user)[:50],
        "nodes": nodes_in_scope(request.user).filter(kind__in=["district", "street", "community"]),
        "default_date": datetime.date(timezone.localdate().year - 1, 12, 31)})


def snapshot(request, pk):
    snap = get_scoped(request.user, selectors.snapshots_for(request.user), pk=pk)
    visible = set(nodes_in_scope(request.user).values_list("pk", flat=True))
    rows = [(data.get("name"), data) for pk_, data in snap.data.items() if int(pk_) in visible]
    return render(request, "plans/snapshot.html", {"snap": snap, "rows": rows, "registry": ind.REGISTRY})
