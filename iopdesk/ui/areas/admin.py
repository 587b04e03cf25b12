"""The Admin area (administrators): the Users and Audit log screens as tabs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget, QVBoxLayout, QWidget

from iopdesk.ui.admin.audit_view import AuditView
from iopdesk.ui.admin.users_view import UsersView

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner


_MNEMONIC = re.compile(r"&([^&])")


def _embedded(view: QWidget, taken: frozenset[str]) -> QWidget:
    """The screens are windows of their own by birth; here they are pages of the main
    window, whose menus keep their Alt+letter: a button or label of the page that claims
    one of those letters loses its mnemonic (else Alt+F would not open the File menu)."""
    view.setWindowFlags(Qt.WindowType.Widget)
    for widget in [*view.findChildren(QAbstractButton), *view.findChildren(QLabel)]:
        text = widget.text()
        found = _MNEMONIC.search(text)
        if found and found.group(1).lower() in taken:
            widget.setText(text[:found.start()] + text[found.start() + 1:])
    return view


class AdminArea(QWidget):
    """Users, and the Audit log (built, and so loaded, when its tab is first opened)."""

    def __init__(self, services: Services, actor: Actor, runner: Runner, *,
                 taken_mnemonics: frozenset[str] = frozenset(), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("adminArea")
        self._make_audit = lambda: _embedded(AuditView(services, actor, runner, self),
                                             taken_mnemonics)
        self.users = _embedded(UsersView(services, actor, runner, self), taken_mnemonics)
        self.audit: AuditView | None = None
        self._audit_tab = QWidget(self)
        QVBoxLayout(self._audit_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("adminTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.users, self.tr("Users"))
        self.tabs.addTab(self._audit_tab, self.tr("Audit log"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self._audit_tab and self.audit is None:
            self.audit = self._make_audit()
            self._audit_tab.layout().addWidget(self.audit)

    def show_users(self) -> UsersView:
        self.tabs.setCurrentWidget(self.users)
        return self.users

    def show_audit_log(self) -> AuditView:
        self.tabs.setCurrentWidget(self._audit_tab)
        self._tab_changed(self.tabs.currentIndex())
        return self.audit

    def focus_first(self) -> None:
        self.tabs.currentWidget().setFocus(Qt.FocusReason.OtherFocusReason)
