"""audit events are append-only: triggers refuse UPDATE and DELETE (SQLite)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_TRIGGERS = {
    "audit_events_no_update": "UPDATE",
    "audit_events_no_delete": "DELETE",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: enforced by privileges (the PostgreSQL issue adds them)
    for name, verb in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, 'audit events are append-only: {verb} refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
