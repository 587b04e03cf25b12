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

TRIGRAM_COLUMNS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
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


_MANY_PEOPLE = """
INSERT INTO participants (chart_number, first_name, middle_name, last_name, preferred_name,
    first_name_key, last_name_key, preferred_name_key, pronouns, date_of_birth, sex_at_birth,
    gender_identity, phone, phone_digits, phone_ok_to_leave_message, alt_phone, email,
    address_line1, address_line2, city, state, postal_code, preferred_contact, referral_source,
    updated_at, version, created_at)
SELECT 'T' || n, 'First' || n, '', 'Last' || md5(n::text), '', 'first' || n,
    'last' || md5(n::text), '', '', DATE '1980-01-01' + mod(n, 9000), '', '', '', lpad(n::text, 10,
    '5'), false, '', '', '', '', '', '', '', '', '', now(), 1, now()
FROM generate_series(1, 5000) AS n"""


def test_contains_search_reads_the_trigram_indexes_on_postgresql(pg_url):
    """Revision 0008: "uyen" inside a name is answered from the pg_trgm GIN indexes (one per
    column the search looks inside), not by reading every one of five thousand rows."""
    from iopdesk.services.registry import contains_plan, first_page_plan

    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(_MANY_PEOPLE)
            conn.exec_driver_sql("ANALYZE participants")
        with engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'participants'")}
            assert {f"ix_participants_trgm_{c}" for c in TRIGRAM_COLUMNS} <= names
            collations = dict(conn.exec_driver_sql(
                "SELECT column_name, collation_name FROM information_schema.columns "
                "WHERE table_name = 'participants'").all())
            assert {collations[c] for c in TRIGRAM_COLUMNS} == {"C"}   # prefix ranges
            for statement, params in (contains_plan("uyen", dialect_name="postgresql"),
                                      first_page_plan("uyen", dialect_name="postgresql")):
                compiled = statement.compile(engine, compile_kwargs={})
                plan = "\n".join(r[0] for r in conn.exec_driver_sql(
                    f"EXPLAIN {compiled}", compiled.construct_params(params)))
                assert "ix_participants_trgm_" in plan, plan
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
