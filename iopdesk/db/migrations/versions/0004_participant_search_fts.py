"""participant "contains" search: an FTS5 trigram index over names, chart and phone (SQLite)

An external-content FTS5 table over the folded name keys, the chart number and the phone
digits of `participants`, filled for the rows already there and kept in step by triggers.

Beware in later revisions: a batch ("move and copy") rebuild of `participants` drops these
triggers with the old table; such a revision must create them again (the statements below).
tests/db/test_migrations.py checks that they exist at head.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_COLUMNS = "last_name_key, first_name_key, preferred_name_key, chart_number, phone_digits"
_NEW = ", ".join(f"new.{c.strip()}" for c in _COLUMNS.split(","))
_OLD = ", ".join(f"old.{c.strip()}" for c in _COLUMNS.split(","))

_STATEMENTS = (
    f"CREATE VIRTUAL TABLE participant_search USING fts5({_COLUMNS}, "
    "content='participants', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER participant_search_insert AFTER INSERT ON participants BEGIN "
    f"INSERT INTO participant_search (rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER participant_search_delete AFTER DELETE ON participants BEGIN "
    f"INSERT INTO participant_search (participant_search, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); END",
    # Only when an indexed column changes: a new status or track leaves the index alone.
    f"CREATE TRIGGER participant_search_update AFTER UPDATE OF id, {_COLUMNS} ON participants "
    f"BEGIN INSERT INTO participant_search (participant_search, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO participant_search (rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "INSERT INTO participant_search (participant_search) VALUES ('rebuild')",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: "contains" falls back to LIKE (a pg_trgm index would be the peer)
    for statement in _STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("participant_search_update", "participant_search_delete",
                    "participant_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS participant_search")
