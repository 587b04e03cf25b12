"""the audit chain head is signed and protected: chain id, head signature, triggers (SQLite)

The head gets a random chain id (so a high-water mark kept outside the database knows which
trail it speaks for) and an HMAC signature over its fields, written by the next audit event
(a migration has no key). On SQLite, triggers refuse deleting the head, inserting a second
one, and rewinding it (a lower last event id) or changing its chain id, start or key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_TRIGGERS = {
    "audit_chain_head_no_delete":
        "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END",
    "audit_chain_head_no_insert":
        "CREATE TRIGGER audit_chain_head_no_insert BEFORE INSERT ON audit_chain_head "
        "WHEN (SELECT count(*) FROM audit_chain_head) > 0 "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain has one head: INSERT refused'); END",
    "audit_chain_head_no_rewind":
        "CREATE TRIGGER audit_chain_head_no_rewind BEFORE UPDATE ON audit_chain_head "
        "WHEN NEW.last_event_id < OLD.last_event_id OR NEW.chained_after <> OLD.chained_after "
        "OR (OLD.chain_id <> '' AND NEW.chain_id <> OLD.chain_id) "
        "OR (OLD.key_fingerprint <> '' AND NEW.key_fingerprint <> OLD.key_fingerprint) "
        "BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be rewound: UPDATE refused'); "
        "END",
}


def upgrade() -> None:
    with op.batch_alter_table('audit_chain_head') as batch:
        batch.add_column(sa.Column('chain_id', sa.String(length=32), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('signature', sa.String(length=64), nullable=False,
                                   server_default=''))
    op.get_bind().execute(sa.text("UPDATE audit_chain_head SET chain_id = :chain"),
                          {"chain": uuid.uuid4().hex})
    if op.get_bind().dialect.name == "sqlite":
        for statement in _TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('audit_chain_head') as batch:
        batch.drop_column('signature')
        batch.drop_column('chain_id')
