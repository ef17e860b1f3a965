"""One filter definition per list, used by the pages, their exports and the API."""

import django_filters as df

from unionwork.core.filters import MAX_BIGINT, IdFilter, search_q
from unionwork.core.filters import BaseScopedFilter as BaseDirectoryFilter

from .choices import Gender, Industry, MembershipStatus, OperatingStatus, UnionKind, UnitCategory, WorkStatus
from .models import Enterprise, Member, Union
from .selectors import name_contains


class EnterpriseFilter(BaseDirectoryFilter):
    search_fields = ("uscc",)
    status = df.ChoiceFilter(label="经营状态", choices=OperatingStatus.choices, empty_label="全部状态")
    unit_category = df.ChoiceFilter(label="单位类别", choices=UnitCategory.choices, empty_label="全部类别")
    industry = df.ChoiceFilter(label="行业", choices=Industry.choices, empty_label="全部行业")
    has_union = df.ChoiceFilter(label="建会", choices=[("1", "已建会"), ("0", "未建会")], empty_label="建会情况",
                                method="filter_has_union")
    min_employees = df.NumberFilter(label="职工人数≥", field_name="employees", lookup_expr="gte", min_value=0,
                                    max_value=MAX_BIGINT)
    ordering = df.OrderingFilter(
        label="排序",
        fields=(("name_pinyin", "name"), ("employees", "employees"), ("created_at", "created"), ("uscc", "uscc")),
        field_labels={"name_pinyin": "名称", "employees": "职工人数", "created_at": "登记时间", "uscc": "信用代码"},
    )

    class Meta:
        model = Enterprise
        fields = []

    def filter_has_union(self, qs, name, value):
        return qs.filter(union__isnull=(value == "0"))


class UnionFilter(BaseDirectoryFilter):
    search_fields = ("code",)
    kind = df.ChoiceFilter(label="建会方式", choices=UnionKind.choices, empty_label="建会方式")
    term = df.ChoiceFilter(label="换届", choices=[("expired", "已届满未换届"), ("due", "一年内届满")],
                           empty_label="换届情况", method="filter_term")
    ordering = df.OrderingFilter(
        label="排序",
        fields=(("name_pinyin", "name"), ("founded_on", "founded"), ("term_end", "term_end")),
        field_labels={"name_pinyin": "名称", "founded_on": "成立日期", "term_end": "届满日期"},
    )

    class Meta:
        model = Union
        fields = []

    def filter_term(self, qs, name, value):
        import datetime

        from django.utils import timezone

        today = timezone.localdate()
        if value == "expired":
            return qs.filter(term_end__lt=today)
        return qs.filter(term_end__gte=today, term_end__lte=today + datetime.timedelta(days=365))


class MemberFilter(BaseDirectoryFilter):
    union = IdFilter(label="工会", field_name="union_id")
    enterprise = IdFilter(label="单位", field_name="enterprise_id")
    gender = df.ChoiceFilter(label="性别", choices=Gender.choices, empty_label="性别")
    membership_status = df.ChoiceFilter(label="会籍状态", choices=MembershipStatus.choices, empty_label="会籍状态")
    work_status = df.ChoiceFilter(label="人员状态", choices=WorkStatus.choices, empty_label="人员状态")
    is_migrant = df.ChoiceFilter(label="农民工", choices=[("1", "农民工"), ("0", "非农民工")], empty_label="农民工",
                                 method="filter_migrant")
    ordering = df.OrderingFilter(
        label="排序",
        fields=(("name_pinyin", "name"), ("joined_on", "joined"), ("birth_date", "birth")),
        field_labels={"name_pinyin": "姓名", "joined_on": "入会日期", "birth_date": "出生日期"},
    )

    class Meta:
        model = Member
        fields = []

    def filter_q(self, qs, name, value):
        from unionwork.core.validators import clean_text

        # A complete 身份证号 finds its person; partial numbers are not searchable (privacy).
        raw = clean_text(value).upper()
        if len(raw) in (15, 18) and raw[:-1].isdigit():
            from django.core.exceptions import ValidationError

            from unionwork.core.validators import normalize_id_number

            from .selectors import with_id_number

            try:
                return with_id_number(qs, normalize_id_number(raw))
            except ValidationError:
                return qs.none()
        return qs.filter(search_q(value, latin_names=False, model=qs.model, scope_depth=self.scope_depth(),
                                  name_q=name_contains, contains_by_key=True))

    def filter_migrant(self, qs, name, value):
        return qs.filter(is_migrant=(value == "1"))
