"""Reads of the directory. Every function takes the user and returns scoped rows."""

from unionwork.core import crypto
from unionwork.core.scope import get_scoped, scoped

from .models import Enterprise, Member, Membership, Union


def enterprises_for(user):
    return scoped(user, Enterprise).select_related("node", "union")


def unions_for(user):
    return scoped(user, Union).select_related("node", "node__parent")


def members_for(user):
    return scoped(user, Member).select_related("union", "enterprise")


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
