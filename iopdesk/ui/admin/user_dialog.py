"""Adding a user, or changing one, on the one record-dialog base (ui.chart.record_dialog:
load a read model or nothing, validate per field, save as new or as update carrying the row
version, ask before unsaved edits are thrown away).

A save over a newer version (StaleVersion) is refused by the service; the dialog says so in
a banner, keeps what was typed, and offers to load the saved version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from iopdesk.domain.changes import RecordKind
from iopdesk.domain.accounts import NewUserInput, UserChanges
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import NotFound
from iopdesk.ui.chart.record_dialog import RecordDialog
from iopdesk.ui.roles import role_names

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import StaffMember
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

ROLE_ORDER = (Role.FRONT_DESK, Role.CLINICIAN, Role.SUPERVISOR, Role.ADMIN)


class UserDialog(RecordDialog):
    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 users: tuple[StaffMember, ...], member: StaffMember | None = None,
                 parent: QWidget | None = None):
        super().__init__(runner, parent)
        self._services = services
        self._actor = actor
        self._users = users
        self.member = member
        self.setObjectName("userDialog")
        self.banner.setObjectName("userDialogBanner")
        self.message.setObjectName("userDialogMessage")
        self.setWindowTitle(self.tr("Add a user") if member is None
                            else self.tr("Change {name}").format(name=member.display_name))
        self.setMinimumWidth(480)
        self._build()
        if member is not None:
            self.load(member)

    @property
    def adding(self) -> bool:
        return self.member is None

    def _build(self) -> None:
        form = self.form
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
        (self.username_edit if self.adding else self.display_name_edit).setFocus()

    def _edit(self, name: str, max_length: int | None, *, password: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        if max_length:
            edit.setMaxLength(max_length)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def load(self, member: StaffMember) -> None:
        self.member = member
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

    # -- saving: ui.chart.record_dialog.RecordDialog ------------------------------------

    def watched_record(self) -> tuple[RecordKind, int] | None:
        return None if self.member is None else (RecordKind.USER, self.member.id)

    def call(self) -> tuple[Callable[[], Any] | None, dict[str, str]]:
        if self.adding and self.password_edit.text() != self.again_edit.text():
            return None, {"password_again": self.tr("The two passwords differ.")}
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
            return (lambda: services.users.add_user(actor, data, password)), {}
        changes = UserChanges(display_name=self.display_name_edit.text(),
                              roles=self._roles(), credentials=self.credentials_edit.text(),
                              email=self.email_edit.text(),
                              needs_cosign=self.cosign_check.isChecked(),
                              supervisor_id=supervisor_id)
        user_id, version = self.member.id, self.member.version
        return (lambda: services.users.update_user(actor, user_id, version, changes)), {}

    def saved_version(self) -> Callable[[], StaffMember] | None:
        if self.member is None:
            return None
        services, actor, user_id = self._services, self._actor, self.member.id

        def fetch() -> StaffMember:
            for user in services.users.list_users(actor):
                if user.id == user_id:
                    return user
            raise NotFound("This user no longer exists.")

        return fetch

    def _saved(self, member: StaffMember) -> None:
        self.member = member
        super()._saved(member)
