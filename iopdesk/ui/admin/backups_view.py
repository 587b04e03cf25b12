"""The Backups window (administrators): the database's backups with their date, size and
whether they verified or are encrypted; Back up now; and Restore, after a confirmation that
says what happens. The restore itself is not done here: `restore_confirmed` goes to the main
window, whose session manager ends every session (asking about unsaved work first), and the
start-up then restores through the service, which checks the permission, and reopens the
database. The services refuse anyone but an administrator whatever this window shows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from iopdesk.ui.errors import show_error

if TYPE_CHECKING:
    from datetime import datetime

    from iopdesk.services import Actor, Services
    from iopdesk.services.backups import BackupEntry, BackupStatus
    from iopdesk.ui.operations import Runner

PathRole = Qt.ItemDataRole.UserRole + 1


def size_text(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:,.1f} MB"
    return f"{max(size // 1024, 1):,} KB"


class BackupsView(QWidget):
    loaded = Signal()                   # the list shows the backups in the folder
    backed_up = Signal(object)          # Back up now made this BackupInfo
    restore_confirmed = Signal(object)  # the Path of the backup to restore

    def __init__(self, services: Services, actor: Actor, runner: Runner,
                 parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self._services = services
        self._actor = actor
        self._runner = runner
        self.question: QMessageBox | None = None
        self.setObjectName("backupsWindow")
        self.setWindowTitle(self.tr("Backups — IOPDesk"))
        self._build()
        self.resize(860, 420)
        self.reload()

    def _build(self) -> None:
        self.status_label = QLabel(self)
        self.status_label.setObjectName("backupsStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QTreeWidget(self)
        self.list.setObjectName("backupsList")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setHeaderLabels([self.tr("Made"), self.tr("Size"), self.tr("Verified"),
                                   self.tr("Encrypted"), self.tr("File")])
        header = self.list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.empty_label = QLabel(self.tr("There are no backups of this database yet."), self)
        self.empty_label.setObjectName("backupsEmpty")
        self.empty_label.hide()

        self.back_up_button = QPushButton(self.tr("Back &up now"), self)
        self.restore_button = QPushButton(self.tr("&Restore…"), self)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.back_up_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.ask_to_restore)
        self.refresh_button.clicked.connect(self.reload)
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.activated.connect(self.reload)
        buttons = QHBoxLayout()
        for button in (self.back_up_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # -- loading --------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        services, actor = self._services, self._actor
        self._runner.submit(lambda: (services.backups.status(actor),
                                     services.backups.backups(actor)),
                            self._arrived, self._failed, owner=self)

    def _arrived(self, answer: tuple[BackupStatus | None, tuple[BackupEntry, ...]]) -> None:
        status, entries = answer
        self.status_label.setText(self._status_text(status))
        self.list.clear()
        for entry in entries:
            item = QTreeWidgetItem([
                self._when(entry.made_at), size_text(entry.size),
                self.tr("Yes") if entry.verified else self.tr("No"),
                self.tr("Yes") if entry.encrypted else self.tr("No"), entry.path.name])
            item.setData(0, PathRole, str(entry.path))
            item.setToolTip(4, str(entry.path))
            self.list.addTopLevelItem(item)
        if entries:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self.empty_label.setVisible(not entries)
        self._update_buttons()
        self.loaded.emit()

    def _status_text(self, status: BackupStatus | None) -> str:
        if status is None:
            return self.tr("This database is not backed up from this workstation.")
        automatic = (self.tr("Automatic backups are on: when the last person here logs out "
                             "or quits, and once a day.") if status.automatic
                     else self.tr("Automatic backups are off at this workstation."))
        return self.tr("Backups go to {folder}; the newest {keep} are kept. {automatic}").format(
            folder=status.backup_dir, keep=status.keep, automatic=automatic)

    def _when(self, made_at: datetime | None) -> str:
        if made_at is None:
            return self.tr("Unknown")
        return self._services.settings.clock().date_time(made_at)

    def _failed(self, error: object) -> None:
        show_error(self, self.tr("Backups"), error)

    @Slot()
    def _update_buttons(self, *_args) -> None:
        self.restore_button.setEnabled(self.list.currentItem() is not None)

    def selected_backup(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(0, PathRole)) if item is not None else None

    # -- backing up and restoring ---------------------------------------------------------

    @Slot()
    def back_up(self) -> None:
        services, actor = self._services, self._actor
        self.back_up_button.setEnabled(False)
        self.back_up_button.setText(self.tr("Backing up…"))
        self._runner.submit(lambda: services.backups.back_up(actor), self._backed_up,
                            self._back_up_failed, owner=self)

    def _backed_up(self, info) -> None:
        self._back_up_done()
        self.backed_up.emit(info)
        self.reload()

    def _back_up_failed(self, error: object) -> None:
        self._back_up_done()
        self._failed(error)

    def _back_up_done(self) -> None:
        self.back_up_button.setEnabled(True)
        self.back_up_button.setText(self.tr("Back &up now"))

    @Slot()
    def ask_to_restore(self) -> None:
        """Say what a restore does; Restore there emits `restore_confirmed`."""
        backup = self.selected_backup()
        item = self.list.currentItem()
        if backup is None or item is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Restore a backup"), self.tr(
            "Restore the backup made {when} ({name})?\n\n"
            "Every other workstation must close IOPDesk first. Everyone logged in here is "
            "logged out (unsaved work is asked about first), the database is replaced by the "
            "backup, and the log-in window returns. The current database is kept aside as a "
            "backup in {folder}.").format(when=item.text(0), name=backup.name,
                                          folder=backup.parent),
            QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("restoreQuestion")
        self.restore_yes = box.addButton(self.tr("Restore"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.buttonClicked.connect(self._answered)
        self.question = box
        box.open()

    @Slot(object)
    def _answered(self, button) -> None:
        box, self.question = self.question, None
        if box is None or button is not self.restore_yes:
            return
        backup = self.selected_backup()
        if backup is not None:
            self.restore_confirmed.emit(backup)
