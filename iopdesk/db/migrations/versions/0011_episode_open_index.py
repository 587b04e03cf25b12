"""episodes are found by the day they are open: an index on (status, discharge_date)

The front desk's day and the weekly hours (issue 13) read the episodes open on a day or in a
week: never discharged, or discharged on or after it. Without this index both engines read
every episode of the practice's history to find the few hundred open ones (tens of
milliseconds on a practice of 20,000 episodes, on every check-in); with it each of the two
arms of that condition is an index range.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_episodes_status_discharge', 'episodes', ['status', 'discharge_date'])


def downgrade() -> None:
    op.drop_index('ix_episodes_status_discharge', table_name='episodes')
