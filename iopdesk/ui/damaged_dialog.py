"""The question asked when the database file is damaged at start: restore the newest good
backup (named, with its date and path), or quit with nothing changed. Restoring moves the
damaged file (and its -wal and -shm) aside to a dated name beside it, kept and owner-only, then
restores the backup in its place (`services.backups.recover_damaged`, run by the start-up).
Where there is no good backup the dialog says so and what to do, and only quits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from iopdesk.services.backups import DatabaseDamaged


class DamagedDialog(QDialog):
    def __init__(self, damaged: DatabaseDamaged, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("damagedDatabase")
        self.setWindowTitle(self.tr("The database is damaged — IOPDesk"))
        self.message = QLabel(self._text(damaged, label), self)
        self.message.setObjectName("damagedMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(self)
        self.restore_button: QPushButton | None = None
        if damaged.backup is not None:
            self.restore_button = buttons.addButton(self.tr("&Restore the backup"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(self.tr("&Quit"),
                                             QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        (self.restore_button or self.quit_button).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _text(self, damaged: DatabaseDamaged, label: str) -> str:
        head = self.tr("The database {label} is damaged: SQLite's check found “{problem}”. "
                       "IOPDesk will not work with it.").format(label=label,
                                                                problem=damaged.problem)
        backup = damaged.backup
        if backup is None:
            return head + "\n\n" + self.tr(
                "There is no good backup of it in {folder}. Nothing has been changed. Copy the "
                "database file somewhere safe and ask whoever looks after this computer: a "
                "backup kept elsewhere can be restored with `iopdesk db restore FILE`.").format(
                folder=damaged.backup_dir)
        when = (QLocale().toString(backup.made_at.astimezone(), QLocale.FormatType.LongFormat)
                if backup.made_at else self.tr("an unknown date"))
        return head + "\n\n" + self.tr(
            "The newest good backup was made {when}:\n{path}\n\n"
            "Restore it? The damaged file is kept, moved aside to a name with today's date "
            "beside it; whatever was entered after the backup was made is not in the backup. "
            "Quit changes nothing.").format(when=when, path=backup.path)
