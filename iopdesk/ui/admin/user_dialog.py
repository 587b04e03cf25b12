"""Adding a user, or changing one (the one form pattern, STYLE point 5: load a read model or
nothing, validate per field, save as new or as update carrying the row version).

A save over a newer version (StaleVersion) is refused by the service; the dialog says so in
a banner, keeps what was typed, and offers to load the saved version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from iopdesk.domain.accounts import NewUserInput, UserChanges
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import NotFound, StaleVersion, ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import BANNER_STYLE, FieldMessages, say
from iopdesk.ui.roles import role_names
from iopdesk.ui.unsaved import DialogEdits

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

ROLE_ORDER = (Role.FRONT_DESK, Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN)


class UserDialog(DialogEdits, QDialog):
    saved = Signal(object)      # the StaffMember as stored

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 users: tuple[StaffMember, ...], member: StaffMember | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._runner = runner
        self._users = users
        self.member = member
        self._busy = False
        self.setObjectName("userDialog")
        self.setWindowTitle(self.tr("Add a user") if member is None
                            else self.tr("Change {name}").format(name=member.display_name))
        self.setMinimumWidth(480)
        self._build()
        if member is not None:
            self._fill(member)

    @property
    def adding(self) -> bool:
        return self.member is None

    def _build(self) -> None:
        self.banner = QLabel(self)
        self.banner.setObjectName("userDialogBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.reload_button = QPushButton(self.tr("Load the saved version"), self)
        self.reload_button.hide()
        self.reload_button.clicked.connect(self.reload)

        self.fields = FieldMessages()
        form = QFormLayout()
        self.username_edit = self._edit("username", 64)
        self.fields.add_row(form, self.tr("&User name:"), self.username_edit, "username")
        self.display_name_edit = self._edit("display_name", 100)
        self.fields.add_row(form, self.tr("&Full name:"), self.display_name_edit,
                            "display_name")
        self.credentials_edit = self._edit("credentials", 50)
        self.credentials_edit.setPlaceholderText(self.tr("e.g. LCSW, LPC, CADC"))
        self.fields.add_row(form, self.tr("&Credentials:"), self.credentials_edit,
                            "credentials")
        self.email_edit = self._edit("email", None)
        self.fields.add_row(form, self.tr("&E-mail:"), self.email_edit, "email")

        roles_row = QWidget(self)
        roles_layout = QHBoxLayout(roles_row)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        self.role_checks: dict[Role, QCheckBox] = {}
        for role in ROLE_ORDER:
            check = QCheckBox(role_names(frozenset({role})), roles_row)
            check.setObjectName(f"role_{role.value}")
            self.role_checks[role] = check
            roles_layout.addWidget(check)
        self.fields.add_row(form, self.tr("Roles:"), roles_row, "roles")

        self.cosign_check = QCheckBox(self.tr("Work needs a supervisor's co-signature"), self)
        self.cosign_check.setObjectName("needs_cosign")
        self.fields.add_row(form, "", self.cosign_check, "needs_cosign")
        self.supervisor_combo = QComboBox(self)
        self.supervisor_combo.setObjectName("supervisor")
        self.supervisor_combo.addItem(self.tr("(none)"), None)
        own_id = self.member.id if self.member is not None else None
        for user in self._users:
            if user.active and Role.SUPERVISOR in user.roles and user.id != own_id:
                self.supervisor_combo.addItem(user.display_name, user.id)
        self.fields.add_row(form, self.tr("&Supervisor:"), self.supervisor_combo,
                            "supervisor_id")

        self.password_edit = self._edit("password", None, password=True)
        self.again_edit = self._edit("password_again", None, password=True)
        if self.adding:
            self.fields.add_row(form, self.tr("Temporary &password:"), self.password_edit,
                                "password")
            self.fields.add_row(form, self.tr("Password a&gain:"), self.again_edit,
                                "password_again")
            note = QLabel(self.tr("The new user chooses their own password at their first "
                                  "log-in."), self)
            note.setWordWrap(True)
            form.addRow("", note)
        else:
            self.username_edit.setReadOnly(True)
            self.username_edit.setToolTip(self.tr("A user name never changes: the audit log "
                                                  "names it."))
            self.password_edit.hide()
            self.again_edit.hide()

        self.message = QLabel(self)
        self.message.setObjectName("userDialogMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.username_edit if self.adding else self.display_name_edit).setFocus()

    def _edit(self, name: str, max_length: int | None, *, password: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        if max_length:
            edit.setMaxLength(max_length)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def _fill(self, member: StaffMember) -> None:
        self.username_edit.setText(member.username)
        self.display_name_edit.setText(member.display_name)
        self.credentials_edit.setText(member.credentials)
        self.email_edit.setText(member.email)
        for role, check in self.role_checks.items():
            check.setChecked(role in member.roles)
        self.cosign_check.setChecked(member.needs_cosign)
        index = self.supervisor_combo.findData(member.supervisor_id)
        if index < 0 and member.supervisor_id is not None:     # a disabled supervisor
            self.supervisor_combo.addItem(f"#{member.supervisor_id}", member.supervisor_id)
            index = self.supervisor_combo.count() - 1
        self.supervisor_combo.setCurrentIndex(max(index, 0))

    def _roles(self) -> frozenset[Role]:
        return frozenset(role for role, check in self.role_checks.items() if check.isChecked())

    # -- saving ---------------------------------------------------------------------------

    @Slot()
    def accept(self) -> None:
        if self._busy:
            return
        self.fields.clear()
        self._say_banner("")
        say(self.message, "")
        if self.adding and self.password_edit.text() != self.again_edit.text():
            self.fields.show({"password_again": self.tr("The two passwords differ.")})
            self.tell_saved(False)
            return
        services, actor = self._services, self._actor
        supervisor_id = self.supervisor_combo.currentData()
        if self.adding:
            data = NewUserInput(username=self.username_edit.text().strip(),
                                display_name=self.display_name_edit.text(),
                                roles=self._roles(), credentials=self.credentials_edit.text(),
                                email=self.email_edit.text(),
                                needs_cosign=self.cosign_check.isChecked(),
                                supervisor_id=supervisor_id)
            password = self.password_edit.text()
            call = lambda: services.users.add_user(actor, data, password)  # noqa: E731
        else:
            changes = UserChanges(display_name=self.display_name_edit.text(),
                                  roles=self._roles(),
                                  credentials=self.credentials_edit.text(),
                                  email=self.email_edit.text(),
                                  needs_cosign=self.cosign_check.isChecked(),
                                  supervisor_id=supervisor_id)
            user_id, version = self.member.id, self.member.version
            call = lambda: services.users.update_user(actor, user_id, version,  # noqa: E731
                                                      changes)
        self._set_busy(True)
        self._runner.change(call, self._saved, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        """Cancel or Esc: asks first when something typed is not saved."""
        if not self._busy:
            self.ask_before_closing()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._shown_state is None:
            self.remember_shown()

    def _saved(self, member: StaffMember) -> None:
        self._set_busy(False)
        self.member = member
        self.saved.emit(member)
        super().accept()
        self.tell_saved(True)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        self.tell_saved(False)
        if isinstance(error, ValidationError):
            rest = self.fields.show(error.fields)
            say(self.message, "\n".join(rest.values()))
            self.message.setStyleSheet("color: #b00020;")
        elif isinstance(error, StaleVersion):
            self._say_banner(describe_error(error), reload=True)
        else:
            self._say_banner(describe_error(error))

    def _say_banner(self, text: str, *, reload: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.reload_button.setVisible(reload)
        self.adjustSize()

    @Slot()
    def reload(self) -> None:
        """Load the saved version (what was typed here is replaced by it)."""
        if self.member is None or self._busy:
            return
        services, actor, user_id = self._services, self._actor, self.member.id

        def fetch() -> StaffMember:
            for user in services.users.list_users(actor):
                if user.id == user_id:
                    return user
            raise NotFound("This user no longer exists.")

        self._set_busy(True)
        self._runner.submit(fetch, self._reloaded, self._failed, owner=self)

    def _reloaded(self, member: StaffMember) -> None:
        self._set_busy(False)
        self.member = member
        self._fill(member)
        self.remember_shown()           # the saved version is what is shown now
        self._say_banner("")
        say(self.message, self.tr("The saved version is shown; make your change again."))
        self.message.setStyleSheet("")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.reload_button.setEnabled(not busy)
