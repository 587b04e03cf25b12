"""participant search on PostgreSQL: a narrow table of the search's keys (PostgreSQL only)

The "contains" search of revision 0008 read, for a common trigram ("ste"), some 570 pages of
the wide `participants` rows to recheck 1,200 matches, once per column searched (a union of
four scans), then sorted them: within a frame at the median, not at the 99th percentile.
This table holds only what the search reads (the folded name keys, chart number, phone
digits and the list's filters), one row per participant, in under half as many pages (310
against 667 on the large demo), with two generated columns that each hold every value one
kind of search looks inside, joined by a space (a typed word has none, so it cannot match
across two values):

- `words`: the three name keys and the chart number (lower-cased, as ILIKE compared it);
- `numbers`: the chart number and the phone digits.

One GIN trigram index on each answers a search in one scan, with LIKE (the keys are folded
already) instead of ILIKE (which lower-cases every row it rechecks). The indexes take each
new row at once (fastupdate off): with GIN's pending list, every search would read through
the rows registered since the last vacuum, and the planner, counting them, would read the
whole table instead.

A trigger on `participants` keeps it in step in the same transaction, whoever writes (the
services, the demo's bulk inserts, `db migrate-to`'s copy); `pg_restore` brings its rows
from the archive (the trigger is made after the data). The workstations' role is granted it
like any table (`db grant`, and `db upgrade` for roles granted before), and the trigger runs
with that role's rights. Revision 0008's trigram indexes on `participants` are dropped: nothing
reads them now, and every registration and name change had to update five of them. SQLite
has its FTS5 table (revision 0004) and no such thing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLE = "participant_search_keys"     # iopdesk.services.registry reads it by this name
FUNCTION = "participant_search_keys_sync"
KEYS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
        "phone_digits", "current_status", "current_track_id", "primary_clinician_id")
OLD_TRIGRAM_COLUMNS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
                       "phone_digits")
# trigger: (when, each)
TRIGGERS = {
    "participant_search_keys_insert": ("AFTER INSERT", "FOR EACH ROW"),
    "participant_search_keys_update": ("AFTER UPDATE", "FOR EACH ROW WHEN ("
                                       + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}"
                                                     for c in ("id", *KEYS)) + ")"),
    "participant_search_keys_delete": ("AFTER DELETE", "FOR EACH ROW"),
    "participant_search_keys_truncate": ("AFTER TRUNCATE", "FOR EACH STATEMENT"),
}

_CREATE = f"""
CREATE TABLE {TABLE} (
    id integer PRIMARY KEY,
    last_name_key varchar(100) COLLATE "C" NOT NULL,
    first_name_key varchar(100) COLLATE "C" NOT NULL,
    preferred_name_key varchar(100) COLLATE "C" NOT NULL,
    chart_number varchar(20) COLLATE "C" NOT NULL,
    phone_digits varchar(15) COLLATE "C" NOT NULL,
    current_status varchar(24),
    current_track_id integer,
    primary_clinician_id integer,
    words text COLLATE "C" GENERATED ALWAYS AS (last_name_key || ' ' || first_name_key
        || ' ' || preferred_name_key || ' ' || lower(chart_number)) STORED,
    numbers text COLLATE "C" GENERATED ALWAYS AS (lower(chart_number) || ' '
        || phone_digits) STORED
)"""

_SYNC = f"""
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {TABLE};
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM {TABLE} WHERE id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {TABLE} (id, {", ".join(KEYS)})
        VALUES (NEW.id, {", ".join(f"NEW.{c}" for c in KEYS)});
    END IF;
    RETURN NULL;
END"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CREATE)
    op.execute(f"INSERT INTO {TABLE} (id, {', '.join(KEYS)}) "
               f"SELECT id, {', '.join(KEYS)} FROM participants")
    for column in ("words", "numbers"):
        op.execute(f"CREATE INDEX ix_{TABLE}_{column} ON {TABLE} "
                   f"USING gin ({column} gin_trgm_ops) WITH (fastupdate = off)")
    op.execute(f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $${_SYNC}$$")
    for name, (when, each) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} ON participants {each} "
                   f"EXECUTE FUNCTION {FUNCTION}()")
    op.execute(f"ANALYZE {TABLE}")
    for column in OLD_TRIGRAM_COLUMNS:          # revision 0008's, read by nothing now
        op.execute(f"DROP INDEX IF EXISTS ix_participants_trgm_{column}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON participants")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
    for column in OLD_TRIGRAM_COLUMNS:
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_participants_trgm_{column} ON participants "
                   f"USING gin ({column} gin_trgm_ops)")
