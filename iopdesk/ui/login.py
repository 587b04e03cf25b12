"""The log-in dialog: shown first, usable while the database is still being opened.

The dialog is built without services; `set_services` hands them over once the database is
open. A user who presses Enter before that is logged in as soon as it is. Password checks
(argon2, tens of milliseconds) run on a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from iopdesk.domain.errors import AccountLocked, AuthenticationFailed
from iopdesk.ui.errors import describe_error

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

_ERROR_STYLE = "color: #b00020;"


@dataclass(frozen=True)
class PracticeDetails:
    name: str | None
    demo_accounts: tuple[str, ...] = ()     # only on the demo practice (DESIGN §8)
    demo_password: str | None = None


def practice_details(services: Services) -> PracticeDetails:
    """On a worker: the practice's name and, on the demo practice, its public accounts."""
    name = services.staff.practice_name()
    if not services.staff.is_demo():
        return PracticeDetails(name)
    from iopdesk.domain.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    return PracticeDetails(name, tuple(account[0] for account in DEMO_ACCOUNTS), DEMO_PASSWORD)


def _say(label: QLabel, text: str) -> None:
    """Show a message under a field, or take the empty line away; the dialog fits it."""
    if label.text() == text and label.isVisibleTo(label.window()) == bool(text):
        return
    label.setText(text)
    label.setVisible(bool(text))
    label.window().adjustSize()


class LoginDialog(QDialog):
    logged_in = Signal(object)  # the Actor
    checking = Signal()         # a password is being checked (on a worker)

    def __init__(self, runner: Runner, parent: QWidget | None = None, *,
                 cancel_text: str | None = None):
        super().__init__(parent)
        self._cancel_text = cancel_text
        self._runner = runner
        self._services: Services | None = None
        self._actor: Actor | None = None
        self._submit_when_ready = False
        self._busy = False
        self.details = PracticeDetails(None)
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Log in — IOPDesk"))
        self.setMinimumWidth(380)
        self._build()

    def _build(self) -> None:
        self.heading = QLabel(self.tr("IOPDesk"), self)
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)

        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("username")
        self.username_edit.setAccessibleName(self.tr("User name"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Password"))
        self.username_error = self._error_label("usernameError")
        self.password_error = self._error_label("passwordError")

        form = QFormLayout()
        form.addRow(self.tr("&User name:"), self.username_edit)
        form.addRow("", self.username_error)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow("", self.password_error)

        self.error_label = self._error_label("loginError")
        self.status_label = QLabel(self.tr("Opening the database…"), self)
        self.status_label.setObjectName("loginStatus")
        self.status_label.setWordWrap(True)
        self.demo_label = QLabel(self)
        self.demo_label.setObjectName("demoAccounts")
        self.demo_label.setWordWrap(True)
        self.demo_label.setTextFormat(Qt.TextFormat.RichText)
        self.demo_label.linkActivated.connect(self.use_demo_account)
        self.demo_label.hide()

        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton(self.tr("Log in"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(self._cancel_text or self.tr("Quit"),
                                                    QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.demo_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.username_edit.textEdited.connect(lambda: _say(self.username_error, ""))
        self.password_edit.textEdited.connect(lambda: _say(self.password_error, ""))
        self.username_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setStyleSheet(_ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    @property
    def actor(self) -> Actor | None:
        """The logged-in user, once the dialog is accepted."""
        return self._actor

    @property
    def practice_name(self) -> str | None:
        return self.details.name

    @property
    def services(self) -> Services | None:
        """The services handed over by `set_services`, None while the database opens."""
        return self._services

    # -- the database arrives -------------------------------------------------------------

    def set_services(self, services: Services) -> None:
        """The database is open: ask for the practice's name and demo status, then log in
        if the user already asked to."""
        self._services = services
        self.status_label.clear()
        self._runner.submit(lambda: practice_details(services), self._details_arrived,
                            self._details_failed, owner=self)
        if self._submit_when_ready:
            self._submit_when_ready = False
            self._set_busy(False)
            self.submit()

    def _details_arrived(self, details: PracticeDetails) -> None:
        self.details = details
        if details.name:
            self.heading.setText(details.name)
            self.adjustSize()
        else:
            self.status_label.setText(self.tr(
                "This database is new: it holds no practice and no accounts yet, so nobody "
                "can log in to it. To try IOPDesk, open the demo practice with "
                "“iopdesk --demo”."))
            self.adjustSize()
        if details.demo_password is None:
            return
        from html import escape

        links = ", ".join(f'<a href="{name}">{name}</a>' for name in details.demo_accounts)
        self.demo_label.setText(self.tr(
            "This is the demo practice. Accounts: {accounts}; password: <b>{password}</b>. "
            "Click an account to fill it in.").format(accounts=links,
                                                      password=escape(details.demo_password)))
        self.demo_label.show()
        self.adjustSize()

    def _details_failed(self, error: object) -> None:
        self.status_label.setText(describe_error(error))

    @Slot(str)
    def use_demo_account(self, username: str) -> None:
        """Fill in a demo account (its password is public: DESIGN §8)."""
        self.username_edit.setText(username)
        _say(self.username_error, "")
        if self.details.demo_password:
            self.password_edit.setText(self.details.demo_password)
            _say(self.password_error, "")
            self.login_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        """Ready for another log-in (after the new-password step was cancelled)."""
        self._actor = None
        self.setResult(0)
        self.password_edit.clear()
        _say(self.error_label, "")
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- logging in -----------------------------------------------------------------------

    @Slot()
    def submit(self) -> None:
        if self._busy:
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        _say(self.error_label, "")
        _say(self.username_error, "" if username else self.tr("Enter your user name."))
        _say(self.password_error, "" if password else self.tr("Enter your password."))
        if not username or not password:
            (self.username_edit if not username else self.password_edit).setFocus()
            return
        if self._services is None:
            self._submit_when_ready = True
            self.status_label.setText(self.tr("Opening the database… you will be logged in "
                                              "as soon as it is open."))
            self._set_busy(True)
            return
        services = self._services
        self._set_busy(True)
        self.status_label.setText(self.tr("Checking…"))
        self._runner.submit(lambda: services.staff.log_in(username, password),
                            self._login_succeeded, self._login_failed, owner=self)
        self.checking.emit()

    def _login_succeeded(self, actor: Actor) -> None:
        self._actor = actor
        self._set_busy(False)
        self.logged_in.emit(actor)
        self.accept()

    def _login_failed(self, error: object) -> None:
        self._set_busy(False)
        self.status_label.clear()
        if isinstance(error, AccountLocked):
            _say(self.error_label, describe_error(error))     # says until when
            self.password_edit.clear()
            self.password_edit.setFocus()
        elif isinstance(error, AuthenticationFailed):
            _say(self.error_label, self.tr("Unknown user name or wrong password."))
            self.password_edit.clear()
            self.password_edit.setFocus()
        else:
            _say(self.error_label, describe_error(error))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.login_button.setEnabled(not busy)
        self.username_edit.setReadOnly(busy)
        self.password_edit.setReadOnly(busy)
