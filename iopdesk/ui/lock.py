"""The automatic lock (DESIGN §6): an idle watcher over the whole application, and the lock
screen that asks for the locked user's password.

`IdleWatcher` is an application-wide event filter: every key, click, wheel turn or mouse move
restarts its timer; when the timer runs out it emits `idle`. It also turns Ctrl+L pressed in
any window (a dialog included, where the main window's menu shortcut does not reach) into
`lock_requested`. What locking means (which windows hide) is the session manager's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTime, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from iopdesk.domain.errors import AccountLocked
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import error_label, say

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

LOCK_SHORTCUT = "Ctrl+L"
_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})


class IdleWatcher(QObject):
    """Counts user input across the application; `idle` after `timeout_ms` without any."""

    idle = Signal()
    lock_requested = Signal()       # Ctrl+L where no window's own shortcut took it

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self.idle)
        self._shortcut = QKeySequence(LOCK_SHORTCUT)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def set_timeout(self, timeout_ms: int) -> None:
        self._timer.setInterval(max(1, timeout_ms))
        if self._timer.isActive():
            self._timer.start()

    def start(self) -> None:
        """Watch (again) from now on."""
        if not self._installed:
            QApplication.instance().installEventFilter(self)
            self._installed = True
        self._timer.start()

    def pause(self) -> None:
        """While locked: no timer; Ctrl+L still heard (and ignored by a locked manager)."""
        self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()
        if self._installed:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS:
            if self._timer.isActive():
                self._timer.start()
            if kind == QEvent.Type.KeyPress and self._is_lock_key(event):
                self.lock_requested.emit()
                return True
        return False

    def _is_lock_key(self, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent) or event.isAutoRepeat():
            return False
        return QKeySequence(event.keyCombination()).matches(self._shortcut) == \
            QKeySequence.SequenceMatch.ExactMatch


class LockScreen(QDialog):
    """Covers a locked session: asks for that user's password, or lets someone else log in.

    Escape and the window's close button do nothing: only the password (or another log-in)
    leaves this screen.
    """

    unlocked = Signal()
    switch_user = Signal()      # "Log in as someone else"

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.actor = actor
        self._busy = False
        self._closing_allowed = False
        self.setObjectName("lockScreen")
        self.setWindowTitle(self.tr("IOPDesk — locked"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self._build()

    def _build(self) -> None:
        heading = QLabel(self.tr("Locked"), self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        now = self._services.settings.clock().now()      # the practice's wall clock
        when = QLocale().toString(QTime(now.hour, now.minute), QLocale.FormatType.ShortFormat)
        self.who_label = QLabel(self.tr(
            "IOPDesk is locked for {name} ({username}) since {time}. Enter {name}'s password "
            "to go on where you left off.").format(name=self.actor.display_name,
                                                   username=self.actor.username, time=when),
            self)
        self.who_label.setObjectName("lockWho")
        self.who_label.setWordWrap(True)
        self.who_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("lockPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(self.tr("Password"))
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.password_edit.setFixedWidth(300)
        self.password_edit.textEdited.connect(lambda: say(self.error_label, "", fit=False))
        self.error_label = error_label(self, "lockError")
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.buttons = QDialogButtonBox(self)
        self.unlock_button = self.buttons.addButton(self.tr("Unlock"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setDefault(True)
        self.switch_button = self.buttons.addButton(self.tr("Log in as someone else…"),
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.switch_button.clicked.connect(self._switch)
        self.buttons.setCenterButtons(True)

        box = QWidget(self)
        box.setFixedWidth(480)
        inner = QVBoxLayout(box)
        inner.addWidget(heading)
        inner.addWidget(self.who_label)
        inner.addSpacing(12)
        inner.addWidget(self.password_edit, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(self.error_label)
        inner.addWidget(self.buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def cover(self, geometry) -> None:
        """Take the place (and size) of the window it hides."""
        if geometry.isValid() and geometry.width() > 200:
            self.setGeometry(geometry)
        else:
            self.resize(640, 420)

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        password = self.password_edit.text()
        if not password:
            say(self.error_label, self.tr("Enter your password."), fit=False)
            return
        self._set_busy(True)
        services, actor = self._services, self.actor
        self._runner.submit(lambda: services.staff.verify_password(actor, password),
                            self._checked, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        """Escape does not unlock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_allowed:
            event.ignore()
            return
        super().closeEvent(event)

    def dismiss(self) -> None:
        """Close for good (the session unlocked, or ended)."""
        self._closing_allowed = True
        self.hide()
        self.deleteLater()

    def _checked(self, ok: bool) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        if ok:
            say(self.error_label, "", fit=False)
            self.unlocked.emit()
            return
        say(self.error_label, self.tr("Wrong password. IOPDesk stays locked."),
            fit=False)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        if isinstance(error, AccountLocked):
            say(self.error_label, str(error), fit=False)
        else:
            say(self.error_label, describe_error(error), fit=False)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _switch(self) -> None:
        if not self._busy:
            self.password_edit.clear()
            say(self.error_label, "", fit=False)
            self.switch_user.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setEnabled(not busy)
        self.switch_button.setEnabled(not busy)
        self.password_edit.setReadOnly(busy)
