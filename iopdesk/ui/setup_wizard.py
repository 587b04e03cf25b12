"""The first-run wizard: the practice's letterhead, its administrator, and encryption.

Shown instead of the log-in dialog on a database without a practice, or where there is no
database yet. Finish runs `services.setup.initialize` on a worker — first creating the
database (`create`) when there is none, once the input is known to be good, so a wizard
cancelled or refused leaves nothing behind; a ValidationError is shown at the fields of the
page that owns them (the wizard goes back to the first such page). Whether to encrypt, and
with which passphrase, is only collected here: the composition root does the encrypting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QIODevice, Qt, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from iopdesk.domain.accounts import NewUserInput, PracticeInput
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import ValidationError
from iopdesk.ui.errors import describe_error
from iopdesk.ui.forms import FieldMessages, error_label, say

if TYPE_CHECKING:
    from iopdesk.services import Actor, Services
    from iopdesk.ui.operations import Runner

LOGO_MAX_SIDE = 1200            # pixels; a letterhead needs no more
LOGO_PREVIEW_HEIGHT = 64


def logo_png_from_file(path: str) -> bytes | None:
    """A PNG or JPEG file as PNG bytes (scaled down if very large), or None if unreadable."""
    image = QImage(path)
    if image.isNull():
        return None
    if max(image.width(), image.height()) > LOGO_MAX_SIDE:
        image = image.scaled(LOGO_MAX_SIDE, LOGO_MAX_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _line_edit(parent: QWidget, name: str, *, password: bool = False,
               max_length: int | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if max_length:
        edit.setMaxLength(max_length)
    return edit


class _Page(QWizardPage):
    """A page whose fields can show the service's messages."""

    def __init__(self, title: str, subtitle: str):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.fields = FieldMessages()
        self.form = QFormLayout()
        self.message = error_label(self, f"{type(self).__name__}Message")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def edit(self, name: str, label: str, *aliases: str, **options) -> QLineEdit:
        widget = _line_edit(self, name, **options)
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.fields.add_row(self.form, label, widget, name, *aliases)
        return widget

    def refuse(self, problems: dict[str, str]) -> bool:
        self.fields.show(problems)
        return not problems


class PracticePage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("Your practice"),
                         self.tr("The practice's name and address head every printed "
                                 "document. Only the name is required now; the rest can be "
                                 "filled in later."))
        self.name_edit = self.edit("name", self.tr("Practice &name:"))
        self.address1_edit = self.edit("address_line1", self.tr("&Address:"))
        self.address2_edit = self.edit("address_line2", self.tr("Address line &2:"))
        self.city_edit = self.edit("city", self.tr("&City:"))
        self.state_edit = self.edit("state", self.tr("&State:"), max_length=2)
        self.postal_edit = self.edit("postal_code", self.tr("&ZIP code:"), max_length=10)
        self.phone_edit = self.edit("phone", self.tr("&Phone:"))
        self.fax_edit = self.edit("fax", self.tr("&Fax:"))
        self.npi_edit = self.edit("npi", self.tr("NP&I (optional):"), max_length=12)

        self.logo: bytes | None = None
        self.logo_preview = QLabel(self.tr("No logo"), self)
        self.logo_preview.setObjectName("logoPreview")
        self.logo_button = QPushButton(self.tr("Choose &logo…"), self)
        self.logo_button.clicked.connect(self.choose_logo)
        self.logo_clear = QPushButton(self.tr("Remove"), self)
        self.logo_clear.clicked.connect(lambda: self.set_logo(None))
        self.logo_clear.setEnabled(False)
        row = QWidget(self)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.logo_preview, 1)
        row_layout.addWidget(self.logo_button)
        row_layout.addWidget(self.logo_clear)
        self.fields.add_row(self.form, self.tr("Letterhead logo:"), row, "logo_png", "logo")

    @Slot()
    def choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Letterhead logo"), "",
                                              self.tr("Images (*.png *.jpg *.jpeg)"))
        if not path:
            return
        data = logo_png_from_file(path)
        if data is None:
            self.fields.set("logo_png", self.tr("This file is not a PNG or JPEG image."))
            return
        self.set_logo(data)

    def set_logo(self, data: bytes | None) -> None:
        self.logo = data
        self.fields.set("logo_png", "")
        self.logo_clear.setEnabled(data is not None)
        if data is None:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo"))
            return
        pixmap = QPixmap()
        pixmap.loadFromData(data, "PNG")
        self.logo_preview.setPixmap(pixmap.scaledToHeight(
            LOGO_PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation))

    def practice(self) -> PracticeInput:
        return PracticeInput(name=self.name_edit.text(),
                             address_line1=self.address1_edit.text(),
                             address_line2=self.address2_edit.text(),
                             city=self.city_edit.text(), state=self.state_edit.text(),
                             postal_code=self.postal_edit.text(), phone=self.phone_edit.text(),
                             fax=self.fax_edit.text(), npi=self.npi_edit.text(),
                             logo_png=self.logo)

    def validatePage(self) -> bool:
        self.fields.clear()
        problems = {}
        if not self.name_edit.text().strip():
            problems["name"] = self.tr("The practice name is required.")
        return self.refuse(problems)


class AdminPage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("The administrator"),
                         self.tr("The administrator adds the other users, keeps the practice "
                                 "details and reads the audit log. You log in with this "
                                 "account when the wizard ends."))
        self.username_edit = self.edit("username", self.tr("&User name:"), max_length=64)
        self.display_name_edit = self.edit("display_name", self.tr("&Full name:"))
        self.credentials_edit = self.edit("credentials", self.tr("&Credentials:"))
        self.credentials_edit.setPlaceholderText(self.tr("e.g. LCSW (optional)"))
        self.email_edit = self.edit("email", self.tr("&E-mail (optional):"))
        self.password_edit = self.edit("password", self.tr("&Password:"), "admin_password",
                                       password=True)
        self.again_edit = self.edit("password_again", self.tr("Password a&gain:"),
                                    password=True)

    def admin(self) -> NewUserInput:
        return NewUserInput(username=self.username_edit.text().strip(),
                            display_name=self.display_name_edit.text(),
                            roles=frozenset({Role.ADMIN}),
                            credentials=self.credentials_edit.text(),
                            email=self.email_edit.text())

    def password(self) -> str:
        return self.password_edit.text()

    def validatePage(self) -> bool:
        self.fields.clear()
        problems = {}
        if not self.username_edit.text().strip():
            problems["username"] = self.tr("The user name is required.")
        if not self.display_name_edit.text().strip():
            problems["display_name"] = self.tr("The full name is required.")
        if not self.password_edit.text():
            problems["password"] = self.tr("Choose a password.")
        elif self.password_edit.text() != self.again_edit.text():
            problems["password_again"] = self.tr("The two passwords differ.")
        return self.refuse(problems)


class EncryptionPage(_Page):
    def __init__(self, min_passphrase: int) -> None:
        super().__init__(self.tr("Encrypt the database?"),
                         self.tr("An encrypted database can only be opened with its "
                                 "passphrase, asked for every time IOPDesk starts. Its "
                                 "backups stay encrypted."))
        self.encrypt_check = QCheckBox(self.tr("&Encrypt the database"), self)
        self.encrypt_check.setObjectName("encrypt")
        self.form.addRow(self.encrypt_check)
        self.passphrase_edit = self.edit("passphrase", self.tr("Pass&phrase:"), password=True)
        self.again_edit = self.edit("passphrase_again", self.tr("Passphrase a&gain:"),
                                    password=True)
        warning = QLabel(self.tr("Keep the passphrase somewhere safe: nobody, not even "
                                 "IOPDesk's makers, can open the database without it."), self)
        warning.setWordWrap(True)
        self.form.addRow(warning)
        self.status = QLabel(self)
        self.status.setObjectName("setupStatus")
        self.layout().insertWidget(2, self.status)
        self.min_passphrase = min_passphrase
        self.encrypt_check.toggled.connect(self._encrypt_toggled)
        self._encrypt_toggled(False)

    @Slot(bool)
    def _encrypt_toggled(self, on: bool) -> None:
        for edit in (self.passphrase_edit, self.again_edit):
            edit.setEnabled(on)
        if not on:
            self.fields.clear()

    def passphrase(self) -> str | None:
        return self.passphrase_edit.text() if self.encrypt_check.isChecked() else None

    def validatePage(self) -> bool:
        self.fields.clear()
        problems = {}
        if self.encrypt_check.isChecked():
            if not self.passphrase_edit.text():
                problems["passphrase"] = self.tr("Choose a passphrase.")
            elif len(self.passphrase_edit.text()) < self.min_passphrase:
                problems["passphrase"] = self.tr(
                    "A passphrase needs at least {count} characters.").format(
                        count=self.min_passphrase)
            elif self.passphrase_edit.text() != self.again_edit.text():
                problems["passphrase_again"] = self.tr("The two passphrases differ.")
        return self.refuse(problems)


class SetupWizard(QWizard):
    """Accepted once the practice and its administrator exist; `passphrase` tells whether
    (and how) the database is to be encrypted, `services` are those of the database set up
    (made by `create`, on a worker, when the wizard was given none)."""

    def __init__(self, services: Services | None, runner: Runner,
                 parent: QWidget | None = None, *, min_passphrase: int = 8,
                 create: Callable[[], Services] | None = None):
        super().__init__(parent)
        if services is None and create is None:
            raise ValueError("the wizard needs the database's services, or a way to create it")
        self._services = services
        self._create = create
        self._created: list[Services] = []      # filled on the worker, read on the GUI thread
        self._runner = runner
        self._busy = False
        self.admin_actor: Actor | None = None
        self.setObjectName("setupWizard")
        self.setWindowTitle(self.tr("Set up IOPDesk"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.practice_page = PracticePage()
        self.admin_page = AdminPage()
        self.encryption_page = EncryptionPage(min_passphrase)
        for page in (self.practice_page, self.admin_page, self.encryption_page):
            self.addPage(page)
        self.setMinimumWidth(560)

    @property
    def pages(self) -> tuple[_Page, ...]:
        return (self.practice_page, self.admin_page, self.encryption_page)

    @property
    def passphrase(self) -> str | None:
        return self.encryption_page.passphrase()

    @property
    def admin_username(self) -> str:
        return self.admin_page.username_edit.text().strip()

    @property
    def services(self) -> Services | None:
        return self._services

    @Slot()
    def accept(self) -> None:
        """Finish: create the practice and the administrator, then close."""
        if self._busy or not self.validateCurrentPage():
            return
        practice = self.practice_page.practice()
        admin = self.admin_page.admin()
        password = self.admin_page.password()
        services, create, created = self._services, self._create, self._created

        def set_up() -> Actor:                  # on a worker
            target = services
            if target is None:
                from iopdesk.services.setup import check_setup

                check_setup(practice, admin, password)   # refused before a file is made
                target = create()
                created.append(target)
            return target.setup.initialize(practice, admin, password)

        self._set_busy(True)
        say(self.encryption_page.message, "")
        self.encryption_page.status.setText(self.tr("Setting up the practice…"))
        self._runner.submit(set_up, self._initialized, self._failed, owner=self)

    @Slot()
    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def _initialized(self, actor: Actor) -> None:
        self._take_created()
        self._set_busy(False)
        self.admin_actor = actor
        super().accept()

    def _failed(self, error: object) -> None:
        self._take_created()     # a database made before the refusal is used next time
        self._set_busy(False)
        self.encryption_page.status.clear()
        if not isinstance(error, ValidationError):
            say(self.encryption_page.message, describe_error(error))
            return
        unclaimed = dict(error.fields)
        first: QWizardPage | None = None
        for page in self.pages:
            mine = {k: v for k, v in unclaimed.items() if page.fields.claims(k)}
            for key in mine:
                del unclaimed[key]
            if mine:
                first = first or page
                page.fields.show(mine)
        say(self.encryption_page.message, "\n".join(unclaimed.values()))
        if first is not None:
            self.show_page(first)

    def _take_created(self) -> None:
        if self._created:
            self._services = self._created[-1]

    def show_page(self, page: QWizardPage) -> None:
        while self.currentPage() is not page and self.currentId() > 0:
            self.back()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(not busy)
