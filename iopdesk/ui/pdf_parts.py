"""Parts of the PDF preview kept apart from its dialog: the size it opens at, and the
confirmation of a saved file — under the pages, its full path (selectable, scrolled in its
field however long) and a button that opens its folder in the system's file manager (a folder
that cannot be opened there is named in a message instead)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, QUrl, Slot
from PySide6.QtGui import QCursor, QDesktopServices, QGuiApplication, QScreen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from iopdesk.ui.errors import show_error

PAGE_WIDTH_INCHES = 8.5     # a US Letter page, shown at 100 % …
PAGE_FRAME = 80             # … with the view's margins, its scroll bar and the dialog's edges
SCREEN_SHARE = 0.9          # of the screen's free width and height, at most


def screen_to_open_on(parent: QWidget | None) -> QScreen:
    """The screen a dialog appears on: its parent's (Qt centres it over the parent), else the
    one under the cursor (where Qt puts a dialog without a parent)."""
    screen = parent.screen() if parent is not None else None
    return (screen or QGuiApplication.screenAt(QCursor.pos())
            or QGuiApplication.primaryScreen())


def opening_size(screen: QScreen) -> QSize:
    """About a page wide and nine tenths of the free height, never more than the screen has
    free (a laptop's short screen keeps the Close button in view)."""
    available = screen.availableGeometry()
    page = round(PAGE_WIDTH_INCHES * screen.logicalDotsPerInch()) + PAGE_FRAME
    width = min(page, int(available.width() * SCREEN_SHARE))
    return QSize(max(width, 1), max(int(available.height() * SCREEN_SHARE), 1))


class SavedBanner(QFrame):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("pdfSaved")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.saved_to: Path | None = None       # the file last saved, shown with its folder
        label = QLabel(self.tr("Saved as:"), self)
        self.path = QLineEdit(self)
        self.path.setObjectName("pdfSavedPath")
        self.path.setReadOnly(True)
        self.path.setAccessibleName(self.tr("Saved as"))
        label.setBuddy(self.path)
        self.open_folder_button = QPushButton(self.tr("Open &folder"), self)
        self.open_folder_button.setObjectName("pdfOpenFolder")
        self.open_folder_button.setToolTip(self.tr("Show the folder the file was saved in"))
        self.open_folder_button.setAutoDefault(False)
        self.open_folder_button.clicked.connect(self.open_folder)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(label)
        row.addWidget(self.path, 1)
        row.addWidget(self.open_folder_button)
        self.hide()

    def show_saved(self, where: str) -> None:
        self.saved_to = Path(where)
        self.path.setText(where)
        self.path.setCursorPosition(0)
        self.path.setToolTip(where)
        self.show()

    @Slot()
    def open_folder(self) -> bool:
        """Open the folder of the file last saved in the system's file manager."""
        if self.saved_to is None:
            return False
        folder = self.saved_to.parent
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        show_error(self.window(), self.tr("Open folder"), self.tr(
            "The folder could not be opened here. The file is saved in {folder}.").format(
                folder=folder))
        return False
