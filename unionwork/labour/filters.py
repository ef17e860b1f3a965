import datetime

import django_filters as df
from django.utils import timezone

from unionwork.core.filters import IdFilter, RecordFilter

from .choices import (
    EXPIRY_WARNING_DAYS,
    MEDIATION_DAYS,
    ContractKind,
    ContractReach,
    DisputeKind,
    DisputeOutcome,
    FilingStatus,
    HarmonyLevel,
    Mediator,
    MeetingKind,
    OpenAffairsKind,
)
from .models import (
    CollectiveContract,
    CongressMeeting,
    DisputeCase,
    HarmonyRating,
    OpenAffairsItem,
    SafetyInspection,
    ScreeningRound,
    Visit,
)


class ContractFilter(RecordFilter):
    date_field = "signed_on"
    search_lookups = ("title", "enterprises__name", "union__name")
    kind = df.ChoiceFilter(label="类别", choices=ContractKind.choices, empty_label="全部类别")
    reach = df.ChoiceFilter(label="范围", choices=ContractReach.choices, empty_label="覆盖范围")
    filing_status = df.ChoiceFilter(label="备案", choices=FilingStatus.choices, empty_label="备案状态")
    expiry = df.ChoiceFilter(label="期限", empty_label="全部", method="filter_expiry", choices=[
        ("in_force", "在有效期内"), ("expiring", f"{EXPIRY_WARNING_DAYS}天内到期"), ("expired_unrenewed", "已到期未续签")])
    ordering = df.OrderingFilter(fields=(("signed_on", "signed"), ("effective_to", "ends")),
                                 field_labels={"signed_on": "签订日期", "effective_to": "到期日期"}, label="排序")

    class Meta:
        model = CollectiveContract
        fields = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()

    def filter_expiry(self, qs, name, value):
        today = timezone.localdate()
        if value == "in_force":
            return qs.filter(effective_from__lte=today, effective_to__gte=today)
        if value == "expiring":
            return qs.filter(effective_to__gte=today, effective_to__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS))
        return qs.filter(effective_to__lt=today, renewed_by__isnull=True)


class RatingFilter(RecordFilter):
    date_field = "rated_on"
    search_lookups = ("enterprise__name",)
    level = df.ChoiceFilter(label="等级", choices=HarmonyLevel.choices, empty_label="全部等级")
    state = df.ChoiceFilter(label="状态", choices=[("valid", "有效"), ("revoked", "已撤销")], empty_label="全部",
                            method="filter_state")

    class Meta:
        model = HarmonyRating
        fields = []

    def filter_year(self, qs, name, value):
        return qs.filter(year=int(value))

    def filter_state(self, qs, name, value):
        return qs.filter(revoked_on__isnull=(value == "valid"))


class DisputeFilter(RecordFilter):
    date_field = "applied_on"
    search_lookups = ("title", "enterprise__name", "workers")
    kind = df.ChoiceFilter(label="类别", choices=DisputeKind.choices, empty_label="争议类别")
    mediator = df.ChoiceFilter(label="调解组织", choices=Mediator.choices, empty_label="调解组织")
    outcome = df.ChoiceFilter(label="结果", choices=DisputeOutcome.choices, empty_label="全部结果")
    overdue = df.ChoiceFilter(label="时限", choices=[("1", f"超过{MEDIATION_DAYS}日未结（可申请仲裁）")], empty_label="全部",
                              method="filter_overdue")
    enterprise = IdFilter(label="企业", field_name="enterprise_id")

    class Meta:
        model = DisputeCase
        fields = []

    def filter_overdue(self, qs, name, value):
        limit = timezone.localdate() - datetime.timedelta(days=MEDIATION_DAYS)
        return qs.filter(outcome=DisputeOutcome.PENDING, applied_on__lt=limit)


class VisitFilter(RecordFilter):
    date_field = "visited_on"
    search_lookups = ("enterprise__name", "visitors", "problems")
    quarter = df.CharFilter(label="季度", help_text="如 2026Q1")
    open_follow_ups = df.ChoiceFilter(label="跟进", choices=[("1", "有未办结事项")], empty_label="全部",
                                      method="filter_open")

    class Meta:
        model = Visit
        fields = []

    def filter_open(self, qs, name, value):
        return qs.filter(follow_ups__closed_on__isnull=True, follow_ups__isnull=False).distinct()


class InspectionFilter(RecordFilter):
    date_field = "inspected_on"
    search_lookups = ("enterprise__name", "unit_name", "scope")
    open_hazards = df.ChoiceFilter(label="隐患", choices=[("1", "有未整改隐患")], empty_label="全部",
                                   method="filter_open")

    class Meta:
        model = SafetyInspection
        fields = []

    def filter_open(self, qs, name, value):
        return qs.filter(hazards__rectified_on__isnull=True, hazards__isnull=False).distinct()


class CongressFilter(RecordFilter):
    date_field = "held_on"
    search_lookups = ("enterprise__name", "items_reviewed", "resolutions")
    kind = df.ChoiceFilter(label="类型", choices=MeetingKind.choices, empty_label="会议类型")

    class Meta:
        model = CongressMeeting
        fields = []


class OpenAffairsFilter(RecordFilter):
    date_field = "published_on"
    search_lookups = ("title", "content", "enterprise__name")
    kind = df.ChoiceFilter(label="类型", choices=OpenAffairsKind.choices, empty_label="公开类型")

    class Meta:
        model = OpenAffairsItem
        fields = []


class ScreeningFilter(RecordFilter):
    date_field = "held_on"
    search_lookups = ("title", "scope", "issues__description")

    class Meta:
        model = ScreeningRound
        fields = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()
