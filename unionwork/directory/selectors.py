"""Reads of the directory. Every function takes the user and returns scoped rows."""

from django.db.models import Q

from unionwork.core import crypto
from unionwork.core.scope import get_scoped, scoped

from .models import Enterprise, Member, MemberNameGram, Membership, Union


def enterprises_for(user):
    return scoped(user, Enterprise).select_related("node", "union")


def unions_for(user):
    return scoped(user, Union).select_related("node", "node__parent")


def members_for(user):
    return scoped(user, Member).select_related("union", "enterprise")


def name_contains(q: str) -> Q | None:
    """Members whose name contains q (name__icontains=q, the same rows), found through the pieces of their
    names (MemberNameGram): q's first and last two characters. 程欣 over a district's 200,000 members: the
    31 holding 程欣, not every name read (14 → 1 ms). None when q is shorter than two characters or has
    letters with a case (there "contains" ignores case, the pieces do not)."""
    if len(q) < 2 or q.lower() != q.upper():
        return None
    cond = Q(name__icontains=q)
    for piece in dict.fromkeys((q[:2], q[-2:])):
        cond &= Q(pk__in=MemberNameGram.objects.filter(gram=piece).values("member_id"))
    return cond


def get_enterprise(user, pk) -> Enterprise:
    return get_scoped(user, enterprises_for(user), pk=pk)


def get_union(user, pk) -> Union:
    return get_scoped(user, unions_for(user), pk=pk)


def get_member(user, pk) -> Member:
    return get_scoped(user, members_for(user), pk=pk)


def with_id_number(qs, id_number: str):
    """The one place members are looked up by 身份证号 (with member_by_id_number below): the number is
    stored encrypted, and found by its keyed hash."""
    return qs.filter(id_number_hash=crypto.lookup_hash(id_number))


def members_with_id_numbers(qs, id_numbers):
    """Many at once (imports); the same single place as with_id_number."""
    return qs.filter(id_number_hash__in=[crypto.lookup_hash(n) for n in id_numbers])


def member_by_id_number(id_number: str) -> Member | None:
    """The holder of a 身份证号, unscoped: one person, one file, across the whole system."""
    return with_id_number(Member.objects.select_related("union"), id_number).first()


def memberships_of(member: Member):
    return Membership.objects.filter(member=member).select_related("union").order_by("started_on", "id")


def union_memberships(user, union: Union):
    """A union's membership changes with each member's name (what its page shows): the members' other
    columns, 身份证号 and phone among them, are neither read nor decrypted."""
    return (scoped(user, Membership).filter(union=union).select_related("member")
            .only("member_id", "union_id", "started_on", "start_event", "ended_on", "end_event", "note", "member__name")
            .order_by("-started_on", "-id"))
