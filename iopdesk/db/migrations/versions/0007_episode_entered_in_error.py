"""an episode can be marked entered in error: the status value, and why, by whom and when

Episode statuses are stored as plain strings (`enum_column`: VARCHAR, no native enum and no
CHECK), so the new value "entered_in_error" needs no constraint change; the column grows to
the length `enum_column` gives the longer vocabulary (VARCHAR(24)), on `episodes.status` and
on its denormalised copy `participants.current_status`. Three nullable columns keep the
correction: its reason, who made it (a staff user) and when (UTC).

SQLite alters a column's type by rebuilding the table ("move and copy"): the rebuild of
`participants` drops the triggers of the search index of revision 0004 with the old table, so
they are made again here (and the index rebuilt). On PostgreSQL the same operations are plain
ALTER TABLE statements.

A downgrade is refused while any episode is marked entered in error: revision 0006 has no
way to keep that record (nothing clinical is deleted to make a downgrade possible).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from iopdesk.domain.errors import MigrationFailed

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_BEFORE = ('referred', 'active', 'discharged')
_AFTER = (*_BEFORE, 'entered_in_error')

# The search index's triggers, as revision 0004 made them.
_COLUMNS = "last_name_key, first_name_key, preferred_name_key, chart_number, phone_digits"
_NEW = ", ".join(f"new.{c.strip()}" for c in _COLUMNS.split(","))
_OLD = ", ".join(f"old.{c.strip()}" for c in _COLUMNS.split(","))
_SEARCH_TRIGGERS = {
    "participant_search_insert":
        "CREATE TRIGGER participant_search_insert AFTER INSERT ON participants BEGIN "
        f"INSERT INTO participant_search (rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
    "participant_search_delete":
        "CREATE TRIGGER participant_search_delete AFTER DELETE ON participants BEGIN "
        f"INSERT INTO participant_search (participant_search, rowid, {_COLUMNS}) "
        f"VALUES ('delete', old.id, {_OLD}); END",
    "participant_search_update":
        f"CREATE TRIGGER participant_search_update AFTER UPDATE OF id, {_COLUMNS} ON "
        f"participants BEGIN INSERT INTO participant_search (participant_search, rowid, "
        f"{_COLUMNS}) VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO participant_search (rowid, {_COLUMNS}) VALUES (new.id, {_NEW}); END",
}


def _status(values: tuple[str, ...]) -> sa.Enum:
    """The type `enum_column(EpisodeStatus)` gives for these values."""
    return sa.Enum(*values, name='episodestatus', native_enum=False,
                   length=max(len(v) for v in values) + 8)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _search_triggers_again() -> None:
    """After a rebuild of `participants` (SQLite): its search triggers, and the index."""
    if not _sqlite():
        return
    for name, statement in _SEARCH_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(statement)
    op.execute("INSERT INTO participant_search (participant_search) VALUES ('rebuild')")


def upgrade() -> None:
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_in_error_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('entered_in_error_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_in_error_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_episodes_entered_in_error_by_id_staff_users'), 'staff_users',
            ['entered_in_error_by_id'], ['id'])
        batch_op.alter_column('status', existing_type=_status(_BEFORE), type_=_status(_AFTER),
                              existing_nullable=False)
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('current_status', existing_type=_status(_BEFORE),
                              type_=_status(_AFTER), existing_nullable=True)
    _search_triggers_again()


def downgrade() -> None:
    marked = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM episodes WHERE status = 'entered_in_error'")).scalar()
    if marked:
        raise MigrationFailed(
            f"{marked} episode(s) are marked entered in error, which the older schema cannot "
            "keep; the downgrade was refused and nothing was changed")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.alter_column('current_status', existing_type=_status(_AFTER),
                              type_=_status(_BEFORE), existing_nullable=True)
    _search_triggers_again()
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_episodes_entered_in_error_by_id_staff_users'),
                                 type_='foreignkey')
        batch_op.alter_column('status', existing_type=_status(_AFTER), type_=_status(_BEFORE),
                              existing_nullable=False)
        batch_op.drop_column('entered_in_error_at')
        batch_op.drop_column('entered_in_error_by_id')
        batch_op.drop_column('entered_in_error_reason')
