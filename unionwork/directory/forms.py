from django import forms

from unionwork.core.forms import BootstrapMixin
from unionwork.org.selectors import communities_for, nodes_for

from .choices import MembershipStatus, OperatingStatus
from .models import Enterprise, Member, Union
from .selectors import enterprises_for, unions_for

DATE = forms.DateInput(format="%Y-%m-%d")


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.parent.name + " / " if obj.parent_id and obj.parent else ""
        return parent + obj.name


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    # Lenient on input (spaces, full-width); the service normalises and validates.
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)

    class Meta:
        model = Enterprise
        fields = [
            "uscc", "name", "node", "unit_category", "industry", "employees", "female_employees",
            "migrant_workers", "established_on", "address", "contact_person", "contact_phone", "note",
        ]
        widgets = {"established_on": DATE}
        field_classes = {"node": NodeChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = communities_for(user)
        self.fields["node"].label = "所属社区"

    def _post_clean(self):
        # Validation lives in the service (shared with the API); the form only parses input.
        pass


class EnterpriseStatusForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label="新状态", choices=OperatingStatus.choices)
    on = forms.DateField(label="变更日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


class UnionForm(BootstrapMixin, forms.ModelForm):
    parent = NodeChoiceField(label="所在社区", queryset=None)
    enterprises = forms.ModelMultipleChoiceField(
        label="覆盖企业", queryset=None, required=False,
        help_text="单独建会选一家企业；联合基层工会可选多家。只列出本辖区内正常经营的企业。",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Union
        fields = [
            "name", "code", "kind", "founded_on", "chair_name", "chair_phone", "vice_chairs", "term_start",
            "term_end", "sign_shown", "chair_shown", "staff_home", "reading_room", "women_committee",
            "audit_committee", "mediation_committee", "law_supervision_group", "note",
        ]
        widgets = {"founded_on": DATE, "term_start": DATE, "term_end": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = nodes_for(user, kinds=["community", "street"]).select_related("parent")
        ents = enterprises_for(user).filter(archived_at__isnull=True, status=OperatingStatus.OPERATING)
        if self.instance.pk:
            del self.fields["parent"]
            ents = ents.filter(union__isnull=True) | ents.filter(union=self.instance)
            self.fields["enterprises"].initial = list(self.instance.enterprises.values_list("pk", flat=True))
        else:
            ents = ents.filter(union__isnull=True)
        self.fields["enterprises"].queryset = ents.order_by("name")

    def _post_clean(self):
        pass


class MemberForm(BootstrapMixin, forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=40)
    phone = forms.CharField(label="手机号", max_length=40, required=False)

    class Meta:
        model = Member
        fields = [
            "name", "id_number", "gender", "ethnicity", "birth_date", "phone", "education", "political_status",
            "union", "enterprise", "joined_on", "work_status", "is_migrant", "skills", "honours", "note",
        ]
        widgets = {"birth_date": DATE, "joined_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].required = False
        self.fields["gender"].help_text = "可不填，按身份证号自动确定"
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = "可不填，按身份证号自动确定"
        self.fields["union"].queryset = unions_for(user).filter(archived_at__isnull=True)
        self.fields["enterprise"].queryset = enterprises_for(user).filter(archived_at__isnull=True)
        if self.instance.pk:
            del self.fields["union"]
            # Shown masked; a blank field keeps the stored number.
            self.fields["id_number"].required = False
            self.initial["id_number"] = ""
            self.fields["id_number"].help_text = "不修改请留空"
            self.initial["phone"] = ""
            self.fields["phone"].help_text = "不修改请留空"

    def _post_clean(self):
        pass

    def service_data(self):
        data = dict(self.cleaned_data)
        if self.instance.pk:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key, None)
        return data


class TransferForm(BootstrapMixin, forms.Form):
    to_union = forms.ModelChoiceField(label="转入工会", queryset=None)
    enterprise = forms.ModelChoiceField(label="新工作单位", queryset=None, required=False)
    on = forms.DateField(label="转会日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_union"].queryset = unions_for(user).filter(archived_at__isnull=True)
        self.fields["enterprise"].queryset = enterprises_for(user).filter(archived_at__isnull=True)


class EndMembershipForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label="办理", choices=[(MembershipStatus.LEFT, "退会"), (MembershipStatus.DECEASED, "去世")]
    )
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="原因/说明", required=False, max_length=300)
