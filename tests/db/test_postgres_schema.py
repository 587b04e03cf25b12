"""The schema on PostgreSQL: the same Alembic revisions build it on a real server (started by
the test run, tests/pg_server.py), match the models, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import HEAD, REVISIONS, run_migrations, stored_revision
from iopdesk.db.models import Base
from iopdesk.db.search_index import include_name


def test_the_revisions_build_every_table_on_postgresql(pg_url):
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert stored_revision(engine) == HEAD
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift_on_postgresql(pg_url):
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "include_name": include_name})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_down_to_the_first_revision_and_up_again_on_postgresql(pg_url):
    run_migrations(pg_url)
    run_migrations(pg_url, REVISIONS[0], downgrade=True)
    engine = make_engine(pg_url)
    try:
        assert stored_revision(engine) == REVISIONS[0]
    finally:
        engine.dispose()
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
