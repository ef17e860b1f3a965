"""The triggers that keep MemberNameGram (each two-character piece of a member's name) in step with
directory_member, for SQLite and PostgreSQL. Triggers rather than application code: members are also
written by raw inserts (ledgers.importers) and bulk updates, and a piece missed would hide a member
from search."""

MEMBER = "directory_member"
GRAMS = "directory_membernamegram"
# SQLite: the positions 0…199 as a VALUES list (a name holds at most 50 characters; the margin costs
# nothing), read up to the name's length by LIMIT. Not json_each (it reads all 200 every time: 4 times
# slower) nor a recursive CTE (not documented as allowed inside triggers).
_POSITIONS = "(VALUES " + ",".join(f"({i})" for i in range(200)) + ")"


def _sqlite_pieces(row: str) -> str:
    return (f"INSERT OR IGNORE INTO {GRAMS} (gram, member_id) SELECT substr({row}.name, column1 + 1, 2), {row}.id "
            f"FROM {_POSITIONS} LIMIT max(length({row}.name) - 1, 0);")


SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS directory_member_grams_insert AFTER INSERT ON {MEMBER}
    BEGIN {_sqlite_pieces("NEW")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS directory_member_grams_update AFTER UPDATE OF name ON {MEMBER}
    WHEN OLD.name IS NOT NEW.name
    BEGIN DELETE FROM {GRAMS} WHERE member_id = OLD.id; {_sqlite_pieces("NEW")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS directory_member_grams_delete AFTER DELETE ON {MEMBER}
    BEGIN DELETE FROM {GRAMS} WHERE member_id = OLD.id; END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS directory_member_grams_insert",
    "DROP TRIGGER IF EXISTS directory_member_grams_update",
    "DROP TRIGGER IF EXISTS directory_member_grams_delete",
]

POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION directory_member_grams() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM {GRAMS} WHERE member_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO {GRAMS} (gram, member_id)
            SELECT substr(NEW.name, i, 2), NEW.id FROM generate_series(1, char_length(NEW.name) - 1) AS i
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS directory_member_grams_rows ON {MEMBER}",
    f"""CREATE TRIGGER directory_member_grams_rows AFTER INSERT OR DELETE ON {MEMBER}
    FOR EACH ROW EXECUTE FUNCTION directory_member_grams()""",
    f"DROP TRIGGER IF EXISTS directory_member_grams_name ON {MEMBER}",
    f"""CREATE TRIGGER directory_member_grams_name AFTER UPDATE OF name ON {MEMBER}
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION directory_member_grams()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS directory_member_grams_rows ON {MEMBER}",
    f"DROP TRIGGER IF EXISTS directory_member_grams_name ON {MEMBER}",
    "DROP FUNCTION IF EXISTS directory_member_grams()",
]

# The pieces of the members with ids above after_id (a migration: 0; a large import: those it added):
# each member against the positions a name among them has (from their longest name, a few), not all 200
# (SQLite would flatten a subquery picking those and scan the 200 for every member: 1.2 s → 0.3 s), sorted
# as the table's key so that its B-tree is written in order (340,000 pieces: 1.2–1.37 s → 0.94–1.08 s).
def _sqlite_fill(cursor, after_id: int):
    cursor.execute(f"SELECT max(length(name)) FROM {MEMBER} WHERE id > %s", [after_id])
    longest = cursor.fetchone()[0] or 0
    if longest < 2:
        return
    positions = ",".join(f"({i})" for i in range(longest - 1))
    cursor.execute(f"INSERT OR IGNORE INTO {GRAMS} (gram, member_id) SELECT substr(m.name, p.column1 + 1, 2), m.id "
                   f"FROM {MEMBER} m CROSS JOIN (VALUES {positions}) p "
                   "WHERE p.column1 < length(m.name) - 1 AND m.id > %s ORDER BY 1, 2", [after_id])


POSTGRESQL_FILL = (f"INSERT INTO {GRAMS} (gram, member_id) SELECT DISTINCT substr(m.name, i, 2), m.id "
                   f"FROM {MEMBER} m, generate_series(1, char_length(m.name) - 1) AS i WHERE m.id > %s "
                   "ON CONFLICT DO NOTHING")


# A large import into SQLite (ledgers.importers): the insert trigger is dropped inside its transaction and
# the pieces of the members it added are inserted at its end in one INSERT … SELECT (with the index by member
# dropped and built again after: 0.8 s for 200,000 members, where the trigger row by row costs 1.2 s more
# on every insert). A rollback or a kill brings the trigger (and the index) back.
SQLITE_INSERT_TRIGGER = "directory_member_grams_insert"


def sqlite_pause_inserts(cursor) -> bool:
    """Drop the insert trigger (SQLite, inside the caller's transaction); False when it is not there."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [SQLITE_INSERT_TRIGGER])
    if cursor.fetchone() is None:
        return False
    cursor.execute(f"DROP TRIGGER {SQLITE_INSERT_TRIGGER}")
    return True


def sqlite_resume_inserts(cursor, after_id: int):
    """The pieces of the members with ids above after_id, then the insert trigger again."""
    _sqlite_fill(cursor, after_id)
    cursor.execute(SQLITE_INSTALL[0])


def install(connection):
    """The triggers, and the pieces of the members already there (again: nothing is added twice)."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return  # the project supports these two
    with connection.cursor() as cursor:
        for sql in SQLITE_INSTALL if vendor == "sqlite" else POSTGRESQL_INSTALL:
            cursor.execute(sql)
        if vendor == "sqlite":
            _sqlite_fill(cursor, 0)
        else:
            cursor.execute(POSTGRESQL_FILL, [0])


def remove(connection):
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        for sql in SQLITE_REMOVE if vendor == "sqlite" else POSTGRESQL_REMOVE:
            cursor.execute(sql)
