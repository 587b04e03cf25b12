"""`iopdesk init` and `iopdesk users …`: the first run and account work from a terminal or a
script, with passwords from the environment or typed (never from a flag)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import query as _query

from iopdesk.cli import acting_user, main

ADMIN_PASSWORD = "admin’s password ✓"
INIT = ("init", "--practice-name", "Cascade Recovery IOP", "--admin-username", "alex",
        "--admin-name", "Alex Admin")


pytestmark = pytest.mark.usefixtures("fast_hashing")     # Argon2 made cheap: conftest.py


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch):
    """Like a script: no terminal to ask, and no password in the environment."""
    monkeypatch.setattr(acting_user, "interactive", lambda: False)
    monkeypatch.delenv("IOPDESK_PASSWORD", raising=False)
    monkeypatch.delenv("IOPDESK_NEW_PASSWORD", raising=False)


def run(capsys, monkeypatch, *args, password: str | None = None,
        new_password: str | None = None) -> tuple[int, str, str]:
    for name, value in (("IOPDESK_PASSWORD", password), ("IOPDESK_NEW_PASSWORD", new_password)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def typed(monkeypatch, *answers: str) -> list[str]:
    """A person at the terminal typing `answers` in turn; returns the prompts they saw."""
    prompts: list[str] = []
    queue = list(answers)
    monkeypatch.setattr(acting_user, "interactive", lambda: True)

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return queue.pop(0)
    monkeypatch.setattr(acting_user, "getpass", getpass)
    return prompts


def _users(db: Path | str) -> dict[str, tuple]:
    rows = _query(db, "SELECT username, active, must_change_password, needs_cosign, "
                      "supervisor_id, id FROM staff_users")
    return {r[0]: r[1:] for r in rows}


def _roles(db: Path | str, username: str) -> set[str]:
    return {r[0] for r in _query(db, "SELECT role FROM staff_roles JOIN staff_users "
                                     "ON staff_users.id = user_id WHERE username = ?", username)}


@pytest.fixture
def practice(new_database, capsys, monkeypatch) -> Path | str:
    """The practice `iopdesk init` makes: in a new SQLite file, or in a PostgreSQL database
    (each test using it runs on both engines)."""
    db = new_database
    code, out, err = run(capsys, monkeypatch, *INIT, "--database", db, "--city", "Portland",
                         "--state", "OR", "--npi", "1234567893", password=ADMIN_PASSWORD)
    assert code == 0, err
    return db


def test_init_creates_the_practice_and_its_administrator(practice, capsys, monkeypatch):
    assert _query(practice, "SELECT name, city, state, npi, is_demo FROM practices") == [
        ("Cascade Recovery IOP", "Portland", "OR", "1234567893", 0)]
    assert _users(practice)["alex"][:2] == (1, 0)        # active, password not temporary
    assert _roles(practice, "alex") == {"admin"}
    assert {r[0] for r in _query(practice, "SELECT action FROM audit_events")} >= {
        "setup.initialize", "login"}
    code, out, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                         "--user", "alex", password=ADMIN_PASSWORD)
    assert code == 0, err
    assert "alex" in out and "Alex Admin" in out and "admin" in out


def test_init_makes_the_schema_in_an_empty_server_database(pg_url, capsys, monkeypatch):
    """A database the server's owner just made, with no table yet: init builds the schema."""
    code, out, err = run(capsys, monkeypatch, *INIT, "--database", pg_url,
                         password=ADMIN_PASSWORD)
    assert code == 0, err
    assert _query(pg_url, "SELECT name FROM practices") == [("Cascade Recovery IOP",)]
    assert _roles(pg_url, "alex") == {"admin"}


def test_init_refuses_a_database_that_has_a_practice(practice, capsys, monkeypatch):
    before = _query(practice, "SELECT count(*) FROM audit_events")
    prompts = typed(monkeypatch, "never asked")
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", practice)
    assert code == 1 and "already holds the practice “Cascade Recovery IOP”" in err
    assert prompts == []                        # refused before asking for a password
    assert _query(practice, "SELECT count(*) FROM audit_events") == before
    assert list(_users(practice)) == ["alex"]


def test_init_refuses_the_demo_practice(demo_db, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", demo_db,
                       password=ADMIN_PASSWORD)
    assert code == 1 and "already holds the practice" in err


@pytest.mark.parametrize("extra, password, messages", [
    (("--npi", "1234567890"), ADMIN_PASSWORD, ["--npi: 1234567890 is not a valid NPI"]),
    (("--state", "Oregon", "--zip", "9"), ADMIN_PASSWORD, ["--state:", "--zip:"]),
    ((), "short", ["the password (IOPDESK_PASSWORD): A password needs at least 10"]),
    ((), "", ["the password (IOPDESK_PASSWORD): Enter a password"]),
    ((), "x" * 1_048_576, ["at most 1024 characters"]),
])
def test_init_with_bad_input_names_each_problem_and_creates_nothing(
        tmp_path, capsys, monkeypatch, extra, password, messages):
    db = tmp_path / "new.sqlite3"
    code, out, err = run(capsys, monkeypatch, *INIT, *extra, "--database", db,
                         password=password)
    assert code == 1
    for message in messages:
        assert message in err
    assert "nothing was created" in err and "Traceback" not in err
    assert not db.exists()


def test_init_with_an_empty_practice_name(tmp_path, capsys, monkeypatch):
    db = tmp_path / "new.sqlite3"
    code, _, err = run(capsys, monkeypatch, "init", "--practice-name", " ", "--admin-username",
                       "x y", "--admin-name", "A", "--database", db, password=ADMIN_PASSWORD)
    assert code == 1
    assert "--practice-name: The practice name is required" in err
    assert "--admin-username: A user name may contain only" in err
    assert not db.exists()


def test_init_reads_the_logo_from_a_png_file(tmp_path, capsys, monkeypatch):
    db = tmp_path / "logo.sqlite3"
    jpeg = tmp_path / "logo.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db, "--logo", jpeg,
                       password=ADMIN_PASSWORD)
    assert code == 1 and "--logo: The logo must be a PNG image" in err and not db.exists()
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db, "--logo",
                       tmp_path / "missing.png", password=ADMIN_PASSWORD)
    assert code == 1 and "--logo: cannot read" in err and not db.exists()
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db, "--logo", png,
                       password=ADMIN_PASSWORD)
    assert code == 0, err
    assert _query(db, "SELECT length(logo_png) FROM practices") == [(108,)]


def test_a_closed_terminal_is_not_a_crash(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(acting_user, "interactive", lambda: True)

    def closed(prompt: str = "") -> str:
        raise EOFError
    monkeypatch.setattr(acting_user, "getpass", closed)
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", tmp_path / "eof.sqlite3")
    assert code == 1 and "no password was given" in err


def test_init_needs_its_flags(tmp_path):
    with pytest.raises(SystemExit) as usage:
        main(["init", "--database", str(tmp_path / "x.sqlite3"), "--practice-name", "P"])
    assert usage.value.code == 2


def test_init_asks_for_the_password_twice_in_a_terminal(tmp_path, capsys, monkeypatch):
    db = tmp_path / "typed.sqlite3"
    prompts = typed(monkeypatch, ADMIN_PASSWORD, ADMIN_PASSWORD)
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db)
    assert code == 0, err
    assert len(prompts) == 2 and "alex" in prompts[0]
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", db, "--user", "alex",
                       password=ADMIN_PASSWORD)
    assert code == 0, err


def test_init_refuses_two_different_passwords(tmp_path, capsys, monkeypatch):
    db = tmp_path / "typed.sqlite3"
    typed(monkeypatch, ADMIN_PASSWORD, ADMIN_PASSWORD + "x")
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db)
    assert code == 1 and "the two passwords differ" in err
    assert not db.exists()


def test_init_without_a_password_or_a_terminal(tmp_path, capsys, monkeypatch):
    db = tmp_path / "script.sqlite3"
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db)
    assert code == 1 and "set IOPDESK_PASSWORD or run the command in a terminal" in err
    assert not db.exists()


# ---------------------------------------------------------------- users
def _as_alex(capsys, monkeypatch, practice, *args, new_password: str | None = None):
    return run(capsys, monkeypatch, "users", *args, "--database", practice, "--user", "alex",
               password=ADMIN_PASSWORD, new_password=new_password)


def test_users_add_with_roles_and_a_supervisor(practice, capsys, monkeypatch):
    code, out, err = _as_alex(capsys, monkeypatch, practice, "add", "--username", "sam",
                              "--name", "Sam Sup", "--role", "clinician", "--role",
                              "supervisor", "--credentials", "LCSW",
                              new_password="sam temporary")
    assert code == 0, err
    assert "Added sam (Sam Sup; clinician, supervisor)" in out
    code, out, err = _as_alex(capsys, monkeypatch, practice, "add", "--username", "ari",
                              "--name", "Ari Associate", "--role", "Clinician",
                              "--needs-cosign", "--supervisor", "SAM",
                              new_password="ari temporary")
    assert code == 0, err
    users = _users(practice)
    assert users["sam"][:3] == (1, 1, 0)                   # active, temporary password
    assert users["ari"][2:4] == (1, users["sam"][4])        # needs co-signature, by sam
    assert _roles(practice, "sam") == {"clinician", "supervisor"}
    code, out, _ = _as_alex(capsys, monkeypatch, practice, "list")
    ari_line = next(line for line in out.splitlines() if line.startswith("ari"))
    assert "temporary password" in ari_line and ari_line.rstrip().endswith("sam")


def test_users_add_asks_for_the_new_password_twice(practice, capsys, monkeypatch):
    prompts = typed(monkeypatch, ADMIN_PASSWORD, "typed temporary", "typed temporary")
    code, _, err = run(capsys, monkeypatch, "users", "add", "--database", practice, "--user",
                       "alex", "--username", "casey", "--name", "Casey", "--role", "front-desk")
    assert code == 0, err
    assert prompts[0] == "Password for alex: " and "casey" in prompts[1] and len(prompts) == 3
    assert _roles(practice, "casey") == {"front_desk"}


@pytest.mark.parametrize("args, new_password, message", [
    (("--username", "alex", "--name", "Again", "--role", "admin"), "long enough pw",
     "--username: The user name “alex” is taken"),
    (("--username", "ALEX", "--name", "Again", "--role", "admin"), "long enough pw",
     "is taken"),
    (("--username", "casey", "--name", "Casey", "--role", "clinician"), "short",
     "the new password (IOPDESK_NEW_PASSWORD): A password needs at least 10"),
    (("--username", "casey", "--name", "Casey", "--role", "clinician"), "🔑" * 1025,
     "at most 1024"),
    (("--username", "casey", "--name", "Casey", "--role", "clinician", "--needs-cosign"),
     "long enough pw", "--supervisor: A user whose work needs co-signature needs a supervisor"),
    (("--username", "casey", "--name", "Casey", "--role", "clinician", "--supervisor",
      "alex"), "long enough pw", "--supervisor: Alex Admin does not hold the supervisor role"),
    (("--username", "casey", "--name", "Casey", "--role", "clinician", "--supervisor",
      "nobody"), "long enough pw", "there is no user “nobody”"),
])
def test_users_add_refuses_bad_input_and_stores_nothing(practice, capsys, monkeypatch, args,
                                                        new_password, message):
    before = _users(practice)
    code, _, err = _as_alex(capsys, monkeypatch, practice, "add", *args,
                            new_password=new_password)
    assert code == 1 and message in err and "Traceback" not in err
    assert _users(practice) == before


def test_an_unknown_role_is_a_usage_error(practice, capsys, monkeypatch):
    with pytest.raises(SystemExit) as usage:
        main(["users", "add", "--database", str(practice), "--user", "alex", "--username",
              "casey", "--name", "Casey", "--role", "janitor"])
    assert usage.value.code == 2
    assert "“janitor” is not a role" in capsys.readouterr().err


def test_a_non_administrator_is_refused_and_the_refusal_audited(practice, capsys, monkeypatch):
    _as_alex(capsys, monkeypatch, practice, "add", "--username", "fran", "--name", "Fran Desk",
             "--role", "front_desk", new_password="fran temporary")
    code, _, err = run(capsys, monkeypatch, "users", "change-password", "--database", practice,
                       "--user", "fran", password="fran temporary", new_password="fran's own pw")
    assert code == 0, err
    for args in (("list",), ("add", "--username", "mal", "--name", "Mal", "--role", "admin"),
                 ("disable", "alex"), ("reset-password", "alex")):
        code, out, err = run(capsys, monkeypatch, "users", *args, "--database", practice,
                             "--user", "fran", password="fran's own pw",
                             new_password="mal temporary")
        assert code == 1, args
        assert "may not" in err and "Only an administrator manages users" in err
    refusals = _query(practice, "SELECT action, username FROM audit_events "
                                "WHERE outcome = 'refused'")
    assert refusals and all(username == "fran" for _, username in refusals)
    assert "mal" not in _users(practice) and _users(practice)["alex"][0] == 1


def test_a_temporary_password_must_be_changed_before_acting(practice, capsys, monkeypatch):
    _as_alex(capsys, monkeypatch, practice, "add", "--username", "robin", "--name", "Robin",
             "--role", "admin", new_password="robin temporary")
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice, "--user",
                       "robin", password="robin temporary")
    assert code == 1 and "temporary password: change it first" in err
    code, out, err = run(capsys, monkeypatch, "users", "change-password", "--database",
                         practice, "--user", "robin", password="robin temporary",
                         new_password="robin temporary")
    assert code == 1 and "must differ" in err
    code, out, err = run(capsys, monkeypatch, "users", "change-password", "--database",
                         practice, "--user", "robin", password="robin temporary",
                         new_password="robin's own 🔑")
    assert code == 0, err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice, "--user",
                       "robin", password="robin's own 🔑")
    assert code == 0, err


@pytest.mark.parametrize("user, password", [
    ("alex", "wrong password"), ("nobody", ADMIN_PASSWORD), ("ALEX", ADMIN_PASSWORD + " "),
])
def test_a_wrong_acting_password_or_user(practice, capsys, monkeypatch, user, password):
    code, out, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                         "--user", user, password=password)
    assert code == 1 and err.strip() == "iopdesk: error: Unknown user name or wrong password"
    assert out == ""


def test_the_acting_user_is_required_and_so_is_a_password(practice, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                       password=ADMIN_PASSWORD)
    assert code == 1 and "--user NAME" in err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                       "--user", "alex")
    assert code == 1 and "set IOPDESK_PASSWORD" in err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                       "--user", "alex", password="")
    assert code == 1 and "Enter your password" in err


def test_the_acting_user_may_come_before_the_action(practice, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "users", "--user", "alex", "list", "--database",
                         practice, password=ADMIN_PASSWORD)
    assert code == 0 and "alex" in out, err


def test_users_commands_need_an_existing_database(tmp_path, capsys, monkeypatch):
    db = tmp_path / "nowhere.sqlite3"
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", db, "--user", "alex",
                       password=ADMIN_PASSWORD)
    assert code == 1 and "iopdesk init" in err
    assert not db.exists()


def test_disable_and_reset_password(practice, capsys, monkeypatch):
    _as_alex(capsys, monkeypatch, practice, "add", "--username", "casey", "--name", "Casey",
             "--role", "clinician", new_password="casey temporary")
    code, out, err = _as_alex(capsys, monkeypatch, practice, "disable", "Casey", "--reason",
                              "left the practice")
    assert code == 0 and "Disabled casey" in out, err
    assert _users(practice)["casey"][0] == 0
    code, _, err = run(capsys, monkeypatch, "users", "change-password", "--database", practice,
                       "--user", "casey", password="casey temporary", new_password="whatever pw")
    assert code == 1 and "Unknown user name or wrong password" in err
    code, _, err = _as_alex(capsys, monkeypatch, practice, "disable", "alex")
    assert code == 1 and "your own account" in err
    code, out, err = _as_alex(capsys, monkeypatch, practice, "enable", "casey")
    assert code == 0 and _users(practice)["casey"][0] == 1
    code, out, err = _as_alex(capsys, monkeypatch, practice, "reset-password", "casey",
                              new_password="casey new temp")
    assert code == 0 and "temporary password" in out, err
    code, _, err = run(capsys, monkeypatch, "users", "change-password", "--database", practice,
                       "--user", "casey", password="casey new temp", new_password="casey's own")
    assert code == 0, err
    code, _, err = _as_alex(capsys, monkeypatch, practice, "reset-password", "casey",
                            new_password="casey")
    assert code == 1 and "A password needs at least 10" in err
    code, _, err = _as_alex(capsys, monkeypatch, practice, "disable", "nobody")
    assert code == 1 and "there is no user “nobody”" in err


def test_reset_password_typed_twice_must_match(practice, capsys, monkeypatch):
    _as_alex(capsys, monkeypatch, practice, "add", "--username", "casey", "--name", "Casey",
             "--role", "clinician", new_password="casey temporary")
    typed(monkeypatch, ADMIN_PASSWORD, "first version", "second version")
    code, _, err = run(capsys, monkeypatch, "users", "reset-password", "casey", "--database",
                       practice, "--user", "alex")
    assert code == 1 and "the two passwords differ" in err


def test_lockout_from_the_command_line(practice, capsys, monkeypatch):
    for _ in range(4):
        code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice,
                           "--user", "alex", password="wrong password")
        assert "Unknown user name or wrong password" in err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice, "--user",
                       "alex", password="wrong password")
    assert code == 1 and "is locked for 15 more minutes" in err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", practice, "--user",
                       "alex", password=ADMIN_PASSWORD)
    assert code == 1 and "locked" in err


def test_init_can_encrypt_the_new_database(tmp_path, capsys, monkeypatch):
    db = tmp_path / "secret.sqlite3"
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", "a long 'quoted' passphrase")
    code, out, err = run(capsys, monkeypatch, *INIT, "--database", db, "--encrypt",
                         password=ADMIN_PASSWORD)
    assert code == 0, err
    assert "The database is encrypted" in out
    assert b"Cascade Recovery IOP" not in db.read_bytes()
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", db, "--user", "alex",
                       password=ADMIN_PASSWORD)
    assert code == 1 and "passphrase" in err            # none given: refused
    monkeypatch.setenv("IOPDESK_PASSPHRASE", "a long 'quoted' passphrase")
    code, out, err = run(capsys, monkeypatch, "users", "list", "--database", db, "--user",
                         "alex", password=ADMIN_PASSWORD)
    assert code == 0 and "Alex Admin" in out, err


def test_init_refuses_a_short_passphrase_and_creates_nothing(tmp_path, capsys, monkeypatch):
    db = tmp_path / "secret.sqlite3"
    monkeypatch.setenv("IOPDESK_NEW_PASSPHRASE", "short")
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", db, "--encrypt",
                       password=ADMIN_PASSWORD)
    assert code == 1 and "at least 8" in err
    assert not db.exists()


def test_init_makes_the_practice_in_an_empty_file_and_in_a_new_folder(tmp_path, capsys,
                                                                     monkeypatch):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", empty, password=ADMIN_PASSWORD)
    assert code == 0, err
    assert _query(empty, "SELECT name FROM practices") == [("Cascade Recovery IOP",)]
    deep = tmp_path / "clinic" / "records" / "practice.sqlite3"
    code, _, err = run(capsys, monkeypatch, *INIT, "--database", deep, password=ADMIN_PASSWORD)
    assert code == 0, err
    assert _users(deep)["alex"][:2] == (1, 0)


def test_users_commands_never_create_a_database(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    code, _, err = run(capsys, monkeypatch, "users", "list", "--database", empty, "--user",
                       "alex", password=ADMIN_PASSWORD)
    assert code == 1 and f"there is no IOPDesk database at {empty}: the file is empty" in err
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.sqlite3"]
