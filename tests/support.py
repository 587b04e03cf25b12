"""Constants the tests share (importable from any test module: tests/ is on sys.path)."""

from datetime import date

AUDIT_KEY = bytes(range(32))   # the audit chain key of every test
TODAY = date(2026, 11, 16)     # a Monday: tests never depend on the real date
DEMO_SEED = 7

ADMIN_PASSWORD = "admin-password-1"    # the set-up practice's administrator (tests/ui)
STAFF_PASSWORD = "staff-password-1"    # and its other users
