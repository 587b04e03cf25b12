"""attendance keeps its history and walk-ins; an authorization names its payer and level of care

The front desk's check-in work (issue 13): every step of an attendance row (check-in,
check-out, their undo, an absence, a correction of times with its reason) is one row of
`attendance_changes`, written with the change and never updated; `attendance.walk_in` marks a
check-in to a meeting of a track the episode is not enrolled in. The attendance status gains
the value "expected" (a check-in undone); statuses are plain strings (`enum_column`: VARCHAR,
no CHECK) and the longest value is unchanged, so the column stays as it is.

`authorizations` gains the payer's name and the level of care authorized.

New columns have server defaults, so rows already stored read as before (not a walk-in; no
payer or level named). A downgrade is refused while any attendance history is stored: the
older schema cannot keep it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from iopdesk.domain.errors import MigrationFailed

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'attendance_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attendance_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('status_before', sa.String(length=18), nullable=True),
        sa.Column('status_after', sa.String(length=18), nullable=False),
        sa.Column('in_before', sa.DateTime(timezone=True), nullable=True),
        sa.Column('in_after', sa.DateTime(timezone=True), nullable=True),
        sa.Column('out_before', sa.DateTime(timezone=True), nullable=True),
        sa.Column('out_after', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'],
                                name=op.f('fk_attendance_changes_attendance_id_attendance')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['staff_users.id'],
                                name=op.f('fk_attendance_changes_changed_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_changes')),
    )
    op.create_index('ix_attendance_changes_attendance', 'attendance_changes',
                    ['attendance_id', 'id'], unique=False)
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in', sa.Boolean(), server_default='0',
                                      nullable=False))
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer', sa.String(length=120), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('level_of_care', sa.String(length=20), server_default='',
                                      nullable=False))


def downgrade() -> None:
    kept = op.get_bind().execute(sa.text("SELECT count(*) FROM attendance_changes")).scalar()
    if kept:
        raise MigrationFailed(
            f"{kept} attendance change(s) are recorded, which the older schema cannot keep; "
            "the downgrade was refused and nothing was changed")
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.drop_column('level_of_care')
        batch_op.drop_column('payer')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('walk_in')
    op.drop_index('ix_attendance_changes_attendance', table_name='attendance_changes')
    op.drop_table('attendance_changes')
