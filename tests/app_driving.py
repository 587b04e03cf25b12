"""Driving a whole `run_app` from a timer, as a user would: which window is showing, and the
log-in typed into the log-in window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from iopdesk.demo import DEMO_PASSWORD


def visible(kind, name: str | None = None):
    """The top-level window of `kind` that is showing (with that object name, if given)."""
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()
                 and (name is None or w.objectName() == name)), None)


def log_in(dialog, username: str, password: str = DEMO_PASSWORD) -> None:
    """`username` and `password` in the log-in window, then its log-in button."""
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)
    dialog.submit()
