"""reverse() remembered per process: the navigation's links and a list's row links on every page.

Django resolves every {% url %} from scratch (~40 µs: the resolver's candidates, the converters, quoting); a
page has 20–50 of them, which under load was 6 % of a request's CPU. The answer depends only on the URL
configuration, the script prefix, the view name and the arguments, so it is kept:

- without arguments, the URL itself;
- with non-negative integer arguments (primary keys), the URL split where the arguments go, learned from two
  probe reversals that must agree (so a converter that pads or changes its value is never guessed at);
- anything else is reversed each time.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_PROBES = ((7093153, 1), (40916, 2), (3381, 3), (527, 4))  # (first probe, second probe) per argument
_MISSING = object()
_kept: dict = {}
_LIMIT = 4096  # distinct (view, arity) pairs; a project has a few hundred


def _learn(viewname, arity, current_app):
    """The pieces between the arguments, or None when this view's URL cannot be built by pasting."""
    if arity > len(_PROBES):
        return None
    first = [p[0] for p in _PROBES[:arity]]
    second = [p[1] for p in _PROBES[:arity]]
    try:
        url = reverse(viewname, args=first, current_app=current_app)
    except Exception:  # NoReverseMatch and converters that refuse the probe: reverse each time
        return None
    pieces, rest = [], url
    for value in first:
        head, sep, rest = rest.partition(str(value))
        if not sep or str(value) in rest:
            return None
        pieces.append(head)
    pieces.append(rest)
    try:
        check = reverse(viewname, args=second, current_app=current_app)
    except Exception:
        return None
    return tuple(pieces) if check == _paste(pieces, second) else None


def _paste(pieces, args):
    out = [pieces[0]]
    for value, piece in zip(args, pieces[1:], strict=True):
        out.append(str(value))
        out.append(piece)
    return "".join(out)


def reverse_kept(viewname, args=(), kwargs=None, current_app=None):
    """reverse(viewname, args, kwargs), the same string, remembered where that is safe (see above)."""
    if kwargs or not isinstance(viewname, str) or not all(
            type(a) is int and a >= 0 for a in args):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    key = (get_urlconf(), get_script_prefix(), current_app, viewname, len(args))
    pieces = _kept.get(key, _MISSING)
    if pieces is _MISSING:
        if not args:
            pieces = (reverse(viewname, current_app=current_app),)  # NoReverseMatch propagates, not kept
        else:
            pieces = _learn(viewname, len(args), current_app)
        if len(_kept) >= _LIMIT:
            _kept.clear()
        _kept[key] = pieces
    if pieces is None:
        return reverse(viewname, args=args, current_app=current_app)
    return _paste(pieces, args) if args else pieces[0]


@receiver(setting_changed)
def _urls_changed(*, setting, **kwargs):
    # override_settings(ROOT_URLCONF=…) in tests: outside a request get_urlconf() is None either way.
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _kept.clear()
