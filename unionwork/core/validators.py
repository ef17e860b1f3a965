"""Validators for Chinese identifiers, with messages a cadre understands.

身份证号 is checked by hand (GB 11643): python-stdnum's cn.ric also requires the area code to be in
its county table, which rejects real, older numbers (e.g. 440524188001010014, the standard's own
example) and raised KeyError on some codes. 统一社会信用代码 uses python-stdnum's cn.uscc.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def clean_text(value) -> str:
    """Full-width to half-width (NFKC), all whitespace removed: what every code field gets first."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """'M' or 'F' from the 17th digit of an 18-digit number."""
    return "M" if int(number[16]) % 2 else "F"


def normalize_id_number(value, today: datetime.date | None = None) -> str:
    """Return the 18-digit upper-case 身份证号 or raise ValidationError saying why."""
    raw = clean_text(value).upper()
    if not raw:
        raise ValidationError("身份证号不能为空", code="required")
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", raw):
        raise ValidationError(
            f"身份证号“{raw}”已被 Excel 存成科学计数法，末几位已丢失，无法恢复，请把该列设为文本后重新填写",
            code="scientific",
        )
    if _ID15.match(raw):
        # Legacy 15-digit numbers: the year lacks "19" and there is no check digit.
        first17 = raw[:6] + "19" + raw[6:]
        raw = first17 + id_check_char(first17)
    if not _ID18.match(raw):
        raise ValidationError(f"身份证号“{raw}”应为18位（或旧版15位）数字，末位可为X", code="format")
    birth = id_birth_date(raw)
    today = today or datetime.date.today()
    if birth is None or birth > today or birth.year < 1880:
        raise ValidationError(f"身份证号“{raw}”中的出生日期 {raw[6:14]} 不是真实日期", code="birth")
    if id_check_char(raw[:17]) != raw[17]:
        raise ValidationError(f"身份证号“{raw}”校验位错误（按 GB 11643 应为 {id_check_char(raw[:17])}）", code="check")
    return raw


def normalize_uscc(value) -> str:
    """Return the 18-character 统一社会信用代码 or raise ValidationError saying why."""
    raw = clean_text(value).upper()
    if not raw:
        raise ValidationError("统一社会信用代码不能为空", code="required")
    if len(raw) != 18:
        raise ValidationError(f"统一社会信用代码“{raw}”应为18位，现为{len(raw)}位", code="length")
    try:
        return stdnum_uscc.validate(raw)
    except Exception as exc:  # stdnum raises subclasses of ValidationError of its own
        name = type(exc).__name__
        if name == "InvalidChecksum":
            raise ValidationError(f"统一社会信用代码“{raw}”校验位错误（GB 32100）", code="check") from exc
        raise ValidationError(f"统一社会信用代码“{raw}”格式不正确", code="format") from exc


def normalize_mobile(value) -> str:
    raw = clean_text(value).replace("-", "")
    if raw.startswith("+86"):
        raw = raw[3:]
    if not raw:
        return ""
    if not _MOBILE.match(raw):
        raise ValidationError(f"手机号“{raw}”不是有效的大陆手机号（11位，以1开头）", code="mobile")
    return raw


def normalize_phone(value) -> str:
    """A mobile or a landline number (contact phones of units)."""
    raw = clean_text(value)
    if not raw:
        return ""
    if _MOBILE.match(raw.replace("-", "")):
        return raw.replace("-", "")
    if _LANDLINE.match(raw):
        return raw
    raise ValidationError(f"电话“{raw}”不是有效的手机号或固定电话（如 022-12345678）", code="phone")
