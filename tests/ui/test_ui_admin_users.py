"""The Users screen: the Admin menu only for administrators, adding a user through the
dialog (with field messages), disabling and enabling, resetting a password, and a save over
a newer version refused clearly."""

from __future__ import annotations

import pytest
import shiboken6

from support import STAFF_PASSWORD

from iopdesk.app import build_main_window
from iopdesk.domain.accounts import UserChanges
from iopdesk.domain.enums import Role
from iopdesk.domain.errors import AuthenticationFailed
from iopdesk.ui.admin.users_model import UsersModel

WAIT_MS = 10_000


def menu_titles(window) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


@pytest.fixture
def admin_window(qtbot, practice, settings, practice_info):
    window = build_main_window(practice.services, practice.admin, practice.runner,
                               practice_info, settings=settings)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def users_view(qtbot, admin_window):
    view = admin_window.open_users()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=WAIT_MS)
    return view


def row_of(view, username: str) -> int | None:
    for row in range(view.model.rowCount()):
        if view.model.member_at(row).username == username:
            return row
    return None


def cell(view, username: str, column: int) -> str:
    return view.model.index(row_of(view, username), column).data()


def test_only_administrators_see_the_admin_menu(qtbot, practice, settings, practice_info,
                                                admin_window):
    assert "Admin" in menu_titles(admin_window)
    frank = practice.add_user("frank", Role.FRONT_DESK)
    window = build_main_window(practice.services, frank, practice.runner, practice_info,
                               settings=settings)
    qtbot.addWidget(window)
    assert "Admin" not in menu_titles(window)
    assert window.admin_menu is None
    assert menu_titles(window)[0] == "File"


def test_the_users_table_shows_every_account(qtbot, practice, users_view):
    practice.add_user("carla", Role.CLINICIAN, Role.SUPERVISOR)
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        users_view.refresh_button.click()
    assert users_view.isVisible() and users_view.windowTitle() == "Users — IOPDesk"
    assert cell(users_view, "carla", UsersModel.ROLES) == "Supervisor, Clinician"
    assert cell(users_view, "admin", UsersModel.NAME) == "Ada Admin"
    assert cell(users_view, "admin", UsersModel.STATUS) == "Active"


def test_the_users_model_passes_the_model_tester(qtmodeltester, users_view):
    qtmodeltester.check(users_view.model)


def test_add_a_user_then_disable_and_enable_them(qtbot, practice, users_view):
    practice.add_user("carla", Role.CLINICIAN, Role.SUPERVISOR)
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        users_view.reload()
    dialog = users_view.add_user()
    assert dialog.isVisible() and dialog.windowTitle() == "Add a user"
    qtbot.keyClicks(dialog.username_edit, "nina")
    qtbot.keyClicks(dialog.display_name_edit, "Nina Newhire")
    qtbot.keyClicks(dialog.credentials_edit, "LPC-A")
    qtbot.keyClicks(dialog.password_edit, "first-day-pass-1")
    qtbot.keyClicks(dialog.again_edit, "first-day-pass-1")
    dialog.cosign_check.setChecked(True)

    dialog.save_button.click()                       # no role, no supervisor: refused
    qtbot.waitUntil(lambda: dialog.fields.text("roles") != "", timeout=WAIT_MS)
    assert dialog.fields.text("roles") == "Give the user at least one role"
    assert "supervisor" in dialog.fields.text("supervisor_id")
    assert dialog.isVisible()

    dialog.role_checks[Role.CLINICIAN].setChecked(True)
    dialog.supervisor_combo.setCurrentIndex(dialog.supervisor_combo.findText("Carla"))
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        dialog.save_button.click()
    assert not shiboken6.isValid(dialog)                 # closed (and deleted) once saved
    assert cell(users_view, "nina", UsersModel.NAME) == "Nina Newhire"
    assert cell(users_view, "nina", UsersModel.CREDENTIALS) == "LPC-A"
    assert cell(users_view, "nina", UsersModel.COSIGN) == "Yes"
    assert cell(users_view, "nina", UsersModel.SUPERVISOR) == "Carla"
    assert cell(users_view, "nina", UsersModel.STATUS) == "Active (must change password)"
    assert users_view.selected().username == "nina"             # the new user is selected

    users_view.toggle_button.click()                             # Disable…
    reason = users_view.dialog
    reason.setTextValue("left the practice")
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        reason.accept()
    assert cell(users_view, "nina", UsersModel.STATUS) == "Disabled"
    assert users_view.toggle_button.text().replace("&", "") == "Enable"
    with pytest.raises(AuthenticationFailed, match="Unknown user name or wrong password"):
        practice.services.staff.log_in("nina", "first-day-pass-1")

    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        users_view.toggle_button.click()                         # Enable
    assert cell(users_view, "nina", UsersModel.STATUS).startswith("Active")


def test_a_taken_user_name_is_said_at_the_field(qtbot, practice, users_view):
    dialog = users_view.add_user()
    qtbot.keyClicks(dialog.username_edit, "ADMIN")
    qtbot.keyClicks(dialog.display_name_edit, "Someone")
    dialog.role_checks[Role.FRONT_DESK].setChecked(True)
    qtbot.keyClicks(dialog.password_edit, "first-day-pass-1")
    qtbot.keyClicks(dialog.again_edit, "first-day-pass-1")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.fields.text("username") != "", timeout=WAIT_MS)
    assert "is taken" in dialog.fields.text("username")


def test_a_save_over_a_newer_version_is_refused_clearly(qtbot, practice, users_view):
    frank = practice.add_user("frank", Role.FRONT_DESK)
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        users_view.reload()
    users_view.select_user(frank.user_id)
    dialog = users_view.edit_user()
    assert dialog.username_edit.isReadOnly()
    dialog.display_name_edit.setText("Frank Frontdesk")

    stored = users_view.selected()                               # someone else saves first
    practice.services.users.update_user(practice.admin, stored.id, stored.version,
                                        UserChanges(display_name="Francis",
                                                    roles=stored.roles))
    dialog.save_button.click()
    qtbot.waitUntil(dialog.banner.isVisible, timeout=WAIT_MS)
    assert "changed by someone else" in dialog.banner.text()
    assert "Nothing was overwritten" in dialog.banner.text()
    assert dialog.display_name_edit.text() == "Frank Frontdesk"  # what was typed is kept
    assert dialog.reload_button.isVisible()

    dialog.reload_button.click()
    qtbot.waitUntil(lambda: dialog.display_name_edit.text() == "Francis", timeout=WAIT_MS)
    assert not dialog.banner.isVisible()
    dialog.display_name_edit.setText("Frank Frontdesk")
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        dialog.save_button.click()
    assert cell(users_view, "frank", UsersModel.NAME) == "Frank Frontdesk"


def test_reset_password_gives_a_temporary_one(qtbot, practice, users_view):
    frank = practice.add_user("frank", Role.FRONT_DESK)
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        users_view.reload()
    users_view.select_user(frank.user_id)
    users_view.reset_button.click()
    dialog = users_view.dialog
    assert dialog.current_edit is None
    qtbot.keyClicks(dialog.new_edit, "short")
    qtbot.keyClicks(dialog.again_edit, "short")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.fields.text("new_password") != "", timeout=WAIT_MS)
    assert "at least" in dialog.fields.text("new_password")     # temporary_password → here
    for edit in (dialog.new_edit, dialog.again_edit):
        edit.clear()
        qtbot.keyClicks(edit, "temporary-pass-2")
    with qtbot.waitSignal(users_view.loaded, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert cell(users_view, "frank", UsersModel.STATUS) == "Active (must change password)"
    assert practice.services.staff.log_in("frank", "temporary-pass-2").must_change_password
    with pytest.raises(AuthenticationFailed):
        practice.services.staff.log_in("frank", STAFF_PASSWORD)


def test_refusals_reach_the_user_in_a_dialog(qtbot, practice, users_view, monkeypatch):
    shown = []
    monkeypatch.setattr("iopdesk.ui.admin.users_view.show_error",
                        lambda parent, title, error: shown.append(str(error)))
    users_view.select_user(practice.admin.user_id)
    users_view.toggle_button.click()
    with qtbot.waitSignal(practice.runner.busy_changed, timeout=WAIT_MS,
                          check_params_cb=lambda busy: not busy):
        users_view.dialog.accept()
    assert shown and "cannot disable your own account" in shown[0]
