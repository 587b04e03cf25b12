"""a participant's referral date; addenda to an intake assessment as well as to a note

`participants.referral_date`: the day the referral came, recorded at registration (a plain
ADD COLUMN: the participants table is not rebuilt, so its search triggers stay).
`addenda` may belong to an intake (`intake_id`) instead of a note: exactly one of the two
(check constraint `one_document`, as the signatures have).
The status of a signed document may now be "awaiting_cosign" (signed by a clinician whose
work needs co-signature): the status columns grow to hold it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_STATUS_TABLES = ('intake_assessments', 'notes', 'discharges')
_ONE_DOCUMENT = ("(CASE WHEN note_id IS NULL THEN 0 ELSE 1 END)"
                 " + (CASE WHEN intake_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade() -> None:
    op.add_column('participants', sa.Column('referral_date', sa.Date(), nullable=True))
    with op.batch_alter_table('addenda', recreate='always') as batch:
        batch.alter_column('note_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('intake_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_addenda_intake_id_intake_assessments'),
                                 'intake_assessments', ['intake_id'], ['id'])
        batch.create_index(batch.f('ix_addenda_intake_id'), ['intake_id'], unique=False)
        batch.create_check_constraint(batch.f('ck_addenda_one_document'), _ONE_DOCUMENT)
    for table in _STATUS_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column('status', existing_type=sa.String(length=16),
                               type_=sa.String(length=23), existing_nullable=False)


def downgrade() -> None:
    for table in _STATUS_TABLES:
        op.execute(f"UPDATE {table} SET status = 'signed' WHERE status = 'awaiting_cosign'")
        with op.batch_alter_table(table) as batch:
            batch.alter_column('status', existing_type=sa.String(length=23),
                               type_=sa.String(length=16), existing_nullable=False)
    op.execute("DELETE FROM addenda WHERE note_id IS NULL")
    with op.batch_alter_table('addenda', recreate='always') as batch:
        batch.drop_constraint(batch.f('ck_addenda_one_document'), type_='check')
        batch.drop_index(batch.f('ix_addenda_intake_id'))
        batch.drop_constraint(batch.f('fk_addenda_intake_id_intake_assessments'),
                              type_='foreignkey')
        batch.drop_column('intake_id')
        batch.alter_column('note_id', existing_type=sa.Integer(), nullable=False)
    # not a batch rebuild of participants: that would drop its search triggers (see 0004)
    op.execute("ALTER TABLE participants DROP COLUMN referral_date")
