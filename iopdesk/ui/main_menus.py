"""The main window's menus (File, Go, Participants, Admin), each entry with its shortcut and
status tip; the window (ui.main_window.MainWindow) keeps the actions as attributes (tests
and the lock reach them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from iopdesk.domain.enums import Role
from iopdesk.ui.lock import LOCK_SHORTCUT


def make_action(window: Any, text: str, slot: Callable, *, shortcut: str = "",
                tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_menus(window: Any) -> None:
    tr, bar = window.tr, window.menuBar()
    file_menu = bar.addMenu(tr("&File"))
    window.password_action = make_action(window, tr("Change my &password…"),
                                         window.change_password)
    window.lock_action = make_action(window, tr("&Lock"), window.lock_requested,
                                     shortcut=LOCK_SHORTCUT,
                                     tip=tr("Hide everything until your password is entered"))
    window.quit_action = make_action(window, tr("&Quit"), window.quit, shortcut=tr("Ctrl+Q"),
                                     tip=tr("Close IOPDesk for everyone logged in here"))
    file_menu.addAction(window.password_action)
    file_menu.addAction(window.lock_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)

    go_menu = bar.addMenu(tr("&Go"))
    group = QActionGroup(window)
    window._area_actions = {}
    for area in window.areas:
        action = make_action(window, area.title,
                             lambda _checked=False, key=area.key: window.show_area(key),
                             shortcut=area.shortcut, tip=area.tip)
        action.setCheckable(True)
        group.addAction(action)
        go_menu.addAction(action)
        window._area_actions[area.key] = action

    participants_menu = bar.addMenu(tr("&Participants"))
    window.find_action = make_action(
        window, tr("&Find participant"), window.find_participant, shortcut=tr("Ctrl+F"),
        tip=tr("Search by name, chart number, date of birth or phone"))
    window.open_chart_action = make_action(
        window, tr("&Open chart"), window.open_selected_chart, shortcut=tr("Ctrl+O"),
        tip=tr("Open the selected participant's chart"))
    participants_menu.addAction(window.find_action)
    participants_menu.addAction(window.open_chart_action)
    if window.printing.printers:
        participants_menu.addSeparator()
        participants_menu.addActions(window.printing.actions())

    window.admin_menu = None
    if window.actor.has(Role.ADMIN):
        window.admin_menu = bar.addMenu(tr("&Admin"))
        window.users_action = make_action(window, tr("&Users…"), window.open_users,
                                          tip=tr("Add, change and disable user accounts"))
        window.audit_action = make_action(window, tr("&Audit log…"), window.open_audit_log,
                                          tip=tr("Who did what, when and where"))
        window.backups_action = make_action(window, tr("&Backups…"), window.open_backups,
                                            tip=tr("The database's backups; restore one"))
        for action in (window.users_action, window.audit_action, window.backups_action):
            window.admin_menu.addAction(action)
