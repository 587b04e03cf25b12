"""The registration dialog's warning of possible duplicates: under the form (showing it moves
no field), a line per participant who may be the same person with "Open existing" beside it,
and "Register anyway"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from iopdesk.domain.readmodels import ParticipantRow


def duplicate_text(row: ParticipantRow) -> str:
    return (f"Possible duplicate: {row.first_name} {row.last_name}, born "
            f"{row.date_of_birth.isoformat()}, chart {row.chart_number} — is this the same "
            "person?")


class DuplicatePanel(QFrame):
    open_existing = Signal(int)     # the participant chosen instead of registering
    register_anyway = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("duplicatePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#duplicatePanel { background-color: #fff4ce; border: 1px solid #c19c00; }")
        self._layout = QGridLayout(self)
        self.register_anyway_button = QPushButton(self.tr("Register &anyway"), self)
        self.register_anyway_button.setObjectName("registerAnyway")
        self.register_anyway_button.clicked.connect(self.register_anyway)
        self.hide()

    def show_rows(self, rows: tuple[ParticipantRow, ...]) -> None:
        """A line for each participant who may be the same person, then show the panel."""
        layout = self._layout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.register_anyway_button:
                widget.hide()
                widget.deleteLater()
        for line, row in enumerate(rows):
            label = QLabel(self.tr(duplicate_text(row)), self)
            label.setObjectName("duplicateText")
            label.setWordWrap(True)
            button = QPushButton(self.tr("&Open existing") if line == 0
                                 else self.tr("Open existing"), self)
            button.setObjectName(f"openExisting_{row.id}")
            button.setProperty("participantId", row.id)
            button.clicked.connect(self._open_existing_clicked)
            layout.addWidget(label, line, 0)
            layout.addWidget(button, line, 1)
        layout.addWidget(self.register_anyway_button, len(rows), 1)
        layout.setColumnStretch(0, 1)
        self.show()

    def texts(self) -> list[str]:
        """The warnings showing now (none while the panel is hidden)."""
        if self.isHidden():
            return []
        return [label.text() for label in self.findChildren(QLabel)
                if label.objectName() == "duplicateText" and not label.isHidden()]

    @Slot()
    def _open_existing_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.open_existing.emit(int(button.property("participantId")))
