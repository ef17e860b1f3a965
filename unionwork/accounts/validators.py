"""Password rules (等级保护 2.0): length, three kinds of character, not the username, not a common password.

Wired in settings.AUTH_PASSWORD_VALIDATORS; they apply wherever a password is set through a form
(the password change page, the account management page), not to set_password() in code.
"""

import re
from difflib import SequenceMatcher

from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommonPasswordValidator
from django.core.exceptions import ValidationError

MIN_LENGTH = 10

# Character classes; "symbol" is anything that is not a letter or digit (including a space).
_CLASSES = (
    ("大写字母", re.compile(r"[A-Z]")),
    ("小写字母", re.compile(r"[a-z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)

# Common on Chinese sites and not in Django's list; compared case-insensitively.
_EXTRA_COMMON = {
    "woaini1314", "woaini520", "5201314", "1qaz2wsx", "1qaz@wsx", "1qaz@wsx3edc", "qwe123!@#", "p@ssw0rd",
    "p@ssw0rd123", "password@123", "admin@123", "admin123456", "abc@123456", "aa123456", "zxcvbnm123",
    "qazwsx123", "a123456789", "abcd1234", "abcd@1234", "passw0rd", "1q2w3e4r", "1q2w3e4r5t",
}


class LengthAndComplexityValidator:
    """At least MIN_LENGTH characters and at least three of: upper case, lower case, digit, symbol."""

    def __init__(self, min_length=MIN_LENGTH, min_classes=3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(f"密码太短：至少 {self.min_length} 个字符，现在只有 {len(password)} 个。",
                                          code="password_too_short"))
        present = [name for name, pattern in _CLASSES if pattern.search(password)]
        if len(present) < self.min_classes:
            missing = "、".join(name for name, _ in _CLASSES if name not in present)
            errors.append(ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 种；还可加入：{missing}。",
                code="password_too_simple"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"密码至少 {self.min_length} 位，且包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 种。"


class NotSimilarToUsernameValidator:
    """Not the username (or the display name), not containing it, not a near copy of it."""

    def __init__(self, max_similarity=0.7):
        self.max_similarity = max_similarity

    def validate(self, password, user=None):
        if user is None:
            return
        low = password.lower()
        for value in (getattr(user, "username", ""), getattr(user, "display_name", "")):
            value = (value or "").lower()
            if len(value) < 3:
                continue
            # The whole name, or a part of it of 4+ characters ("wangli" of "sq_wangli").
            parts = {value} | {p for p in re.split(r"[\W_]+", value) if len(p) >= 4}
            if any(p in low for p in parts) or SequenceMatcher(a=low, b=value).ratio() >= self.max_similarity:
                raise ValidationError("密码不能包含用户名或姓名，也不能与之过于相似。", code="password_too_similar")

    def get_help_text(self):
        return "密码不能包含用户名或姓名。"


class CommonPasswordValidator(DjangoCommonPasswordValidator):
    """Django's list of 20,000 common passwords plus some common on Chinese sites, also with a suffix."""

    def validate(self, password, user=None):
        low = password.lower().strip()
        # A common word with digits or symbols only stuck on its ends ("Password123!") is as weak.
        core = re.sub(r"^[^a-z]+|[^a-z]+$", "", low)
        candidates = {low} | ({core} if len(core) >= 4 else set())
        if candidates & (self.passwords | _EXTRA_COMMON):
            raise ValidationError("这个密码太常见，容易被猜中，请换一个。", code="password_too_common")

    def get_help_text(self):
        return "不能使用常见密码（如 Password123!、1qaz@WSX3edc）。"
