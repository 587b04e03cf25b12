"""the audit trail is append-only on PostgreSQL too: triggers refuse changing it (PostgreSQL)

The twin of revisions 0002 and 0005 on SQLite. Audit events refuse UPDATE, DELETE and
TRUNCATE; the chain head refuses DELETE, TRUNCATE, a second row, and an UPDATE that rewinds it
(a lower last event id) or changes its start, its chain id or its key once set. Triggers fire
for every role that is not allowed to switch them off; the roles a practice's workstations
connect with get no such right (the PostgreSQL setup says so).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_FUNCTIONS = {
    "audit_events_append_only": """
        BEGIN
            RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
        END""",
    "audit_chain_head_guard": """
        BEGIN
            IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
                RAISE EXCEPTION 'the audit chain head cannot be deleted';
            ELSIF TG_OP = 'INSERT' THEN
                IF EXISTS (SELECT 1 FROM audit_chain_head) THEN
                    RAISE EXCEPTION 'the audit chain has one head: INSERT refused';
                END IF;
                RETURN NEW;
            ELSIF NEW.last_event_id < OLD.last_event_id
                    OR NEW.chained_after <> OLD.chained_after
                    OR (OLD.chain_id <> '' AND NEW.chain_id <> OLD.chain_id)
                    OR (OLD.key_fingerprint <> '' AND NEW.key_fingerprint <> OLD.key_fingerprint)
                    THEN
                RAISE EXCEPTION 'the audit chain head cannot be rewound: UPDATE refused';
            END IF;
            RETURN NEW;
        END""",
}
# trigger: (table, when, function)
TRIGGERS = {
    "audit_events_no_update": ("audit_events", "BEFORE UPDATE", "FOR EACH ROW",
                               "audit_events_append_only"),
    "audit_events_no_delete": ("audit_events", "BEFORE DELETE", "FOR EACH ROW",
                               "audit_events_append_only"),
    "audit_events_no_truncate": ("audit_events", "BEFORE TRUNCATE", "FOR EACH STATEMENT",
                                 "audit_events_append_only"),
    "audit_chain_head_no_delete": ("audit_chain_head", "BEFORE DELETE", "FOR EACH ROW",
                                   "audit_chain_head_guard"),
    "audit_chain_head_no_truncate": ("audit_chain_head", "BEFORE TRUNCATE",
                                     "FOR EACH STATEMENT", "audit_chain_head_guard"),
    "audit_chain_head_no_insert": ("audit_chain_head", "BEFORE INSERT", "FOR EACH ROW",
                                   "audit_chain_head_guard"),
    "audit_chain_head_no_rewind": ("audit_chain_head", "BEFORE UPDATE", "FOR EACH ROW",
                                   "audit_chain_head_guard"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, body in _FUNCTIONS.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $${body}$$")
    for name, (table, when, each, function) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} ON {table} {each} "
                   f"EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, *_rest) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
