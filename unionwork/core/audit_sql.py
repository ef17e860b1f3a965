"""Database triggers that keep the audit trail append-only, even against raw SQL.

UPDATE is always refused; DELETE only of rows younger than the minimum retention (180 days),
so `purge_audit` can still remove what the retention setting lets go. The migration installs
them; the flush command (tests, a wiped database) lifts them around its own DELETEs.
"""

from .models import AUDIT_MIN_RETENTION_DAYS

TABLE = "core_auditevent"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.created_at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{AUDIT_MIN_RETENTION_DAYS} days')
    BEGIN SELECT RAISE(ABORT, 'audit trail: rows younger than {AUDIT_MIN_RETENTION_DAYS} days cannot be deleted'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]

# ERRCODE 23001 (restrict_violation): Django raises IntegrityError, as SQLite's RAISE(ABORT) does.
POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION core_auditevent_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'audit trail is append-only: UPDATE refused' USING ERRCODE = '23001';
        END IF;
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'audit trail is append-only: TRUNCATE refused' USING ERRCODE = '23001';
        END IF;
        IF OLD.created_at > now() - interval '{AUDIT_MIN_RETENTION_DAYS} days' THEN
            RAISE EXCEPTION 'audit trail: rows younger than {AUDIT_MIN_RETENTION_DAYS} days cannot be deleted'
                USING ERRCODE = '23001';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS core_auditevent_guard_rows ON {TABLE}",
    f"""CREATE TRIGGER core_auditevent_guard_rows BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_guard()""",
    f"DROP TRIGGER IF EXISTS core_auditevent_guard_truncate ON {TABLE}",
    f"""CREATE TRIGGER core_auditevent_guard_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_guard()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS core_auditevent_guard_rows ON {TABLE}",
    f"DROP TRIGGER IF EXISTS core_auditevent_guard_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS core_auditevent_guard()",
]


def statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    return []  # other databases are not supported by the project; the model's own guards still apply


def install(connection):
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection):
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, False):
            cursor.execute(sql)
