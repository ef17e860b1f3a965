"""The scope choke point itself: the indexed prefix filter and deny-by-default."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from conftest import make_user
from unionwork.accounts.choices import Perm, Role
from unionwork.core.models import ChangeLog
from unionwork.core.scope import (
    ensure_can_write,
    get_scoped,
    node_in_scope,
    path_prefix_q,
    scope_path,
    scoped,
)
from unionwork.directory.models import Member
from unionwork.org.choices import NodeKind
from unionwork.org.models import Node

pytestmark = pytest.mark.django_db


def test_prefix_filter_does_not_take_siblings_with_longer_ids(db):
    """'900/4/' must not match '900/40/': the trailing slash keeps ids apart."""
    for code, path in [("P1", "900/"), ("P2", "900/4/"), ("P3", "900/40/"), ("P4", "900/4/5/"), ("P5", "901/4/")]:
        Node.objects.create(kind=NodeKind.STREET, name=code, code=code, path=path)
    found = set(Node.objects.filter(path_prefix_q("path", "900/4/")).values_list("code", flat=True))
    assert found == {"P2", "P4"}
    assert set(Node.objects.filter(path_prefix_q("path", "900/"), code__startswith="P").values_list("code", flat=True)) == {
        "P1", "P2", "P3", "P4"}
    assert Node.objects.filter(path_prefix_q("path", ""), code__startswith="P").count() == 5


def test_scope_path_denies_by_default(world):
    assert scope_path(None) is None
    assert scope_path(AnonymousUser()) is None
    assert scope_path(world.nobody) is None
    world.cadre_a.is_active = False
    assert scope_path(world.cadre_a) is None
    assert scope_path(world.street_cadre) == world.street1.path


def test_operator_without_node_sees_all_but_superuser_with_node_is_bounded(world):
    op = make_user("ops", Role.VIEWER, None, is_superuser=True)
    assert scope_path(op) == ""
    assert scoped(op, Member).count() == Member.objects.count()
    bounded = make_user("ops2", Role.VIEWER, world.comm_b, is_superuser=True)
    assert set(scoped(bounded, Member).values_list("name", flat=True)) == {"李四"}


def test_scoped_refuses_models_that_cannot_be_placed(world):
    with pytest.raises(ImproperlyConfigured):
        scoped(world.street_cadre, ChangeLog)


def test_get_scoped_is_404_outside_and_for_garbage(world):
    assert get_scoped(world.cadre_a, Member, pk=world.zhangsan.pk) == world.zhangsan
    for pk in (world.lisi.pk, "abc", None, 10**12):
        with pytest.raises(Http404):
            get_scoped(world.cadre_a, Member, pk=pk)


def test_node_in_scope(world):
    assert node_in_scope(world.cadre_a, world.comm_a)
    assert node_in_scope(world.cadre_a, world.union_a.node)
    assert not node_in_scope(world.cadre_a, world.comm_b)
    assert not node_in_scope(world.cadre_a, world.street1)
    assert not node_in_scope(world.cadre_a, None)
    assert not node_in_scope(world.nobody, world.comm_a)


def test_ensure_can_write_needs_role_and_scope(world):
    ensure_can_write(world.cadre_a, Perm.CREATE, world.comm_a)
    with pytest.raises(PermissionDenied) as exc:
        ensure_can_write(world.cadre_a, Perm.CREATE, world.comm_b)
    assert world.comm_b.display_name in str(exc.value)
    with pytest.raises(PermissionDenied) as exc:
        ensure_can_write(world.viewer, Perm.CREATE, world.comm_a)
    assert "只读" in str(exc.value) and "无权新建" in str(exc.value)
