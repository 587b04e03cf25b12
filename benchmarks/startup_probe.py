"""The child process of the start-up rows (benchmarks/startup.py runs it as a script):
`python startup_probe.py MODE`, with QT_QPA_PLATFORM=offscreen and, for IOPDesk's modes,
IOPDESK_DATABASE_URL, IOPDESK_DATA_DIR and IOPDESK_CONFIG_DIR pointing at a demo practice.

Modes, each printing one `STARTUP <mode> <seconds>` line on stdout, then leaving:
  login        `iopdesk` as a user starts it (iopdesk.cli.main with no sub-command); the line
               comes at the first paint of the first top-level window (the log-in dialog).
               The parent times launch -> that line.
  login-floor  a bare PySide6 process: QApplication, an empty QMainWindow, show; the same line
               at its first paint.
  main         as `login`, then logs in as the demo's front desk user (fields filled, Log in
               pressed, the real path); seconds from the verified password (the log-in
               service's answer arriving on the GUI thread) to the main window's first paint.
  dialog-floor a bare PySide6 process: a dialog like the log-in one (two labelled line edits,
               a button box), at its first paint: what such a window costs in itself.
  main-floor   a bare PySide6 process shows a stand-in log-in dialog, then seconds from its
               first paint to the first paint of a QMainWindow holding a QTableView over a
               QStandardItemModel of 50 rows.

One application-wide event filter sees every event of the process once its QApplication is made
(the same in all modes); it looks at the first Paint event of each top-level window.
"""

from __future__ import annotations

import sys
import time

FLOOR_ROWS, FLOOR_COLUMNS = 50, 6


def _report(mode: str, seconds: float | None = None) -> None:
    """The marker line; without seconds the parent's clock times it (launch -> this line)."""
    print(f"STARTUP {mode} {'-' if seconds is None else f'{seconds:.6f}'}", flush=True)


def _watcher(painted):
    """An event filter calling `painted(window)` at the first paint of each top-level window.
    (PySide6 is imported here, not at the top: IOPDesk's modes import it where IOPDesk does.)"""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    class Watcher(QObject):
        def __init__(self):
            super().__init__()
            self._seen: set[int] = set()

        def eventFilter(self, watched, event) -> bool:
            if (event.type() is QEvent.Type.Paint and isinstance(watched, QWidget)
                    and watched.isWindow() and id(watched) not in self._seen):
                self._seen.add(id(watched))
                painted(watched)
            return False

    return Watcher()


def _quit() -> None:
    from PySide6.QtCore import QCoreApplication, QTimer

    QTimer.singleShot(0, lambda: QCoreApplication.exit(0))


class _WhenImported:
    """A meta path finder that calls `then(module)` right after `name` is first imported, so
    that the probe changes nothing of when IOPDesk imports what."""

    def __init__(self, name: str, then):
        self.name, self.then = name, then

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            run(module)
            self.then(module)

        spec.loader.exec_module = exec_module
        return spec


def _run_iopdesk(painted, prepare=None) -> int:
    """`iopdesk` as its console script runs it (iopdesk.cli.main, which imports iopdesk.app
    once it knows the app is wanted), with the watcher installed on the QApplication as soon
    as IOPDesk has made it; `prepare()` runs once iopdesk.app is loaded."""
    watcher: list = []

    def loaded(app_module) -> None:
        make = app_module._create_application

        def create(argv):
            app = make(argv)
            watcher.append(_watcher(painted))
            app.installEventFilter(watcher[0])
            return app

        app_module._create_application = create
        if prepare is not None:
            prepare()

    sys.meta_path.insert(0, _WhenImported("iopdesk.app", loaded))
    from iopdesk.cli.main import main

    return main([])


def login() -> int:
    def painted(window) -> None:
        _report("login")
        _quit()

    return _run_iopdesk(painted)


def main_window() -> int:
    verified: list[float] = []
    login_dialog: list[type] = []

    def prepare() -> None:      # the log-in dialog's module is loaded by now
        from iopdesk.ui.login import LoginDialog

        succeeded = LoginDialog._login_succeeded

        def login_succeeded(self, actor) -> None:
            verified.append(time.perf_counter())
            succeeded(self, actor)

        LoginDialog._login_succeeded = login_succeeded
        login_dialog.append(LoginDialog)

    def painted(window) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QMainWindow

        from iopdesk.domain.demo_accounts import DEMO_PASSWORD

        if isinstance(window, login_dialog[0]) and not verified:
            window.username_edit.setText("frontdesk")
            window.password_edit.setText(DEMO_PASSWORD)
            QTimer.singleShot(0, window.submit)     # logs in as soon as the database is open
        elif isinstance(window, QMainWindow) and verified:
            _report("main", time.perf_counter() - verified[0])
            _quit()

    return _run_iopdesk(painted, prepare)


def login_floor() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    watcher = _watcher(lambda window: (_report("login-floor"), _quit()))
    app.installEventFilter(watcher)
    window = QMainWindow()
    window.show()
    return app.exec()


def main_floor() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import (QApplication, QDialog, QFormLayout, QLineEdit, QMainWindow,
                                   QTableView, QWidget)

    app = QApplication(sys.argv[:1])
    started: list[float] = []
    kept: list[QWidget] = []

    def build() -> None:
        started.append(time.perf_counter())
        window = QMainWindow()
        model = QStandardItemModel(FLOOR_ROWS, FLOOR_COLUMNS, window)
        for row in range(FLOOR_ROWS):
            for column in range(FLOOR_COLUMNS):
                model.setItem(row, column, QStandardItem(f"row {row} column {column}"))
        table = QTableView(window)
        table.setModel(model)
        window.setCentralWidget(table)
        window.resize(1000, 700)
        kept.append(window)
        dialog.hide()
        window.show()

    def painted(window: QWidget) -> None:
        if window is dialog:
            QTimer.singleShot(0, build)
        elif started:
            _report("main-floor", time.perf_counter() - started[0])
            _quit()

    watcher = _watcher(painted)
    app.installEventFilter(watcher)
    dialog = QDialog()
    form = QFormLayout(dialog)
    form.addRow("User name:", QLineEdit(dialog))
    form.addRow("Password:", QLineEdit(dialog))
    dialog.show()
    return app.exec()


def dialog_floor() -> int:
    """A bare PySide6 dialog like the log-in one: two labelled line edits and a button box."""
    from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFormLayout, QLineEdit

    app = QApplication(sys.argv[:1])
    watcher = _watcher(lambda window: (_report("dialog-floor"), _quit()))
    app.installEventFilter(watcher)
    dialog = QDialog()
    form = QFormLayout(dialog)
    form.addRow("User name:", QLineEdit(dialog))
    form.addRow("Password:", QLineEdit(dialog))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, dialog)
    form.addRow(buttons)
    dialog.show()
    return app.exec()


MODES = {"login": login, "login-floor": login_floor, "main": main_window,
         "main-floor": main_floor, "dialog-floor": dialog_floor}

if __name__ == "__main__":
    sys.exit(MODES[sys.argv[1]]())
