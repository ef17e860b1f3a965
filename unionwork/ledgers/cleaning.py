"""Turning messy spreadsheet cells into clean values, or a reason in Chinese why not.

Every parser takes the raw cell (str, float, int, bool, date, datetime or None) and returns the
clean value, or raises CellError with the reason shown to the user.
"""

import datetime
import re
import unicodedata

from unionwork.core.validators import normalize_id_number


class CellError(ValueError):
    pass


_WS = re.compile(r"\s+")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def text(value) -> str:
    """Full-width to half-width, trimmed, inner runs of spaces collapsed."""
    if value.__class__ is str:
        if "\x00" in value:  # NUL: invisible in Excel, refused by PostgreSQL
            value = value.replace("\x00", "")
        # Most cells, first. " ".join(s.split()) is _WS.sub(" ", s).strip(): both split on str.isspace().
        return " ".join((value if value.isascii() else unicodedata.normalize("NFKC", value)).split())
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    s = str(value)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    return _WS.sub(" ", s).strip()


def shown(value, limit=40) -> str:
    """A cell as quoted in a reason: cut short, so that a huge cell does not make a huge message."""
    s = str(value)
    return s if len(s) <= limit else s[:limit] + "…"


def limited(parse, max_length: int):
    """parse, refusing a value longer than its database column holds: for the columns of member
    imports, which are inserted without the model's validation."""

    def parse_limited(value):
        found = parse(value)
        if found and len(found) > max_length:
            raise CellError(f"最多 {max_length} 个字符，此格有 {len(found)} 个")
        return found

    parse_limited.max_length, parse_limited.inner = max_length, parse
    return parse_limited


def multiline(value) -> str:
    """Text whose line breaks mean something (items reviewed, problems found): each line cleaned."""
    if value is None or value == "":
        return ""
    lines = [text(line) for line in str(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def compact(value) -> str:
    """Text with every space removed: names and codes ("张 三" → "张三")."""
    s = text(value)
    return s.replace(" ", "") if " " in s else s


_BIRTHS: dict = {}  # "YYYYMMDD" of a 身份证号 -> True when it is a real date from 1880 to a day already past
_PAST = datetime.date.today() - datetime.timedelta(days=2)  # any later birth is compared with today itself


def _valid_id18(s: str) -> str | None:
    """s (18 ASCII characters, the first 17 digits) as normalize_id_number returns it, or None when
    it would not accept it as is: the fast path of every well-formed number. Anything else goes
    through normalize_id_number, which says what is wrong."""
    last = s[17]
    if last == "x":
        last = "X"
    elif last not in "0123456789X":
        return None
    ymd = s[6:14]
    if not _BIRTHS.get(ymd):
        try:
            birth = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
        except ValueError:
            return None
        if birth > datetime.date.today() or birth.year < 1880:
            return None
        if birth <= _PAST and len(_BIRTHS) < 100_000:
            _BIRTHS[ymd] = True
    # GB 11643 check character (validators.id_check_char): the weights are 2**(17-i) mod 11, and 13 is 2
    # mod 11, so the weighted sum is 2 * int(first 17 digits, base 13) mod 11.
    if "10X98765432"[2 * int(s[:17], 13) % 11] != last:
        return None
    return s if last == s[17] else s[:17] + last


def id_number(value) -> str:
    if value.__class__ is str and len(value) == 18 and value.isascii() and value[:17].isdigit():
        found = _valid_id18(value)
        if found is not None:
            return found
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer() or abs(value) >= 1e15:
            # Excel kept only ~15 significant digits: the rest of the number is gone for good.
            raise CellError(f"身份证号被 Excel 存成了数字（{value:.6g}），末几位已丢失，无法恢复；"
                            "请把该列设为文本格式后重新填写")
        value = str(int(value))
    s = compact(value)
    if "*" in s:
        raise CellError("身份证号是脱敏后的（含 *），请使用“导出完整信息”得到的文件或填写完整号码")
    from django.core.exceptions import ValidationError

    try:
        return normalize_id_number(s)
    except ValidationError as exc:
        raise CellError(exc.messages[0].replace(s, shown(s)) if len(s) > 40 else exc.messages[0]) from None


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        if 18800101 <= value <= 21001231 and float(value).is_integer():  # 19660619 typed as a number
            value = str(int(value))  # 20190305 typed as a number
        elif 1 <= value < 73051:  # an Excel serial date (1900-01-01 … 2099-12-31)
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        else:
            raise CellError(f"“{shown(value)}”不是日期")
    s = compact(value)
    if not s:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError(f"“{shown(s)}”不是真实的日期") from None
    if re.fullmatch(r"\d{5}(\.0)?", s):
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(s)))
    raise CellError(f"“{shown(s)}”不是可识别的日期（可写作 2019-03-05、2019.3.5、2019/3/5、2019年3月5日 或 20190305）")


_YES = {"是", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "有", "对"}
_NO = {"否", "×", "✗", "✘", "N", "NO", "0", "FALSE", "无", "不是"}


def yes_no(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = compact(value).upper()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise CellError(f"“{shown(text(value))}”应填 是/否（也可写 √/×、Y/N）")


MAX_COUNT = 2_147_483_647  # the largest value an integer column holds in every database


def count(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("应为人数")
    if isinstance(value, float | int):
        if value < 0 or (isinstance(value, float) and not value.is_integer()):
            raise CellError(f"“{value}”应为不小于0的整数")
        if value > MAX_COUNT:
            raise CellError(f"“{value:.6g}”过大，应为不大于 {MAX_COUNT} 的整数")
        return int(value)
    s = compact(value).removesuffix("人")
    if not s:
        return None
    if not s.isdecimal():  # str.isdigit() also takes digits int() refuses, such as "𐩀"
        raise CellError(f"“{shown(text(value))}”应为不小于0的整数")
    if len(s) > len(str(MAX_COUNT)) or int(s) > MAX_COUNT:
        raise CellError(f"“{shown(s)}”过大，应为不大于 {MAX_COUNT} 的整数")
    return int(s)


def choice(value, choices) -> str | None:
    """Match a coded field by its code or its label (with or without the code prefix)."""
    s = compact(value)
    if not s:
        return None
    entry = _choice_by_id.get(id(choices))
    if entry is None or entry[0] is not choices:  # the columns pass the same list every time
        if len(_choice_by_id) > 1000:
            _choice_by_id.clear()
        entry = _choice_by_id[id(choices)] = (choices, _choice_index(tuple(choices)))
    index = entry[1]
    found = index.get(s) or index.get(s.upper())
    if found is None:
        labels = "、".join(str(label) for _, label in choices[:12])
        raise CellError(f"“{shown(s)}”不是可选的值（可选：{labels}{'…' if len(choices) > 12 else ''}）")
    return found


_choice_cache: dict = {}
_choice_by_id: dict = {}  # id(choices) -> (choices, index): hashing the choices on every cell costs more


def _choice_index(choices):
    index = _choice_cache.get(choices)
    if index is None:
        index = {}
        for code, label in choices:
            label = str(label).replace(" ", "")
            index[str(code)] = index[str(code).upper()] = code
            index[label] = code
            stripped = re.sub(r"^[0-9A-Z]+", "", label)
            if stripped:
                index.setdefault(stripped, code)
        _choice_cache[choices] = index
    return index


def gender(value) -> str | None:
    s = compact(value)
    if not s:
        return None
    if s in ("男", "M", "m", "男性", "1"):
        return "M"
    if s in ("女", "F", "f", "女性", "2"):
        return "F"
    raise CellError(f"性别“{shown(s)}”应填 男 或 女")


def decimal(value):
    """Money or a percentage: 4943.5, "4,943.50", "4943.5元", "3.5%"."""
    import decimal as _decimal

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        return _decimal.Decimal(str(value))
    s = compact(value).replace(",", "").replace("，", "").removesuffix("元").removesuffix("%").removesuffix("万元")
    if not s:
        return None
    try:
        return _decimal.Decimal(s)
    except _decimal.InvalidOperation:
        raise CellError(f"“{shown(text(value))}”应为数字") from None
