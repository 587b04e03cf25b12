"""The PySide6 user interface: it reaches the data only through the services."""

from iopdesk.ui.pyside_fixes import protect_bools, protect_none

protect_bools()
protect_none()
