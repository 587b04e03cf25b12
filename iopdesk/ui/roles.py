"""Roles as people read them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from iopdesk.domain.enums import Role


def role_names(roles: frozenset[Role]) -> str:
    """The roles held, most responsible first: "Supervisor, Clinician"."""
    names = {Role.ADMIN: QCoreApplication.translate("roles", "Administrator"),
             Role.SUPERVISOR: QCoreApplication.translate("roles", "Supervisor"),
             Role.CLINICIAN: QCoreApplication.translate("roles", "Clinician"),
             Role.FRONT_DESK: QCoreApplication.translate("roles", "Front desk")}
    return ", ".join(names[r] for r in names if r in roles)
