"""Turning an exception into words for the person at the keyboard."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from iopdesk.domain.errors import IOPDeskError, StorageFailure, ValidationError

log = logging.getLogger(__name__)


def describe_error(error: object) -> str:
    """The message of an error a user is meant to read; for anything else (a bug, a lost
    connection) a short description, with the traceback sent to the log."""
    if isinstance(error, ValidationError):
        return "\n".join(error.fields.values()) or str(error)
    if isinstance(error, IOPDeskError):
        return str(error)          # a read-only, full or failing disk too (StorageFailure)
    if isinstance(error, OSError):
        failure = StorageFailure.from_os_error(error, _free_bytes(error.filename))
        if failure is not None:
            return str(failure)
    if isinstance(error, BaseException):
        log.error("unexpected error", exc_info=error)
        detail = str(error) or type(error).__name__
        return QCoreApplication.translate(
            "errors", "Something went wrong: {detail}").format(detail=detail)
    return str(error)


def _free_bytes(filename: object) -> int | None:
    """The bytes free on the disk a failed file was on, when that can be told."""
    if not isinstance(filename, str):
        return None
    try:
        return shutil.disk_usage(Path(filename).parent).free
    except OSError:
        return None


def show_error(parent: QWidget | None, title: str, error: object) -> QMessageBox:
    """A warning box that does not block the event loop; it deletes itself when dismissed."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, describe_error(error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
