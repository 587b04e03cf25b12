"""participant search on PostgreSQL: pg_trgm GIN indexes, code-point collation (PostgreSQL only)

SQLite answers "contains" searches from the FTS5 trigram table of revision 0004. PostgreSQL's
twin is the pg_trgm extension (a trusted extension: the database's owner may create it) and a
GIN trigram index on each column the search looks inside: the folded name keys, the chart
number and the phone digits. `ILIKE '%…%'` then reads the index instead of every row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
           "phone_digits")
LENGTHS = {"last_name_key": 100, "first_name_key": 100, "preferred_name_key": 100,
           "chart_number": 20, "phone_digits": 15}


def index_name(column: str) -> str:
    return f"ix_participants_trgm_{column}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.execute(f'ALTER TABLE participants ALTER COLUMN {column} '
                   f'TYPE varchar({LENGTHS[column]}) COLLATE "C"')
    for column in COLUMNS:
        op.execute(f"CREATE INDEX IF NOT EXISTS {index_name(column)} ON participants "
                   f"USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {index_name(column)}")
        op.execute(f'ALTER TABLE participants ALTER COLUMN {column} '
                   f'TYPE varchar({LENGTHS[column]}) COLLATE "default"')
