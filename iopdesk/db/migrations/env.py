"""Alembic environment: always run by iopdesk.db.migrate on a connection it hands over."""

from alembic import context

from iopdesk.db.models import Base
from iopdesk.db.search_index import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("IOPDesk migrations run through `iopdesk db upgrade`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,   # the FTS search index is no model's table
)
with context.begin_transaction():
    context.run_migrations()
