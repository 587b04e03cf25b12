"""The administrator's screens: user accounts and the audit log."""
