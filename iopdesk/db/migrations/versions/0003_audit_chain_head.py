"""the head of the audit chain (last event id and hash, key fingerprint)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_event_id', _ID, nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('chained_after', _ID, nullable=False),
        sa.Column('key_fingerprint', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    # Events already written (before this revision) stay outside the chain.
    last = op.get_bind().execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_events")).scalar()
    op.bulk_insert(head, [{"id": 1, "last_event_id": last, "last_hash": "",
                           "chained_after": last, "key_fingerprint": ""}])


def downgrade() -> None:
    op.drop_table('audit_chain_head')
