"""Query parameters every page and the API read the same way: a bad value is a 400 with the reason,
never a server error (django.core.exceptions.BadRequest: the 400 page, or the API's JSON answer)."""

from django.core.exceptions import BadRequest

YEARS = (1949, 2100)  # the years a page, a document or a statistics table may be asked for


def int_param(request, name, default, allowed, message):
    """?name=: a whole number in allowed, default when absent, else BadRequest(message)."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(message) from None
    if value not in allowed:  # int in range: constant time (None in a range would walk all of it)
        raise BadRequest(message)
    return value


def year_param(request, default):
    """?year=: a whole year in YEARS (never a date Python cannot make)."""
    return int_param(request, "year", default, range(YEARS[0], YEARS[1] + 1),
                     f"年份（year）应为 {YEARS[0]} 至 {YEARS[1]} 之间的整数")
