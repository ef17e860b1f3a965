from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_text_html

from unionwork.core.forms import BootstrapMixin
from unionwork.org.selectors import nodes_for

from .services import roles_assignable_by


class PasswordChangeForm(BootstrapMixin, DjangoPasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and cleaned.get("old_password") and new == cleaned["old_password"]:
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return cleaned


class PasswordChoiceMixin(forms.Form):
    """Either the system generates the password (shown once), or the administrator types one."""

    password_mode = forms.ChoiceField(label="初始密码", choices=[("generate", "由系统生成（只显示一次）"),
                                                             ("manual", "由我设定")],
                                      initial="generate", widget=forms.RadioSelect)
    password1 = forms.CharField(label="密码", required=False, strip=False, widget=forms.PasswordInput,
                                help_text=password_validators_help_text_html)
    password2 = forms.CharField(label="再次输入密码", required=False, strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password_mode") == "manual":
            p1, p2 = cleaned.get("password1"), cleaned.get("password2")
            if not p1:
                self.add_error("password1", "请输入密码，或选择由系统生成。")
            elif p1 != p2:
                self.add_error("password2", "两次输入的密码不一致。")
        return cleaned

    def chosen_password(self) -> str | None:
        return self.cleaned_data.get("password1") if self.cleaned_data.get("password_mode") == "manual" else None


class AccountCreateForm(BootstrapMixin, PasswordChoiceMixin):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[A-Za-z0-9_.@+-]+$",
                                error_messages={"invalid": "用户名只能包含英文字母、数字和 _ . @ + -。"},
                                help_text="登录时使用，如 sq_zhang。")
    display_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色")
    node = forms.ModelChoiceField(label="所属组织", queryset=None, empty_label="请选择")
    field_order = ["username", "display_name", "role", "node", "password_mode", "password1", "password2"]

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择"), *roles_assignable_by(manager)]
        self.fields["node"].queryset = nodes_for(manager).exclude(kind="group")
        self.fields["node"].label_from_instance = lambda n: n.display_name


class PasswordResetForm(BootstrapMixin, PasswordChoiceMixin):
    pass


class TotpCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label="6 位验证码", max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))
