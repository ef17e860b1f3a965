"""Django's flush, with the audit trail's triggers lifted while it empties every table.

flush wipes the whole database on purpose (the test runner calls it between transactional tests);
the triggers that refuse deleting recent audit events are put back right after it.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from unionwork.core import audit_sql


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        guarded = audit_sql.TABLE in connection.introspection.table_names()
        if guarded:
            audit_sql.remove(connection)
        try:
            return super().handle(**options)
        finally:
            if guarded:
                audit_sql.install(connection)
