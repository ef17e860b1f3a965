"""Pinyin keys so that names can be found by "zhangsan" or "zs"."""

import re

from pypinyin import Style, lazy_pinyin


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case ASCII only, e.g. 张三 -> ("zhangsan", "zs")."""
    if not name:
        return "", ""
    full = "".join(lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    clean = lambda s: re.sub(r"[^a-z0-9]", "", s.lower())  # noqa: E731
    return clean(full)[:200], clean(initials)[:100]


def is_pinyin_query(q: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]+", q))
