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

SEARCH_COLUMNS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
                  "phone_digits")


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


def test_the_search_keys_are_in_code_point_order_on_postgresql(pg_url):
    """Revision 0008: the columns the prefix search reads by range compare by code point
    (collation "C"), as SQLite's do. (Its "contains" search: test_postgres_search_keys.py.)"""
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            collations = dict(conn.exec_driver_sql(
                "SELECT column_name, collation_name FROM information_schema.columns "
                "WHERE table_name = 'participants'").all())
            assert {collations[c] for c in SEARCH_COLUMNS} == {"C"}   # prefix ranges
    finally:
        engine.dispose()


def test_a_workstation_never_changes_a_shared_schema(pg_url):
    """A server at an older revision is refused with what to run, unchanged; `iopdesk db
    upgrade` (upgrade=True) brings it to this version; a newer one is refused too."""
    import pytest
    from sqlalchemy import text

    from iopdesk.db.migrate import open_database
    from iopdesk.domain.errors import DatabaseBehind, DatabaseTooNew

    run_migrations(pg_url, REVISIONS[-2])
    with pytest.raises(DatabaseBehind, match="runs `iopdesk db upgrade` once") as refused:
        open_database(pg_url)
    assert f"revision {REVISIONS[-2]}" in str(refused.value)
    engine = make_engine(pg_url)
    try:
        assert stored_revision(engine) == REVISIONS[-2]              # nothing changed
    finally:
        engine.dispose()

    open_database(pg_url, upgrade=True).dispose()
    engine = make_engine(pg_url)
    try:
        assert stored_revision(engine) == HEAD
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(DatabaseTooNew):
        open_database(pg_url, upgrade=True)
