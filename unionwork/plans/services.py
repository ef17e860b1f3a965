"""Plans, targets, assessments and snapshots: atomic, scoped, audited writes."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unionwork.accounts.choices import Perm
from unionwork.core import audit
from unionwork.core.scope import ensure_can_write

from . import indicators as ind
from .models import Assessment, Plan, Snapshot, Target

# The targets of the 2017 street plan in shared/seeds (003): the defaults of a new plan.
SEED_TARGETS = [
    # (indicator, for the node itself, for each child, weight)
    ("union_rate_25", 95, 95, 15),
    ("union_rate_all", 95, 95, 10),
    ("new_unions", None, 2, 15),
    ("wage_rate", 90, 90, 15),
    ("new_wage", None, 2, 10),
    ("harmony_rate", 40, 40, 10),
    ("new_harmony", None, 2, 10),
    ("research_reports", 100, 100, 5),
    ("quarterly_info", 100, 100, 10),
]
OVER_ACHIEVEMENT_CAP = Decimal("1.2")  # a child scores at most 120% of an indicator's weight


@transaction.atomic
def create_plan(user, node, year, copy_last_year=True, title=""):
    ensure_can_write(user, Perm.CREATE, node)
    if Plan.objects.filter(node=node, year=year).exists():
        raise ValidationError({"year": [f"「{node.display_name}」{year}年的计划已存在"]})
    plan = Plan.objects.create(node=node, year=year, title=title, created_by=user)
    last = Plan.objects.filter(node=node, year=year - 1).first() if copy_last_year else None
    if last is not None:
        Target.objects.bulk_create([Target(plan=plan, indicator=t.indicator, scope=t.scope, child_id=t.child_id,
                                           value=t.value, weight=t.weight) for t in last.targets.all()])
        message = f"复制{year - 1}年计划的目标"
    else:
        rows = []
        for key, own, each, weight in SEED_TARGETS:
            if own is not None:
                rows.append(Target(plan=plan, indicator=key, scope="self", value=own))
            rows.append(Target(plan=plan, indicator=key, scope="children", value=each, weight=weight))
        Target.objects.bulk_create(rows)
        message = "按计划范本（建会率≥95%、建制率≥90%、和谐企业≥40%、各社区新增建会和建制各≥2家等）设定目标"
    audit.record_created(plan, user, message=message)
    return plan


def _validate_target(plan, key, scope, child, value, weight):
    if key not in ind.REGISTRY:
        raise ValidationError({"indicator": [f"没有指标“{key}”"]})
    errors = {}
    if value is None or value < 0:
        errors["value"] = ["目标值不能为负数"]
    elif ind.REGISTRY[key].is_rate and value > 100:
        errors["value"] = ["比率目标不能超过100%"]
    if weight is not None and weight < 0:
        errors["weight"] = ["权重不能为负数"]
    if scope == "child" and (child is None or child.parent_id != plan.node_id):
        errors["child"] = [f"请选择「{plan.node.display_name}」的直接下级"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_target(user, plan, key, scope, value, weight=Decimal(0), child=None):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    ensure_can_write(user, Perm.CHANGE, plan.node)
    _validate_target(plan, key, scope, child, value, weight)
    target, created = Target.objects.get_or_create(plan=plan, indicator=key, scope=scope, child=child,
                                                   defaults={"value": value, "weight": weight or 0})
    old = (target.value, target.weight)
    if not created:
        target.value, target.weight = value, weight or 0
        target.save()
    label = ind.REGISTRY[key].name + {"self": "（本级）", "children": "（各下级）"}.get(scope, f"（{child}）")
    if created or old != (target.value, target.weight):
        audit.record(plan, user, "update", {key: {"label": label, "old": "" if created else f"{old[0]}（权重{old[1]}）",
                                                  "new": f"{value}（权重{weight or 0}）"}})
    return target


@transaction.atomic
def clear_target(user, plan, key, scope, child=None):
    ensure_can_write(user, Perm.CHANGE, plan.node)
    deleted, _ = Target.objects.filter(plan=plan, indicator=key, scope=scope, child=child).delete()
    if deleted:
        audit.record(plan, user, "update", message=f"取消{ind.REGISTRY[key].name}对{child}的单独目标")


def targets_for(node, year) -> dict:
    """{indicator: target} that apply to a node: its own plan, else its parent's plan for this child."""
    out = {}
    parent_plan = Plan.objects.filter(node_id=node.parent_id, year=year, archived_at__isnull=True).first() \
        if node.parent_id else None
    if parent_plan:
        for t in parent_plan.targets.filter(scope="children"):
            out[t.indicator] = t.value
        for t in parent_plan.targets.filter(scope="child", child=node):
            out[t.indicator] = t.value
    own = Plan.objects.filter(node=node, year=year, archived_at__isnull=True).first()
    if own:
        for t in own.targets.filter(scope="self"):
            out[t.indicator] = t.value
    return out


def child_targets(plan) -> tuple[dict, dict]:
    """({child_id: {indicator: target}}, {indicator: weight}) for assessing a plan's children."""
    defaults = {t.indicator: t for t in plan.targets.filter(scope="children")}
    overrides = {}
    for t in plan.targets.filter(scope="child"):
        overrides.setdefault(t.child_id, {})[t.indicator] = t.value
    weights = {k: t.weight for k, t in defaults.items() if t.weight}
    out = {}
    for child in plan.node.children.filter(archived_at__isnull=True).exclude(kind="group"):
        values = {k: t.value for k, t in defaults.items()}
        values.update(overrides.get(child.pk, {}))
        out[child.pk] = values
    return out, weights


def score_child(figures: dict, targets: dict, weights: dict):
    """Weighted achievement, each indicator capped at 120% of its weight; rows show the arithmetic."""
    total_weight = sum(weights.values()) or Decimal(1)
    rows, score = [], Decimal(0)
    for key, weight in weights.items():
        target = targets.get(key)
        fig = figures.get(key)
        value = fig.value if fig else None
        if not target:
            achievement = OVER_ACHIEVEMENT_CAP if value else Decimal(1)
        else:
            achievement = (Decimal(value or 0) / target) if value is not None else Decimal(0)
        capped = min(achievement, OVER_ACHIEVEMENT_CAP)
        points = (weight * capped * 100 / total_weight).quantize(Decimal("0.01"))
        score += points
        rows.append({"indicator": key, "value": None if value is None else str(value),
                     "target": None if target is None else str(target), "weight": str(weight),
                     "achievement": str((achievement * 100).quantize(Decimal("0.1"))),
                     "capped": capped < achievement, "points": str(points)})
    return score.quantize(Decimal("0.01")), rows


@transaction.atomic
def run_assessment(user, plan, reference_date=None):
    """Score and rank the plan's children, and freeze the result as a new version."""
    ensure_can_write(user, Perm.CHANGE, plan.node)
    reference_date = reference_date or min(timezone.localdate(), datetime.date(plan.year, 12, 31))
    period = ind.Period.year(plan.year, until=reference_date)
    targets, weights = child_targets(plan)
    if not weights:
        raise ValidationError("计划中没有设定考核权重：请至少为一个“各下级”目标设定权重")
    figures = ind.compute(plan.node, period, list(weights))
    children = {c.pk: c for c in plan.node.children.filter(pk__in=targets)}
    results = []
    for child_id, child_targets_ in targets.items():
        score, rows = score_child(figures.get(child_id, {}), child_targets_, weights)
        results.append({"node_id": child_id, "node": children[child_id].display_name, "score": str(score), "rows": rows})
    results.sort(key=lambda r: Decimal(r["score"]), reverse=True)
    rank = 0
    previous = None
    for i, r in enumerate(results, start=1):
        if r["score"] != previous:
            rank, previous = i, r["score"]
        r["rank"] = rank
    version = (plan.assessments.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    assessment = Assessment.objects.create(
        plan=plan, version=version, reference_date=reference_date, created_by=user, results=results,
        rules={"cap": str(OVER_ACHIEVEMENT_CAP), "weights": {k: str(v) for k, v in weights.items()},
               "period": [str(period.start), str(period.end)]})
    audit.record(plan, user, "update", message=f"考核评比第{version}版（截至{reference_date:%Y-%m-%d}）")
    return assessment


@transaction.atomic
def take_snapshot(user, node, reference_date):
    ensure_can_write(user, Perm.CREATE, node)
    period = ind.Period(datetime.date(reference_date.year, 1, 1), reference_date)
    figures = ind.compute(node, period)
    names = dict(node.__class__.objects.filter(pk__in=figures).values_list("pk", "union_name"))
    data = {str(pk): {"name": names.get(pk) or "", **{k: f.as_dict() for k, f in figs.items()}}
            for pk, figs in figures.items()}
    snapshot = Snapshot.objects.create(node=node, reference_date=reference_date, period_start=period.start, data=data,
                                       created_by=user)
    return snapshot
