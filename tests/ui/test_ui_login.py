"""The log-in dialog: field messages, wrong passwords, the demo accounts, a slow database."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from iopdesk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from iopdesk.domain.enums import Role
from iopdesk.ui.login import LoginDialog

WAIT_MS = 10_000


def make_dialog(qtbot, runner, services=None):
    dialog = LoginDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    if services is not None:
        dialog.set_services(services)
    return dialog


def type_credentials(qtbot, dialog, username, password):
    qtbot.keyClicks(dialog.username_edit, username)
    qtbot.keyClicks(dialog.password_edit, password)


def test_a_wrong_password_is_refused_and_the_dialog_stays(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner, demo.services)
    type_credentials(qtbot, dialog, "frontdesk", "not-the-password")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)        # Enter submits
    qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=WAIT_MS)
    assert dialog.error_label.text() == "Unknown user name or wrong password."
    assert dialog.isVisible()
    assert dialog.actor is None
    assert dialog.result() != QDialog.DialogCode.Accepted.value
    assert dialog.password_edit.text() == ""                       # cleared for a retry
    assert dialog.login_button.isEnabled()


def test_an_unknown_user_gets_the_same_message(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner, demo.services)
    type_credentials(qtbot, dialog, "nobody", DEMO_PASSWORD)
    dialog.login_button.click()
    qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=WAIT_MS)
    assert dialog.error_label.text() == "Unknown user name or wrong password."


def test_empty_fields_get_a_message_at_the_field(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner, demo.services)
    qtbot.waitUntil(lambda: demo.runner.pending == 0, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.password_edit, "something")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.username_error.text() == "Enter your user name."
    assert dialog.password_error.text() == ""
    assert demo.runner.pending == 0                                # nothing was asked
    assert dialog.isVisible()

    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.username_edit, "frontdesk")
    dialog.login_button.click()
    assert dialog.username_error.text() == ""
    assert dialog.password_error.text() == "Enter your password."


def test_correct_demo_credentials_log_in(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner, demo.services)
    type_credentials(qtbot, dialog, "frontdesk", DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.logged_in, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    actor = blocker.args[0]
    assert actor is dialog.actor
    assert actor.username == "frontdesk"
    assert Role.FRONT_DESK in actor.roles
    assert dialog.result() == QDialog.DialogCode.Accepted.value
    assert not dialog.isVisible()


def test_the_demo_accounts_are_listed_on_a_demo_database(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner, demo.services)
    qtbot.waitUntil(dialog.demo_label.isVisible, timeout=WAIT_MS)
    text = dialog.demo_label.text()
    assert [a[0] for a in DEMO_ACCOUNTS] == ["admin", "frontdesk", "clinician", "supervisor",
                                             "associate"]
    for username in ("admin", "frontdesk", "clinician", "supervisor", "associate"):
        assert f'href="{username}"' in text
    assert DEMO_PASSWORD in text
    assert dialog.heading.text() == dialog.practice_name

    dialog.use_demo_account("clinician")                          # a click on the link
    assert dialog.username_edit.text() == "clinician"
    with qtbot.waitSignal(dialog.logged_in, timeout=WAIT_MS) as blocker:
        dialog.login_button.click()
    assert Role.CLINICIAN in blocker.args[0].roles


def test_no_demo_accounts_on_a_real_practice(qtbot, runner, services, track_id):
    dialog = make_dialog(qtbot, runner, services)
    qtbot.waitUntil(lambda: dialog.heading.text() == "Test Practice", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    assert not dialog.demo_label.isVisible()
    assert dialog.details.demo_password is None
    assert dialog.details.demo_accounts == ()


def test_enter_before_the_database_is_open_logs_in_once_it_is(qtbot, demo):
    dialog = make_dialog(qtbot, demo.runner)                       # no services yet
    assert "Opening the database" in dialog.status_label.text()
    type_credentials(qtbot, dialog, "frontdesk", DEMO_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and not dialog.login_button.isEnabled()
    with qtbot.waitSignal(dialog.logged_in, timeout=WAIT_MS):
        dialog.set_services(demo.services)
    assert dialog.actor.username == "frontdesk"


def test_a_new_database_says_nobody_can_log_in_yet_and_points_to_the_demo(qtbot, runner,
                                                                          services):
    dialog = make_dialog(qtbot, runner, services)
    qtbot.waitUntil(lambda: "no accounts yet" in dialog.status_label.text(), timeout=WAIT_MS)
    assert "iopdesk --demo" in dialog.status_label.text()
    assert dialog.heading.text() == "IOPDesk"


# -- lockout and the password that must be changed (issue 4) --------------------------------

def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(qtbot, practice):
    from support import STAFF_PASSWORD

    practice.add_user("frank", Role.FRONT_DESK)
    dialog = make_dialog(qtbot, practice.runner, practice.services)
    qtbot.keyClicks(dialog.username_edit, "frank")

    def attempt(password: str) -> str:
        dialog.error_label.clear()
        qtbot.keyClicks(dialog.password_edit, password)
        dialog.login_button.click()
        qtbot.waitUntil(lambda: dialog.login_button.isEnabled() and bool(dialog.error_label.text()),
                        timeout=WAIT_MS)
        return dialog.error_label.text()

    for n in range(4):
        assert attempt(f"wrong-{n}") == "Unknown user name or wrong password."
    fifth = attempt("wrong-4")
    assert fifth.startswith("Too many failed log-ins")          # the service's own words
    assert "“frank” is locked" in fifth and "until" in fifth

    assert attempt(STAFF_PASSWORD).startswith("Too many failed log-ins")   # the right one
    assert dialog.actor is None and dialog.isVisible()


def _closed_at_the_end(request, widget) -> None:
    """Close `widget` after the test unless the sign-in deleted it itself (it does, once
    signed in): qtbot.addWidget would close an object already gone."""
    import shiboken6

    request.addfinalizer(lambda: shiboken6.isValid(widget) and widget.close())


def test_a_temporary_password_must_be_changed_before_anything_else(qtbot, practice, request):
    from iopdesk.ui.sign_in import SignIn

    practice.add_user("tess", Role.CLINICIAN, password="temporary-pass-1", temporary=True)
    sign_in = SignIn(practice.runner, services=practice.services)
    _closed_at_the_end(request, sign_in.dialog)
    signed_in = []
    sign_in.signed_in.connect(signed_in.append)
    sign_in.show()
    type_credentials(qtbot, sign_in.dialog, "tess", "temporary-pass-1")
    sign_in.dialog.login_button.click()
    qtbot.waitUntil(lambda: sign_in.password_dialog is not None
                    and sign_in.password_dialog.isVisible(), timeout=WAIT_MS)
    change = sign_in.password_dialog
    assert signed_in == []
    assert not sign_in.dialog.isVisible()

    # the two new entries must match; the dialog says so at the field
    qtbot.keyClicks(change.current_edit, "temporary-pass-1")
    qtbot.keyClicks(change.new_edit, "my-own-password-1")
    qtbot.keyClicks(change.again_edit, "my-own-password-2")
    change.ok_button.click()
    assert change.fields.text("new_password_again") == "The two entries differ."
    # the service's rules are shown at their field too
    for edit in (change.new_edit, change.again_edit):
        edit.clear()
        qtbot.keyClicks(edit, "temporary-pass-1")
    change.ok_button.click()
    qtbot.waitUntil(lambda: change.fields.text("new_password") != "", timeout=WAIT_MS)
    assert "differ from the current" in change.fields.text("new_password")

    for edit in (change.new_edit, change.again_edit):
        edit.clear()
        qtbot.keyClicks(edit, "my-own-password-1")
    with qtbot.waitSignal(sign_in.signed_in, timeout=WAIT_MS):
        change.ok_button.click()
    assert signed_in[0].username == "tess"
    assert not signed_in[0].must_change_password
    actor = practice.services.staff.log_in("tess", "my-own-password-1")
    assert not actor.must_change_password


def test_cancelling_the_new_password_goes_back_to_the_log_in(qtbot, practice, request):
    from iopdesk.ui.sign_in import SignIn

    practice.add_user("tess", Role.CLINICIAN, password="temporary-pass-1", temporary=True)
    sign_in = SignIn(practice.runner, services=practice.services)
    _closed_at_the_end(request, sign_in.dialog)
    signed_in = []
    sign_in.signed_in.connect(signed_in.append)
    sign_in.show()
    type_credentials(qtbot, sign_in.dialog, "tess", "temporary-pass-1")
    sign_in.dialog.login_button.click()
    qtbot.waitUntil(lambda: sign_in.password_dialog is not None
                    and sign_in.password_dialog.isVisible(), timeout=WAIT_MS)
    sign_in.password_dialog.reject()
    assert sign_in.dialog.isVisible()
    assert sign_in.dialog.actor is None
    assert sign_in.dialog.password_edit.text() == ""
    assert signed_in == []
