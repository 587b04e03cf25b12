"""The question before a file the user named is replaced (Save as PDF, the audit export).

The file dialogs are told not to ask (".pdf" or ".csv" may be added to the name they return,
so they may have asked about another file); this asks about the very file to be written. It
is opened, never exec()'d (the idle lock hides windows), and "No" is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReplaceQuestion", text)


def ask_to_replace(parent: QWidget, target: Path, replacement: str,
                   on_replace: Callable[[], None]) -> QMessageBox:
    """Ask whether `target` may be replaced with `replacement` ("this document", "the
    export"); `on_replace` runs only when the user says Replace."""
    box = QMessageBox(QMessageBox.Icon.Question, _tr("Replace the file?"),
                      _tr("“{name}” already exists in {folder}.\nReplace it with {what}?")
                      .format(name=target.name, folder=target.parent, what=replacement),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setObjectName("replaceFile")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    replace = box.button(QMessageBox.StandardButton.Yes)
    replace.setText(_tr("Replace"))
    box.buttonClicked.connect(lambda button: on_replace() if button is replace else None)
    box.open()
    return box
