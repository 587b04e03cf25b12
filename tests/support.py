"""Constants the tests share (importable from any test module: tests/ is on sys.path)."""

from datetime import date

AUDIT_KEY = bytes(range(32))   # the audit chain key of every test
TODAY = date(2026, 11, 16)     # a Monday: tests never depend on the real date
DEMO_SEED = 7

ADMIN_PASSWORD = "admin-password-1"    # the set-up practice's administrator (tests/ui)
STAFF_PASSWORD = "staff-password-1"    # and its other users


def forget_attendance_history(url: str, passphrase: str | None = None) -> None:
    """Delete the attendance history of the database at `url` (the demo practice records
    some): a downgrade below schema 0010 refuses to drop it, so a test taking the demo to an
    older schema forgets it first."""
    from sqlalchemy import text

    from iopdesk.db.engine import make_engine

    engine = make_engine(url, passphrase=passphrase)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM attendance_changes"))
    finally:
        engine.dispose()
