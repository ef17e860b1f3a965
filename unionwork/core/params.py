"""Query parameters every page and the API read the same way: a bad value is a 400 with the reason,
never a server error (django.core.exceptions.BadRequest: the 400 page, or the API's JSON answer)."""

from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest
from django.template import loader

YEARS = (1949, 2100)  # the years a page, a document or a statistics table may be asked for


class ParameterError(BadRequest):
    """A query parameter with a value it cannot have; the message (ours, in Chinese) says which and why,
    and the 400 page shows it. Other BadRequests keep the page's general words."""


def bad_request(request, exception, template_name="400.html"):
    """handler400: Django's page, with the reason when the request failed on one of our parameters."""
    reason = str(exception) if isinstance(exception, ParameterError) else ""
    return HttpResponseBadRequest(loader.get_template(template_name).render({"reason": reason}, request))


def int_param(request, name, default, allowed, message):
    """?name=: a whole number in allowed, default when absent, else BadRequest(message)."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(message) from None
    if value not in allowed:  # int in range: constant time (None in a range would walk all of it)
        raise ParameterError(message)
    return value


def year_param(request, default):
    """?year=: a whole year in YEARS (never a date Python cannot make)."""
    return int_param(request, "year", default, range(YEARS[0], YEARS[1] + 1),
                     f"年份（year）应为 {YEARS[0]} 至 {YEARS[1]} 之间的整数")
