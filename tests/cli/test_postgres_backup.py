"""`iopdesk db backup|restore|check` on a PostgreSQL server: pg_dump archives that are
verified before they are kept, a restore in one transaction that brings the audit trail back
to the backup's, and refusals in one line (a bad archive, missing programs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cli_support import run
from iopdesk.cli import main
from iopdesk.db import pg_tools
from iopdesk.db.backup import ALL_KINDS, list_backups, record_path


def _pg(url: str):
    parsed = make_url(url)
    return psycopg.connect(host=parsed.query["host"], user=parsed.username,
                           dbname=parsed.database, autocommit=True)


def _usernames(url: str) -> list[str]:
    with _pg(url) as conn:
        return sorted(r[0] for r in conn.execute("SELECT username FROM staff_users"))


def _dumps(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.dump"))


@pytest.fixture(scope="module")
def server_template(demo_template, pg_server, tmp_path_factory):
    """The demo practice copied to the server once (by migrate-to, after the administrator
    logged in once, so its audit trail is signed): (its database, the folder of its key)."""
    base = tmp_path_factory.mktemp("server-practice")
    name = "t_backup_template"
    pg_server.drop_database(name)
    url = pg_server.create_database(name)
    source = base / "demo.sqlite3"
    shutil.copyfile(demo_template, source)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOPDESK_CONFIG_DIR", str(base / "config"))
        patch.setenv("IOPDESK_DATA_DIR", str(base / "data"))
        patch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
        patch.delenv("IOPDESK_DATABASE_URL", raising=False)
        assert main(["users", "list", "--database", str(source), "--user", "admin"]) == 0
        assert main(["db", "migrate-to", url, "--database", str(source)]) == 0
    yield name, base / "config"
    pg_server.drop_database(name)


@pytest.fixture
def server_practice(server_template, pg_server, request, monkeypatch) -> str:
    """A copy of the server practice for one test, with its audit key (and high-water mark)
    in this test's configuration folder, the server programs in IOPDESK_PG_BIN and
    IOPDESK_DATABASE_URL pointing at it."""
    template, config = server_template
    name = "t_bk_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    pg_server.drop_database(name)
    url = pg_server.create_database(name, template=template)
    shutil.copytree(config, os.environ["IOPDESK_CONFIG_DIR"], dirs_exist_ok=True)
    monkeypatch.setenv("IOPDESK_PG_BIN", str(pg_server.programs))
    monkeypatch.setenv("IOPDESK_PASSWORD", "iopdesk-demo")
    monkeypatch.setenv("IOPDESK_DATABASE_URL", url)
    yield url
    pg_server.drop_database(name)


def test_backup_then_restore_takes_a_change_away(server_practice, tmp_path, capsys,
                                                 monkeypatch):
    folder = tmp_path / "bk"
    code, out, err = run(capsys, "db", "backup", "--to", folder)
    assert code == 0, err
    [dump] = _dumps(folder)
    assert f"Backed up to {dump}" in out
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(record_path(dump).stat().st_mode) == 0o600
    record = json.loads(record_path(dump).read_text())
    assert record["kind"] == "pg_dump" and record["size"] == dump.stat().st_size
    assert record["rows"]["staff_users"] == len(_usernames(server_practice))
    assert record["audit_head"]["last_event_id"] >= 1
    assert list_backups(folder, make_url(server_practice).database, ALL_KINDS) == [dump]

    monkeypatch.setenv("IOPDESK_NEW_PASSWORD", "a temporary one 123")
    code, _, err = run(capsys, "users", "add", "--user", "admin", "--username", "newcomer",
                       "--name", "New Comer", "--role", "front_desk")
    assert code == 0, err
    assert "newcomer" in _usernames(server_practice)

    code, out, err = run(capsys, "db", "restore", dump)
    assert code == 0, err
    assert "newcomer" not in _usernames(server_practice)            # the change is gone
    code, out, err = run(capsys, "audit", "verify")
    assert code == 0, err
    # the database it replaced was dumped first, into the configured backup folder
    from iopdesk.config import load_config
    assert any("before-restore" in p.name for p in _dumps(load_config().backup_dir))
    code, out, err = run(capsys, "db", "check")
    assert code == 0, out + err
    assert "PostgreSQL" in out and "append-only" in out


def test_a_garbage_or_truncated_archive_is_refused_and_nothing_changes(server_practice,
                                                                       tmp_path, capsys):
    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    users = _usernames(server_practice)
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"this is not a backup at all\n" * 50)
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    for bad, says in ((garbage, "is not a pg_dump archive"),
                      (truncated, "is damaged or incomplete")):
        code, _, err = run(capsys, "db", "restore", bad)
        assert code == 1 and "Traceback" not in err, err
        assert says in err and len(err.strip().splitlines()) == 1
    assert _usernames(server_practice) == users
    from iopdesk.config import load_config
    assert _dumps(load_config().backup_dir) == []            # no safety dump was even needed


def test_an_archive_changed_after_its_record_is_refused(server_practice, tmp_path, capsys):
    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    record = json.loads(record_path(dump).read_text())
    record["audit_head"]["last_event_id"] += 5
    record_path(dump).write_text(json.dumps(record))
    code, _, err = run(capsys, "db", "restore", dump)
    assert code == 1 and "was changed after it was made" in err


def test_backups_rotate_and_keep_the_newest(server_practice, tmp_path, capsys):
    folder = tmp_path / "bk"
    for _ in range(3):
        assert run(capsys, "db", "backup", "--to", folder, "--keep", "2")[0] == 0
    dumps = _dumps(folder)
    assert len(dumps) == 2 and all(record_path(d).exists() for d in dumps)
    assert len(list(folder.glob("*.json"))) == 2


def test_without_pg_dump_the_message_says_what_to_install(server_practice, tmp_path, capsys,
                                                          monkeypatch):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("IOPDESK_PG_BIN", str(empty))
    code, _, err = run(capsys, "db", "backup", "--to", tmp_path / "bk")
    assert code == 1 and f"pg_dump is not in {empty}" in err
    assert "install the PostgreSQL client programs" in err
    monkeypatch.delenv("IOPDESK_PG_BIN")
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(pg_tools, "DEBIAN_PROGRAMS", empty)
    code, _, err = run(capsys, "db", "backup", "--to", tmp_path / "bk")
    assert code == 1 and "pg_dump was not found on PATH" in err
    assert "apt install postgresql-client" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "bk").exists() or _dumps(tmp_path / "bk") == []


def test_a_dump_cut_short_is_never_kept(server_practice, pg_server, tmp_path, capsys,
                                        monkeypatch):
    """A pg_dump that writes half an archive and fails leaves no backup and no part of one."""
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "pg_restore").symlink_to(pg_server.programs / "pg_restore")
    script = fake / "pg_dump"
    script.write_text("#!/bin/sh\nfor a in \"$@\"; do case $a in --file=*) "
                      "printf 'PGDMP half' > \"${a#--file=}\";; esac; done\n"
                      "echo 'pg_dump: error: could not write to output file' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("IOPDESK_PG_BIN", str(fake))
    folder = tmp_path / "bk"
    code, _, err = run(capsys, "db", "backup", "--to", folder)
    assert code == 1 and "the backup was not made" in err and "could not write" in err
    assert list(folder.iterdir()) == []


def test_the_password_goes_to_pg_dump_in_its_environment_only(server_practice, tmp_path,
                                                              capsys, monkeypatch):
    with_password = server_practice.replace("postgres@", "postgres:s3cret-word@")
    seen: list[tuple[list[str], dict]] = []
    real = subprocess.run

    def spy(args, **kwargs):
        seen.append((list(args), kwargs.get("env") or {}))
        return real(args, **kwargs)
    monkeypatch.setattr(subprocess, "run", spy)
    code, out, err = run(capsys, "db", "backup", "--database", with_password,
                         "--to", tmp_path / "bk")
    assert code == 0, err
    assert "s3cret-word" not in out + err
    dumps = [(args, env) for args, env in seen if Path(args[0]).name == "pg_dump"]
    assert dumps and all("s3cret-word" not in " ".join(args) for args, _ in seen)
    assert dumps[0][1]["PGPASSWORD"] == "s3cret-word"
    record = record_path(_dumps(tmp_path / "bk")[0]).read_text()
    assert "s3cret-word" not in record


def test_check_names_a_switched_off_audit_guard(server_practice, capsys):
    with _pg(server_practice) as conn:
        conn.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete")
    code, out, err = run(capsys, "db", "check")
    assert code == 1
    assert "audit_events_no_delete was switched off" in out


def test_restore_of_an_sqlite_backup_into_a_server_is_refused(server_practice, demo_db,
                                                              tmp_path, capsys):
    code, _, err = run(capsys, "db", "backup", "--database", demo_db, "--to", tmp_path / "sq")
    assert code == 0, err
    [sqlite_backup] = list_backups(tmp_path / "sq", demo_db.stem)
    users = _usernames(server_practice)
    code, _, err = run(capsys, "db", "restore", sqlite_backup)
    assert code == 1 and "is not a pg_dump archive" in err and "migrate-to" in err
    assert _usernames(server_practice) == users
    assert os.environ["IOPDESK_DATABASE_URL"] == server_practice


def test_a_restore_that_fails_midway_leaves_the_database_as_it_was(server_practice, tmp_path,
                                                                   capsys, monkeypatch):
    """pg_restore drops the tables one by one; refused at `participants` (an event trigger
    stands in for whatever fails), its single transaction takes everything back."""
    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    monkeypatch.setenv("IOPDESK_NEW_PASSWORD", "a temporary one 123")
    assert run(capsys, "users", "add", "--user", "admin", "--username", "newcomer",
               "--name", "New Comer", "--role", "front_desk")[0] == 0
    users = _usernames(server_practice)
    with _pg(server_practice) as conn:
        conn.execute("""CREATE FUNCTION keep_participants() RETURNS event_trigger
            LANGUAGE plpgsql AS $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects()
                           WHERE object_identity = 'public.participants') THEN
                    RAISE EXCEPTION 'participants are kept';
                END IF; END $$""")
        conn.execute("CREATE EVENT TRIGGER keep_participants ON sql_drop "
                     "EXECUTE FUNCTION keep_participants()")
    code, _, err = run(capsys, "db", "restore", dump)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "the restore failed and was rolled back" in err and "participants are kept" in err
    assert _usernames(server_practice) == users                    # newcomer is still there
    assert run(capsys, "audit", "verify")[0] == 0


def test_a_restore_waits_for_no_workstation(server_practice, tmp_path, capsys):
    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    with _pg(server_practice) as workstation:
        workstation.execute("SET application_name = 'front desk'")
        code, _, err = run(capsys, "db", "restore", dump)
    assert code == 1 and "1 other connection has" in err and "(front desk)" in err
    assert "close IOPDesk on the other workstations" in err


def test_a_backup_restores_onto_a_new_empty_database(server_practice, pg_server, tmp_path,
                                                     capsys):
    """The server was lost: its last dump goes into a new, empty database."""
    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    users = _usernames(server_practice)
    pg_server.drop_database("t_bk_new_server")
    url = pg_server.create_database("t_bk_new_server")
    try:
        code, out, err = run(capsys, "db", "restore", dump, "--database", url)
        assert code == 0, err
        assert _usernames(url) == users
        assert run(capsys, "audit", "verify", "--database", url)[0] == 0
    finally:
        pg_server.drop_database("t_bk_new_server")


def test_a_server_s_backup_is_not_restored_into_an_sqlite_file(server_practice, demo_db,
                                                               tmp_path, capsys):
    import hashlib

    folder = tmp_path / "bk"
    assert run(capsys, "db", "backup", "--to", folder)[0] == 0
    [dump] = _dumps(folder)
    before = hashlib.sha256(demo_db.read_bytes()).hexdigest()
    code, _, err = run(capsys, "db", "restore", dump, "--database", demo_db)
    assert code == 1 and "is a PostgreSQL database's (a pg_dump archive)" in err
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == before
