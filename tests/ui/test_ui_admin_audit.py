"""The Audit log screen: newest first with "load more", filters, CSV export through the file
dialog (owner-only; an existing file replaced only when the user says so, a read-only one
never), and the chain check."""

from __future__ import annotations

import csv
import stat

import pytest
import shiboken6
from PySide6.QtWidgets import QFileDialog, QMessageBox

from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import AuthenticationFailed
from iopdesk.ui.admin.audit_model import AuditModel
from iopdesk.ui.admin.audit_view import AuditView

WAIT_MS = 10_000


@pytest.fixture
def busy_practice(practice):
    """Log-ins, a failed one, and user changes: a trail with several actions."""
    frank = practice.add_user("frank", Role.FRONT_DESK)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            practice.services.staff.log_in("frank", "not-the-password")
    practice.services.staff.log_in("admin", "admin-password-1")
    practice.services.participants.search(frank, "")
    return practice


def open_view(qtbot, practice, page_size=None) -> AuditView:
    view = AuditView(practice.services, practice.admin, practice.runner, page_size=page_size)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view.model.loading,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.action_combo.count() > 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: practice.runner.pending == 0, timeout=WAIT_MS)
    return view


def shown(view) -> list:
    return list(view.model.entries())


def choose_action(view, action: str) -> None:
    view.action_combo.setCurrentIndex(view.action_combo.findData(action))


def test_newest_first_a_page_at_a_time(qtbot, busy_practice):
    view = open_view(qtbot, busy_practice, page_size=3)
    ids = [e.id for e in shown(view)]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    assert view.more_button.isEnabled()
    assert "Load more" in view.status.text()
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.more_button.click()
    more = [e.id for e in shown(view)]
    assert len(more) == 6 and more[:3] == ids and more == sorted(more, reverse=True)
    assert view.table.model().index(0, AuditModel.ACTION).data() == shown(view)[0].action


def test_the_audit_model_passes_the_model_tester(qtmodeltester, qtbot, busy_practice):
    view = open_view(qtbot, busy_practice)
    qtmodeltester.check(view.model)


def test_filter_by_action_shows_only_those_rows(qtbot, busy_practice):
    view = open_view(qtbot, busy_practice)
    actions = [view.action_combo.itemData(i) for i in range(view.action_combo.count())]
    assert actions[0] is None and {"login", "user.add", "setup.initialize"} <= set(actions)
    choose_action(view, "login")
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    rows = shown(view)
    assert rows and {e.action for e in rows} == {"login"}
    assert {e.outcome for e in rows} == {AuditOutcome.OK, AuditOutcome.FAILED}

    view.user_combo.setEditText("frank")
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    assert {(e.username, e.action) for e in shown(view)} == {("frank", "login")}
    assert len(shown(view)) == 3                # the first log-in and two failed ones

    view.participant_edit.setText("999")
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    assert shown(view) == []
    assert view.status.text() == "No events match."


def test_export_writes_the_rows_the_filter_selects(qtbot, busy_practice, tmp_path,
                                                   monkeypatch):
    view = open_view(qtbot, busy_practice)
    choose_action(view, "login")
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    target = tmp_path / "exports" / "audit"
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (asked.append(args), (str(target), ""))[1])
    with qtbot.waitSignal(view.exported, timeout=WAIT_MS) as blocker:
        view.export_button.click()
    # the export also shows its selection again, on another worker: wait for that list
    qtbot.waitUntil(lambda: not view.model.loading and busy_practice.runner.pending == 0,
                    timeout=WAIT_MS)
    written = target.with_suffix(".csv")           # the suffix is added when missing
    with written.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert blocker.args == [len(rows)]
    assert {row["action"] for row in rows} == {"login"}
    assert sorted(int(row["id"]) for row in rows) == sorted(e.id for e in shown(view))
    assert str(written) in view.status.text()
    assert len(asked) == 1
    assert stat.S_IMODE(written.stat().st_mode) == 0o600          # owner only
    assert asked[0][4:] == ("", QFileDialog.Option.DontConfirmOverwrite)   # the view asks

    # the export is itself in the log
    view.reload_actions()
    qtbot.waitUntil(lambda: view.action_combo.findData("audit.export") > 0, timeout=WAIT_MS)
    choose_action(view, "audit.export")
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    assert len(shown(view)) == 1 and f'"rows": {len(rows)}' in shown(view)[0].detail


def test_export_with_a_filter_not_yet_shown_lists_it_and_keeps_the_export_message(
        qtbot, busy_practice, tmp_path, monkeypatch):
    view = open_view(qtbot, busy_practice)
    logins = len(busy_practice.services.audit.search(busy_practice.admin, action="login").rows)
    choose_action(view, "login")                    # chosen, but "Show" not clicked
    assert view.action_combo.currentData() == "login"
    target = tmp_path / "logins.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(view.exported, timeout=WAIT_MS) as blocker:
        view.export_button.click()
    qtbot.waitUntil(lambda: not view.model.loading and busy_practice.runner.pending == 0,
                    timeout=WAIT_MS)
    assert blocker.args == [logins] and logins > 1
    assert {e.action for e in shown(view)} == {"login"} and len(shown(view)) == logins
    # whichever finished last, the list or the file, the message about the file stays
    assert f"{logins} events written to {target}." in view.status.text()


@pytest.fixture
def existing(tmp_path, monkeypatch):
    """An earlier export, chosen again in the file dialog (without its extension)."""
    path = tmp_path / "audit-log.csv"
    path.write_text("an earlier export\n", encoding="utf-8")
    path.chmod(0o644)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "audit-log"), ""))
    return path


def exports(practice) -> int:
    return len(practice.services.audit.search(practice.admin, action="audit.export").rows)


def test_replacing_an_export_is_asked_and_no_keeps_it(qtbot, busy_practice, existing):
    view = open_view(qtbot, busy_practice)
    view.export_button.click()
    box = view.replace_box
    assert box is not None and box.isVisible() and "audit-log.csv" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    # answered: the box deletes itself (while the view is still here: the box's connection
    # holds the view's last reference once this test returns), and nothing was started
    qtbot.waitUntil(lambda: not shiboken6.isValid(box), timeout=WAIT_MS)
    assert busy_practice.runner.pending == 0 and view.export_button.isEnabled()
    assert existing.read_text(encoding="utf-8") == "an earlier export\n"
    assert exports(busy_practice) == 0


def test_replacing_an_export_is_asked_and_replace_writes_it_owner_only(qtbot, busy_practice,
                                                                       existing):
    view = open_view(qtbot, busy_practice)
    view.export_button.click()
    with qtbot.waitSignal(view.exported, timeout=WAIT_MS) as blocker:
        view.replace_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: busy_practice.runner.pending == 0, timeout=WAIT_MS)
    with existing.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == blocker.args[0] > 0
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert sorted(p.name for p in existing.parent.iterdir()
                  if p.name.startswith((".", "audit"))) == ["audit-log.csv"]
    assert exports(busy_practice) == 1


def test_a_read_only_export_is_refused_without_asking(qtbot, busy_practice, existing):
    existing.chmod(0o444)           # the tests run as root, who could otherwise replace it
    view = open_view(qtbot, busy_practice)
    view.export_button.click()
    qtbot.waitUntil(lambda: view.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    box = view.findChild(QMessageBox)
    assert view.replace_box is None and box.icon() == QMessageBox.Icon.Warning
    assert "audit-log.csv is read-only for you" in box.text()
    assert existing.read_text(encoding="utf-8") == "an earlier export\n"
    assert busy_practice.runner.pending == 0 and exports(busy_practice) == 0


def test_cancelling_the_file_dialog_exports_nothing(qtbot, busy_practice, monkeypatch):
    view = open_view(qtbot, busy_practice)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    view.export_button.click()
    assert busy_practice.runner.pending == 0
    assert view.export_button.isEnabled()


def test_verify_chain_shows_the_report(qtbot, busy_practice):
    view = open_view(qtbot, busy_practice)
    with qtbot.waitSignal(view.verified, timeout=WAIT_MS) as blocker:
        view.verify_button.click()
    report = blocker.args[0]
    assert report.ok and report.checked > 5
    assert view.message_box.isVisible()
    assert "The audit chain is intact" in view.message_box.text()
    assert f"{report.checked} events checked" in view.message_box.text()
    view.message_box.accept()
