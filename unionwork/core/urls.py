"""Where a record is shown: one function so every figure can link to its records."""

from django.urls import NoReverseMatch, reverse

_DIRECTORY = {"enterprise": "directory:enterprise_detail", "union": "directory:union_detail",
              "member": "directory:member_detail"}


def record_url(obj) -> str:
    from unionwork.core.kinds import all_kinds

    name = obj._meta.model_name
    if obj._meta.app_label == "directory" and name in _DIRECTORY:
        return reverse(_DIRECTORY[name], args=[obj.pk])
    for kind in all_kinds().values():
        if kind.model is type(obj):
            return kind.url("detail", obj.pk)
        for child in kind.children:
            if child.model is type(obj):
                parent = getattr(obj, child.fk)
                return kind.url("detail", parent.pk)
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""
