from django import forms

from unionwork.core.forms import BootstrapMixin

from .choices import ALLOWED_CHILDREN, NodeKind


class NodeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="类型")
    name = forms.CharField(label="名称", max_length=100, help_text="如：天运社区、第一车间工会小组")
    code = forms.CharField(label="编码", max_length=40, help_text="全区唯一，如 D01-S01-C09")
    union_name = forms.CharField(label="工会组织名称", max_length=120, required=False,
                                 help_text="可不填：街道为“××街道总工会”，社区为“××社区联合工会”")

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILDREN[NodeKind(parent.kind)] - {NodeKind.UNION}  # unions are founded by 建会
        self.fields["kind"].choices = [(k.value, k.label) for k in NodeKind if k in allowed]
