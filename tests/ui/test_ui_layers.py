"""The UI's own rules: it reaches data through services only, and it survives PySide6's
reference leak on signal emits."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import iopdesk.ui

UI_DIR = Path(iopdesk.ui.__file__).parent


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                                      "PATH": "/usr/bin:/bin"})


def test_ui_modules_import_no_database_code():
    for path in UI_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("import sqlalchemy", "from sqlalchemy", "iopdesk.db"):
            assert forbidden not in text, f"{path.relative_to(UI_DIR)} mentions {forbidden}"


def test_the_ui_and_the_login_load_without_the_orm():
    """Fast start (DESIGN §10): nothing the log-in dialog needs pulls in the ORM or models."""
    result = run_python("""
        import sys
        import iopdesk.ui.login, iopdesk.ui.main_window, iopdesk.ui.operations
        import iopdesk.ui.participants.list_widget
        heavy = sorted(m for m in sys.modules
                       if m.startswith(("iopdesk.db", "iopdesk.services", "alembic"))
                       or m == "sqlalchemy.orm")
        print(heavy)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_many_signal_emits_do_not_crash_the_interpreter():
    """PySide6 6.12 drops a reference to True on every emit(); on Python 3.11 the process
    used to abort ("bool_dealloc") at exit once a few thousand signals had been emitted."""
    result = run_python("""
        import iopdesk.ui
        from PySide6.QtCore import QObject, Signal

        class Chatty(QObject):
            said = Signal(int)

        chatty = Chatty()
        for n in range(100_000):
            chatty.said.emit(n)
        print("done")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
