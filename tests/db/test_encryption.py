"""Encryption at rest (DESIGN §6): an encrypted demo database holds none of its participants'
names in its bytes (nor do its backups), opens with its passphrase and refuses any other;
encrypt, rekey, backup, restore, check and migrations on encrypted files; bad passphrases."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from support import AUDIT_KEY, TODAY, forget_attendance_history

from iopdesk.db import crypto
from iopdesk.db.backup import backup_database, list_backups, restore_database, verify_database_file
from iopdesk.db.check import check_database
from iopdesk.db.crypto import MIN_NEW_PASSPHRASE, is_encrypted, key_statement
from iopdesk.db.encryption import encrypt_database, plain_backups, rekey_database
from iopdesk.db.engine import make_engine, make_session_factory, sqlite_url
from iopdesk.db.migrate import HEAD, REVISIONS, open_database, run_migrations, stored_revision
from iopdesk.demo import DEMO_PASSWORD
from iopdesk.domain.errors import (DatabaseUnusable, PassphraseRequired, ValidationError,
                                   WrongPassphrase)
from iopdesk.services import build_services

PASSPHRASE = "correct horse battery staple"
TRICKY = [
    pytest.param("it's \"x\" -- '; DROP TABLE participants; --", id="quotes"),
    pytest.param("Łódź-пароль-🔒", id="non-ascii"),
    pytest.param("user@host:/path//x?y#z%41", id="url-characters"),
    pytest.param("  spaces around  ", id="spaces"),
]


# -- helpers -----------------------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the file's header may change: it records the journal mode)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        # Sorted here: FTS5's shadow tables are WITHOUT ROWID (no ORDER BY rowid).
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables if not t.startswith("sqlite_")}
    finally:
        conn.close()


def _names(plain: Path) -> set[str]:
    """The participants' last and first names as stored, read from the plain copy; only those
    of 7 UTF-8 bytes or more. A shorter string turns up in random bytes too often: a 5-byte
    name ("Zofia") was once found in a correctly encrypted file by chance (about one in a
    thousand runs over all the files checked); 7 bytes make that about 65,000 times rarer."""
    conn = sqlite3.connect(plain)
    try:
        rows = conn.execute("SELECT last_name, first_name FROM participants").fetchall()
    finally:
        conn.close()
    return {name for row in rows for name in row if len(name.encode("utf-8")) >= 7}


def _files_of(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]


def assert_no_names(names: set[str], *paths: Path) -> None:
    for path in paths:
        for file in _files_of(path):
            data = file.read_bytes()
            leaked = sorted(n for n in names if n.encode("utf-8") in data)
            assert leaked == [], f"{file} holds {leaked[:5]}"
            assert b"SQLite format 3" not in data and b"participants" not in data, file


def _services(engine):
    return build_services(make_session_factory(engine), "t", audit_key=AUDIT_KEY,
                          today=lambda: TODAY)


def _search_finds_people(engine, last_name: str) -> int:
    services = _services(engine)
    actor = services.staff.log_in("frontdesk", DEMO_PASSWORD)
    rows = services.participants.search(actor, last_name).rows
    assert rows and all(r.last_name for r in rows)
    assert any(r.last_name == last_name for r in rows)
    return len(services.participants.search(actor, "").rows)


def _participants(path: Path, passphrase: str | None) -> int:
    return _count(path, "participants", passphrase)


def _count(path: Path, table: str, passphrase: str | None = PASSPHRASE) -> int:
    conn = crypto.connect_file(path, passphrase, readonly=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="session")
def encrypted_template(demo_template, tmp_path_factory) -> Path:
    """The small demo, encrypted with PASSPHRASE once per run."""
    path = tmp_path_factory.mktemp("encrypted") / "demo.sqlite3"
    shutil.copyfile(demo_template, path)
    encrypt_database(sqlite_url(path), PASSPHRASE, path.parent / "backups")
    return path


@pytest.fixture
def encrypted_db(encrypted_template, tmp_path) -> Path:
    path = tmp_path / "practice.sqlite3"
    shutil.copy(encrypted_template, path)
    return path


@pytest.fixture(scope="session")
def names(demo_template) -> set[str]:
    found = _names(demo_template)
    assert len(found) >= 20
    assert {"Nguyễn", "Żółkiewska"} & found and any(not n.isascii() for n in found)
    return found


# -- is_encrypted, passphrases ----------------------------------------------------------------

def test_is_encrypted(tmp_path, demo_db, encrypted_db):
    assert is_encrypted(encrypted_db) and not is_encrypted(demo_db)
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    assert not is_encrypted(empty) and not is_encrypted(tmp_path / "nowhere")
    assert not is_encrypted(tmp_path)


def test_the_key_statement_doubles_single_quotes():
    assert key_statement("it's") == "PRAGMA key = 'it''s'"
    decomposed = unicodedata.normalize("NFD", "Łódź")
    assert key_statement(decomposed) == key_statement("Łódź")       # NFC either way


@pytest.mark.parametrize("bad, message", [
    ("", "is empty"),
    ("abc\x00defghij", "NUL"),
    ("pass\udcffword-x", "not valid text"),
    ("short", f"at least {MIN_NEW_PASSPHRASE} characters"),
])
def test_bad_new_passphrases_are_refused_and_nothing_changes(demo_db, tmp_path, bad, message):
    before = _digest(demo_db)
    with pytest.raises(ValidationError, match=message):
        encrypt_database(sqlite_url(demo_db), bad, tmp_path / "backups")
    assert _digest(demo_db) == before
    assert not is_encrypted(demo_db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite3"]


# -- the encrypted demo ------------------------------------------------------------------------

def test_an_encrypted_demo_holds_no_names_and_opens_only_with_its_passphrase(
        demo_db, encrypted_db, names):
    plain_before = _digest(demo_db)
    assert any(n.encode("utf-8") in demo_db.read_bytes() for n in names)   # the test can see
    assert_no_names(names, encrypted_db)

    engine = open_database(sqlite_url(encrypted_db), passphrase=PASSPHRASE)
    try:
        assert _search_finds_people(engine, "Nguyễn") >= 20
        assert Path(f"{encrypted_db}-wal").stat().st_size > 0      # the log-in's audit rows
        assert_no_names(names, encrypted_db)                       # … are encrypted too
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()

    before = _digest(encrypted_db)
    with pytest.raises(WrongPassphrase, match="the passphrase does not open"):
        open_database(sqlite_url(encrypted_db), passphrase=PASSPHRASE + "!")
    with pytest.raises(PassphraseRequired, match="IOPDESK_PASSPHRASE"):
        open_database(sqlite_url(encrypted_db))
    with pytest.raises(WrongPassphrase):
        make_engine(sqlite_url(encrypted_db), passphrase="nope nope").connect()
    assert _digest(encrypted_db) == before
    assert _digest(demo_db) == plain_before


@pytest.mark.parametrize("bad, message", [("", "is empty"), ("a\x00b", "NUL"),
                                          ("x\udcff", "not valid text")])
def test_a_passphrase_no_database_can_have_is_a_wrong_one(encrypted_db, bad, message):
    before = _digest(encrypted_db)
    with pytest.raises(WrongPassphrase, match=f"the passphrase .*{message}.*cannot open"):
        open_database(sqlite_url(encrypted_db), passphrase=bad)
    with pytest.raises(WrongPassphrase, match=message):
        check_database(sqlite_url(encrypted_db), passphrase=bad)
    assert _digest(encrypted_db) == before


def test_sqlcipher_does_not_print_on_a_wrong_key(encrypted_db, capfd):
    with pytest.raises(WrongPassphrase):
        open_database(sqlite_url(encrypted_db), passphrase="wrong passphrase")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_encrypting_keeps_every_row_and_converts_the_plain_backups(demo_db, tmp_path, names):
    backups = tmp_path / "backups"
    plain_backup = backup_database(sqlite_url(demo_db), backups).path
    assert not is_encrypted(plain_backup)
    conn = sqlite3.connect(demo_db)
    expected = crypto.snapshot(conn)
    conn.close()

    assert encrypt_database(sqlite_url(demo_db), PASSPHRASE, backups) == demo_db
    assert is_encrypted(demo_db) and is_encrypted(plain_backup)
    assert plain_backups(backups, demo_db.stem) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "demo.sqlite3"]
    crypto.verify_copy(demo_db, PASSPHRASE, expected)      # same rows, revision, user_version
    assert_no_names(names, demo_db, plain_backup)
    assert verify_database_file(plain_backup, passphrase=PASSPHRASE).encrypted


def test_encrypt_refuses_an_encrypted_database(encrypted_db, tmp_path):
    before = _digest(encrypted_db)
    with pytest.raises(DatabaseUnusable, match="already encrypted"):
        encrypt_database(sqlite_url(encrypted_db), "another passphrase", tmp_path / "b")
    assert _digest(encrypted_db) == before


def test_encrypt_refuses_a_database_open_in_another_process(demo_db, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(demo_db)!r}); c.execute('PRAGMA journal_mode=WAL')\n"
         "c.execute('SELECT count(*) FROM participants').fetchall()\n"
         "print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseUnusable, match="in use"):
            encrypt_database(sqlite_url(demo_db), PASSPHRASE, tmp_path / "backups")
    finally:
        holder.communicate("", timeout=30)
    assert not is_encrypted(demo_db)
    assert not list(tmp_path.glob("*.encrypting*"))
    assert _participants(demo_db, None) > 0


def test_nothing_is_removed_unless_the_encrypted_copy_verifies(demo_db, tmp_path, monkeypatch):
    def bad_copy(target, passphrase, expected):
        raise DatabaseUnusable(f"the copy {target} differs from its source (counts: …)")

    before = _dump(demo_db)
    monkeypatch.setattr(crypto, "verify_copy", bad_copy)
    with pytest.raises(DatabaseUnusable, match="differs from its source"):
        encrypt_database(sqlite_url(demo_db), PASSPHRASE, tmp_path / "backups")
    assert not is_encrypted(demo_db) and _dump(demo_db) == before
    assert not list(tmp_path.glob("*.encrypting*")) and not (tmp_path / "backups").exists()
    assert _count(demo_db, "participants", None) > 0


@pytest.mark.parametrize("passphrase", TRICKY)
def test_awkward_passphrases_work_everywhere(demo_db, tmp_path, passphrase):
    backups = tmp_path / "backups"
    encrypt_database(sqlite_url(demo_db), passphrase, backups)
    engine = open_database(sqlite_url(demo_db), passphrase=passphrase)
    engine.dispose()
    assert check_database(sqlite_url(demo_db), passphrase=passphrase).ok
    info = backup_database(sqlite_url(demo_db), backups, passphrase=passphrase)
    assert info.encrypted
    restore_database(sqlite_url(demo_db), info.path, backups, passphrase=passphrase)
    nfd = unicodedata.normalize("NFD", passphrase)
    assert _participants(demo_db, nfd) > 0          # typed decomposed: the same passphrase
    with pytest.raises(WrongPassphrase):
        _participants(demo_db, passphrase.strip() + "x")


# -- opening ---------------------------------------------------------------------------------

def test_a_plain_database_is_not_opened_with_a_passphrase(demo_db):
    before = _digest(demo_db)
    with pytest.raises(DatabaseUnusable, match="is not encrypted"):
        open_database(sqlite_url(demo_db), passphrase=PASSPHRASE)
    with pytest.raises(DatabaseUnusable, match="is not encrypted"):
        make_engine(sqlite_url(demo_db), passphrase=PASSPHRASE).connect()
    assert _digest(demo_db) == before


def test_a_new_database_with_a_passphrase_is_created_encrypted(tmp_path):
    path = tmp_path / "new.sqlite3"
    engine = open_database(sqlite_url(path), passphrase=PASSPHRASE, create=True)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert is_encrypted(path)
    with pytest.raises(PassphraseRequired):
        open_database(sqlite_url(path))


def test_garbage_is_refused_with_or_without_a_passphrase(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00\x01garbage" * 2000)
    with pytest.raises(PassphraseRequired, match="not an SQLite database, or it is an encrypted"):
        open_database(sqlite_url(bad))
    with pytest.raises(WrongPassphrase, match="does not open"):
        open_database(sqlite_url(bad), passphrase=PASSPHRASE)
    assert bad.read_bytes() == b"\x00\x01garbage" * 2000


def test_the_passphrase_never_rides_in_the_url(encrypted_db):
    with pytest.raises(DatabaseUnusable, match="URL holds a passphrase"):
        make_engine(f"sqlite+pysqlcipher://:{PASSPHRASE}@/{encrypted_db}",
                    passphrase=PASSPHRASE)
    engine = open_database(f"sqlite+pysqlcipher:///{encrypted_db}", passphrase=PASSPHRASE)
    try:
        assert stored_revision(engine) == HEAD
    finally:
        engine.dispose()
    with pytest.raises(DatabaseUnusable, match="database server"):
        make_engine("postgresql+psycopg://u@h/d", passphrase=PASSPHRASE)


def test_migrations_run_on_an_encrypted_database(encrypted_db, names):
    url = sqlite_url(encrypted_db)
    forget_attendance_history(url, PASSPHRASE)
    run_migrations(url, REVISIONS[0], downgrade=True, passphrase=PASSPHRASE)
    engine = make_engine(url, passphrase=PASSPHRASE)
    try:
        assert stored_revision(engine) == REVISIONS[0]
    finally:
        engine.dispose()
    taken = []
    engine = open_database(url, passphrase=PASSPHRASE, backup=lambda: taken.append(
        backup_database(url, encrypted_db.parent / "backups", passphrase=PASSPHRASE)))
    try:
        assert stored_revision(engine) == HEAD
        assert _search_finds_people(engine, "Nguyễn") > 0
    finally:
        engine.dispose()
    assert len(taken) == 1 and taken[0].encrypted and taken[0].revision == REVISIONS[0]
    assert is_encrypted(encrypted_db)
    assert_no_names(names, encrypted_db, taken[0].path)


# -- check, backup, restore ---------------------------------------------------------------------

def test_check_of_an_encrypted_database(encrypted_db):
    report = check_database(sqlite_url(encrypted_db), passphrase=PASSPHRASE)
    assert report.ok and report.counts["participants"] >= 30
    assert ("encryption", "SQLCipher (opened with its passphrase)", True) in report.findings
    with pytest.raises(PassphraseRequired):
        check_database(sqlite_url(encrypted_db))
    with pytest.raises(WrongPassphrase):
        check_database(sqlite_url(encrypted_db), passphrase="not the passphrase")


def test_backups_stay_encrypted_and_restore_with_the_same_passphrase(encrypted_db, tmp_path,
                                                                     names):
    url = sqlite_url(encrypted_db)
    backups = tmp_path / "backups"
    info = backup_database(url, backups, passphrase=PASSPHRASE)
    assert info.encrypted and is_encrypted(info.path)
    assert_no_names(names, info.path)
    with pytest.raises(PassphraseRequired):
        backup_database(url, backups)
    with pytest.raises(WrongPassphrase):
        backup_database(url, backups, passphrase="not the passphrase")
    assert list_backups(backups, encrypted_db.stem) == [info.path]

    # Change the live database, then restore: the backup's rows come back, still encrypted.
    attendance = _count(encrypted_db, "attendance")
    conn = crypto.connect_file(encrypted_db, PASSPHRASE)
    conn.execute("DELETE FROM attendance_changes")      # the attendance's history first
    conn.execute("DELETE FROM attendance")
    conn.commit()
    conn.close()
    assert _count(encrypted_db, "attendance") == 0
    restore_database(url, info.path, backups, passphrase=PASSPHRASE)
    assert is_encrypted(encrypted_db) and _count(encrypted_db, "attendance") == attendance > 0
    kept = [p for p in list_backups(backups, encrypted_db.stem) if "before-restore" in p.name]
    assert len(kept) == 1 and is_encrypted(kept[0])
    assert_no_names(names, encrypted_db, *list_backups(backups, encrypted_db.stem))


def test_restore_with_a_wrong_or_no_passphrase_changes_nothing(encrypted_db, tmp_path):
    url = sqlite_url(encrypted_db)
    backups = tmp_path / "backups"
    info = backup_database(url, backups, passphrase=PASSPHRASE)
    before = _digest(encrypted_db)
    with pytest.raises(WrongPassphrase, match="does not open"):
        restore_database(url, info.path, backups, passphrase="not the passphrase")
    with pytest.raises(PassphraseRequired):
        restore_database(url, info.path, backups)
    assert _digest(encrypted_db) == before
    assert list_backups(backups, encrypted_db.stem) == [info.path]


def test_a_plain_backup_restored_into_an_encrypted_database_is_encrypted(
        demo_db, encrypted_db, tmp_path, names):
    backups = tmp_path / "backups"
    restore_database(sqlite_url(encrypted_db), demo_db, backups, passphrase=PASSPHRASE)
    assert is_encrypted(encrypted_db)
    assert _participants(encrypted_db, PASSPHRASE) == _participants(demo_db, None)
    assert_no_names(names, encrypted_db)
    assert not list(tmp_path.glob("*.restoring*"))


def test_an_encrypted_backup_restored_over_a_plain_database_stays_encrypted(
        demo_db, encrypted_db, tmp_path, names):
    backups = tmp_path / "backups"
    restore_database(sqlite_url(demo_db), encrypted_db, backups, passphrase=PASSPHRASE)
    assert is_encrypted(demo_db)
    assert_no_names(names, demo_db)
    [kept] = list_backups(backups, demo_db.stem)       # the plain one it replaced, as it was
    assert not is_encrypted(kept) and _participants(kept, None) > 0
    engine = open_database(sqlite_url(demo_db), passphrase=PASSPHRASE)
    engine.dispose()


# -- rekey -----------------------------------------------------------------------------------

def test_rekey_changes_the_passphrase_and_the_backups(encrypted_db, tmp_path, names):
    url = sqlite_url(encrypted_db)
    backups = tmp_path / "backups"
    info = backup_database(url, backups, passphrase=PASSPHRASE)
    new = "Łódź-пароль-🔒 it's new"
    changed = rekey_database(url, PASSPHRASE, new, backup_dir=backups)
    assert changed == [info.path]
    for path in (encrypted_db, info.path):
        assert _participants(path, new) > 0
        with pytest.raises(WrongPassphrase):
            _participants(path, PASSPHRASE)
    assert_no_names(names, encrypted_db, info.path)
    engine = open_database(url, passphrase=new)
    try:
        assert _search_finds_people(engine, "Nguyễn") > 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("old, new, error, message", [
    ("not the passphrase", "a brand new one", WrongPassphrase, "does not open"),
    (PASSPHRASE, PASSPHRASE, ValidationError, "same as the current one"),
    (PASSPHRASE, "short", ValidationError, "at least 8 characters"),
    (PASSPHRASE, "", ValidationError, "new passphrase: is empty"),
])
def test_bad_rekeys_change_nothing(encrypted_db, old, new, error, message):
    before = _digest(encrypted_db)
    with pytest.raises(error, match=message):
        rekey_database(sqlite_url(encrypted_db), old, new)
    assert _digest(encrypted_db) == before
    assert _participants(encrypted_db, PASSPHRASE) > 0


def test_rekey_refuses_a_plain_database(demo_db):
    with pytest.raises(DatabaseUnusable, match="not encrypted"):
        rekey_database(sqlite_url(demo_db), PASSPHRASE, "a brand new one")
