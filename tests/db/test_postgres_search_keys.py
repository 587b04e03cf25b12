"""PostgreSQL's narrow table of the participant search's keys (revision 0012): a trigger keeps
it equal to the keys of `participants` through inserts, updates, merges, deletes, a rollback
and a truncate, for the workstations' role too; `db migrate-to` fills it and `db restore`
brings it back with the rest; the "contains" search reads its trigram indexes; and the
revision goes down to 0011 and up again."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cli_support import run
from iopdesk.db.engine import make_engine
from iopdesk.db.migrate import run_migrations
from iopdesk.db.models import Participant
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services.registry import contains_plan, first_page_plan

KEYS = ("id", "last_name_key", "first_name_key", "preferred_name_key", "chart_number",
        "phone_digits", "current_status", "current_track_id", "primary_clinician_id")
TABLE = "participant_search_keys"
OLD_TRIGRAM = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
               "phone_digits")
PEOPLE = """
INSERT INTO participants (chart_number, first_name, middle_name, last_name, preferred_name,
    first_name_key, last_name_key, preferred_name_key, pronouns, date_of_birth, sex_at_birth,
    gender_identity, phone, phone_digits, phone_ok_to_leave_message, alt_phone, email,
    address_line1, address_line2, city, state, postal_code, preferred_contact, referral_source,
    updated_at, version, created_at)
SELECT 'T-' || n, 'First' || n, '', 'Last' || md5(n::text), '', 'first' || n,
    'last' || md5(n::text), '', '', DATE '1980-01-01' + mod(n, 9000), '', '', '', lpad(n::text,
    10, '5'), false, '', '', '', '', '', '', '', '', '', now(), 1, now()
FROM generate_series({start}, {stop}) AS n"""


def _differences(conn) -> list:
    """Rows of the key table that differ from the keys of `participants`, either way."""
    keys = ", ".join(KEYS)
    return conn.execute(text(
        f"(SELECT {keys} FROM participants EXCEPT SELECT {keys} FROM {TABLE}) UNION ALL "
        f"(SELECT {keys} FROM {TABLE} EXCEPT SELECT {keys} FROM participants)")).all()


def _keys_of(conn, participant_id: int):
    return conn.execute(text(f"SELECT last_name_key, current_status, words, numbers, xmin "
                             f"FROM {TABLE} WHERE id = :i"), {"i": participant_id}).first()


def _count(conn, table: str) -> int:
    return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.fixture
def pg_engine(pg_url):
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def test_the_key_table_follows_every_change_of_participants(pg_engine):
    with pg_engine.begin() as conn:
        conn.execute(text(PEOPLE.format(start=1, stop=30)))
        assert _count(conn, TABLE) == 30 and _differences(conn) == []
        first = conn.execute(text("SELECT min(id) FROM participants")).scalar_one()
        row = _keys_of(conn, first)
        assert row.words == f"{row.last_name_key} first1  t-1"       # chart lower-cased
        assert row.numbers == "t-1 5555555551"

    with pg_engine.begin() as conn:                     # a name, then a filter, changed
        conn.execute(text("UPDATE participants SET last_name_key = 'nguyen' WHERE id = :i"),
                     {"i": first})
        conn.execute(text("UPDATE participants SET current_status = 'active', "
                          "current_track_id = NULL WHERE id = :i"), {"i": first + 1})
        assert _keys_of(conn, first).words == "nguyen first1  t-1"
        assert _keys_of(conn, first + 1).current_status == "active"
        assert _differences(conn) == []
    with pg_engine.begin() as conn:                     # nothing the search reads: untouched
        before = _keys_of(conn, first)
        conn.execute(text("UPDATE participants SET city = 'Salem', version = version + 1 "
                          "WHERE id = :i"), {"i": first})
        assert _keys_of(conn, first).xmin == before.xmin

    with Session(pg_engine) as session:                 # an ORM merge of a detached row
        detached = session.get(Participant, first + 2)
        session.expunge(detached)
        detached.first_name_key = "merged"
        session.merge(detached)
        session.commit()
    with pg_engine.begin() as conn:
        assert _keys_of(conn, first + 2).words.split()[1] == "merged"
        conn.execute(text("UPDATE participants SET id = 9000 WHERE id = :i"), {"i": first + 3})
        conn.execute(text("DELETE FROM participants WHERE id = :i"), {"i": first + 4})
        assert _keys_of(conn, first + 3) is None and _keys_of(conn, 9000) is not None
        assert _keys_of(conn, first + 4) is None
        assert _count(conn, TABLE) == 29 and _differences(conn) == []

    with pg_engine.connect() as conn:                   # the same transaction: rolled back
        conn.execute(text(PEOPLE.format(start=31, stop=32)))
        assert _count(conn, TABLE) == 31
        conn.rollback()
        assert _count(conn, TABLE) == 29
    with pg_engine.begin() as conn:
        conn.execute(text("TRUNCATE participants CASCADE"))
        assert _count(conn, TABLE) == 0


def test_the_search_finds_what_was_just_written_and_not_what_was_changed(pg_engine):
    def found(conn, typed: str) -> list[str]:
        plan = first_page_plan(typed, limit=10, dialect_name="postgresql")
        return [r.last_name_key for r in conn.execute(*plan)]

    with pg_engine.begin() as conn:
        conn.execute(text(PEOPLE.format(start=1, stop=3)))
        conn.execute(text("UPDATE participants SET last_name_key = 'owusu' WHERE id = "
                          "(SELECT min(id) FROM participants)"))
        assert found(conn, "wus") == ["owusu"]
        conn.execute(text("UPDATE participants SET last_name_key = 'mensah' "
                          "WHERE last_name_key = 'owusu'"))
        assert found(conn, "wus") == [] and found(conn, "ensa") == ["mensah"]
        numbers = conn.execute(*contains_plan("5552", dialect_name="postgresql")).all()
        assert [r.chart_number for r in numbers] == ["T-2"]        # phone 5555555552


def test_contains_reads_a_trigram_index_of_the_key_table(pg_engine):
    """One index scan of the narrow table, for a name and for a number, on five thousand
    people; revision 0008's indexes on `participants` are gone (nothing reads them)."""
    with pg_engine.begin() as conn:
        conn.execute(text(PEOPLE.format(start=1, stop=5000)))
        conn.execute(text(f"ANALYZE participants; ANALYZE {TABLE}"))
    with pg_engine.connect() as conn:
        names = set(conn.execute(text("SELECT indexname FROM pg_indexes "
                                      "WHERE tablename = 'participants'")).scalars())
        assert not {f"ix_participants_trgm_{c}" for c in OLD_TRIGRAM} & names
        for (statement, params), index in (
                (contains_plan("uyen", dialect_name="postgresql"), "words"),
                (first_page_plan("th uyen", dialect_name="postgresql"), "words"),
                (contains_plan("3344", dialect_name="postgresql"), "numbers")):
            compiled = statement.compile(pg_engine)
            plan = "\n".join(r[0] for r in conn.exec_driver_sql(
                f"EXPLAIN {compiled}", compiled.construct_params(params)))
            assert f"ix_{TABLE}_{index}" in plan, plan
            assert "Seq Scan on participants" not in plan, plan


def test_down_to_0011_and_up_again(pg_url, pg_engine):
    with pg_engine.begin() as conn:
        conn.execute(text(PEOPLE.format(start=1, stop=5)))
    run_migrations(pg_url, "0011", downgrade=True)
    with pg_engine.begin() as conn:
        assert conn.execute(text(f"SELECT to_regclass('{TABLE}')")).scalar() is None
        names = set(conn.execute(text("SELECT indexname FROM pg_indexes "
                                      "WHERE tablename = 'participants'")).scalars())
        assert {f"ix_participants_trgm_{c}" for c in OLD_TRIGRAM} <= names
        conn.execute(text(PEOPLE.format(start=6, stop=7)))    # no trigger left behind
    run_migrations(pg_url)
    with pg_engine.begin() as conn:
        assert _count(conn, TABLE) == 7 and _differences(conn) == []


def test_the_workstations_role_keeps_the_key_table(pg_server, pg_url):
    """The trigger runs with the rights of whoever writes: `db grant` gives the role the
    table like any other, and its registrations, edits and deletions keep it in step."""
    from iopdesk.db.pg_roles import grant

    database = make_url(pg_url).database
    owner, app = (f"iop_{who}_{uuid.uuid4().hex[:8]}" for who in ("owner", "app"))
    with psycopg.connect(host=str(pg_server.socket_dir), user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN")
        conn.execute(f"CREATE ROLE {app} LOGIN")
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO {owner}')
    try:
        as_owner = f"postgresql+psycopg://{owner}@/{database}?host={pg_server.socket_dir}"
        run_migrations(as_owner)
        engine = make_engine(as_owner)
        with engine.begin() as conn:
            grant(conn, app)
        engine.dispose()
        engine = make_engine(f"postgresql+psycopg://{app}@/{database}"
                             f"?host={pg_server.socket_dir}")
        with engine.begin() as conn:
            conn.execute(text(PEOPLE.format(start=1, stop=3)))
            conn.execute(text("UPDATE participants SET last_name_key = 'owusu' WHERE "
                              "chart_number = 'T-1'"))
            conn.execute(text("DELETE FROM participants WHERE chart_number = 'T-2'"))
            assert _count(conn, TABLE) == 2 and _differences(conn) == []
        engine.dispose()
    finally:
        pg_server.drop_database(database)
        with psycopg.connect(host=str(pg_server.socket_dir), user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {app}")
            conn.execute(f"DROP ROLE IF EXISTS {owner}")


@pytest.mark.postgresql_only(reason="the key table is PostgreSQL's")
def test_registrations_and_edits_through_the_services_are_found(backend, services, actors,
                                                                 engine):
    desk = actors["front_desk"]
    person = services.participants.register(desk, ParticipantInput(
        first_name="Ama", last_name="Owusu", date_of_birth=date(1990, 4, 4),
        phone="(555) 010-3344"))
    assert [r.id for r in services.participants.search(desk, "wus").rows] == [person.id]
    assert [r.id for r in services.participants.search(desk, "3344").rows] == [person.id]
    data = ParticipantInput(first_name="Ama", last_name="Mensah", date_of_birth=date(1990, 4, 4),
                            phone="(555) 010-3344", chart_number=person.chart_number)
    services.participants.update(desk, person.id, person.version, data)
    assert services.participants.search(desk, "wus").rows == ()
    assert [r.id for r in services.participants.search(desk, "ensa").rows] == [person.id]
    with engine.connect() as conn:
        assert _differences(conn) == []


def test_migrate_to_fills_it_and_restore_brings_it_back(demo_template, pg_server, pg_url,
                                                        tmp_path, capsys, monkeypatch):
    source = tmp_path / "demo.sqlite3"
    source.write_bytes(demo_template.read_bytes())
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    monkeypatch.setenv("IOPDESK_PG_BIN", str(pg_server.programs))
    assert run(capsys, "users", "list", "--database", source, "--user", "admin")[0] == 0
    code, _, err = run(capsys, "db", "migrate-to", pg_url, "--database", source)
    assert code == 0, err
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            people = _count(conn, "participants")
            assert people > 0 and _count(conn, TABLE) == people and _differences(conn) == []
        monkeypatch.setenv("IOPDESK_DATABASE_URL", pg_url)
        code, _, err = run(capsys, "db", "backup", "--to", tmp_path / "bk")
        assert code == 0, err
        [dump] = sorted((tmp_path / "bk").glob("*.dump"))
        with engine.begin() as conn:
            conn.execute(text("UPDATE participants SET last_name_key = 'changed' "
                              "WHERE id = (SELECT min(id) FROM participants)"))
            conn.execute(text(PEOPLE.format(start=1, stop=2)))
        engine.dispose()
        code, _, err = run(capsys, "db", "restore", dump)
        assert code == 0, err
        with engine.connect() as conn:
            assert _count(conn, TABLE) == people and _differences(conn) == []
            assert conn.execute(text(f"SELECT count(*) FROM {TABLE} WHERE "
                                     "last_name_key = 'changed'")).scalar_one() == 0
        assert run(capsys, "db", "check")[0] == 0
    finally:
        engine.dispose()

