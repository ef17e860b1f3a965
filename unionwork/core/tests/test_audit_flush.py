"""flush (the test runner's wipe between transactional tests) gets through the audit triggers and restores them.

In a module of its own: the `world` fixture keeps a module-wide transaction open, which a transactional
test cannot run inside.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from unionwork.core.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_puts_the_triggers_back():
    AuditEvent.objects.create(action="login", username="someone")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    event = AuditEvent.objects.create(action="login", username="someone")
    with pytest.raises(IntegrityError):
        _raw_sql("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    # The test runner's own flush after this test must get through the triggers as well.


def _raw_sql(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
