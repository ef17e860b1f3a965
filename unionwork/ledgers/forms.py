from django import forms

from unionwork.core.forms import BootstrapMixin
from unionwork.core.uploads import check_upload
from unionwork.org.selectors import nodes_for

from .choices import ImportMode
from .columns import import_kinds


class NodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_kind_display()}）"


class UploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="台帐类型", choices=lambda: list(import_kinds().items()))
    node = NodeField(label="导入到", queryset=None, help_text="表中的社区、工会须在此范围内")
    mode = forms.ChoiceField(label="导入方式", choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING)
    file = forms.FileField(label="文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK），最大 200 MB")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes_for(user, kinds=["district", "street", "community", "union"]).order_by(
            "path")
        if user.node_id:
            self.fields["node"].initial = user.node_id

    def clean_file(self):
        f = self.cleaned_data["file"]
        check_upload(f, "ledger")  # size, type by content, zip bomb, CSV rows: before it is stored
        return f


class ConfirmForm(BootstrapMixin, forms.Form):
    mode = forms.ChoiceField(label="导入方式", choices=ImportMode.choices)
