"""The first-run wizard: its pages, field messages at the page that owns them, the logo, and
a whole first start — new database, wizard, log-in as the new administrator, main window —
plain and encrypted."""

from __future__ import annotations

import stat

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWizard
from sqlalchemy import select

from support import ADMIN_PASSWORD

from iopdesk.app import EXIT_OK, run_app
from iopdesk.config import Config
from iopdesk.db.crypto import is_encrypted
from iopdesk.db.engine import sqlite_url
from iopdesk.db.models import Practice
from iopdesk.domain.enums import Role
from iopdesk.ui.login import LoginDialog
from iopdesk.ui.main_window import MainWindow
from iopdesk.ui.setup_wizard import SetupWizard

WAIT_MS = 10_000
VALID_NPI = "1234567893"        # the CMS example number: its check digit is right
PASSPHRASE = "river stones 42"


def fill_practice(qtbot, wizard: SetupWizard, *, npi: str = VALID_NPI) -> None:
    page = wizard.practice_page
    qtbot.keyClicks(page.name_edit, "Riverside IOP")
    qtbot.keyClicks(page.address1_edit, "12 Water Street")
    qtbot.keyClicks(page.city_edit, "Portland")
    qtbot.keyClicks(page.state_edit, "OR")
    qtbot.keyClicks(page.postal_edit, "97201")
    qtbot.keyClicks(page.phone_edit, "503 555 0100")
    qtbot.keyClicks(page.npi_edit, npi)


def fill_admin(qtbot, wizard: SetupWizard) -> None:
    page = wizard.admin_page
    qtbot.keyClicks(page.username_edit, "ada")
    qtbot.keyClicks(page.display_name_edit, "Ada Lovelace")
    qtbot.keyClicks(page.credentials_edit, "LCSW")
    qtbot.keyClicks(page.password_edit, ADMIN_PASSWORD)
    qtbot.keyClicks(page.again_edit, ADMIN_PASSWORD)


def fill_encryption(qtbot, wizard: SetupWizard, passphrase: str | None) -> None:
    page = wizard.encryption_page
    if passphrase is not None:
        page.encrypt_check.setChecked(True)
        qtbot.keyClicks(page.passphrase_edit, passphrase)
        qtbot.keyClicks(page.again_edit, passphrase)


def finish(wizard: SetupWizard) -> None:
    wizard.button(QWizard.WizardButton.FinishButton).click()


def make_wizard(qtbot, services, runner) -> SetupWizard:
    wizard = SetupWizard(services, runner)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_each_page_checks_its_own_fields_before_next(qtbot, services, runner):
    wizard = make_wizard(qtbot, services, runner)
    wizard.next()
    assert wizard.currentPage() is wizard.practice_page
    assert wizard.practice_page.fields.text("name") == "The practice name is required."
    fill_practice(qtbot, wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.admin_page

    page = wizard.admin_page
    qtbot.keyClicks(page.username_edit, "ada")
    qtbot.keyClicks(page.password_edit, "one-password-1")
    qtbot.keyClicks(page.again_edit, "another-password")
    wizard.next()
    assert wizard.currentPage() is page
    assert page.fields.text("display_name") == "The full name is required."
    assert page.fields.text("password_again") == "The two passwords differ."

    page.again_edit.clear()
    qtbot.keyClicks(page.again_edit, "one-password-1")
    qtbot.keyClicks(page.display_name_edit, "Ada Lovelace")
    wizard.next()
    enc = wizard.encryption_page
    assert wizard.currentPage() is enc
    assert not enc.passphrase_edit.isEnabled()
    enc.encrypt_check.setChecked(True)
    qtbot.keyClicks(enc.passphrase_edit, "short")
    qtbot.keyClicks(enc.again_edit, "short")
    finish(wizard)
    assert enc.fields.text("passphrase") == "A passphrase needs at least 8 characters."
    assert wizard.isVisible() and runner.pending == 0


def test_the_services_refusals_are_shown_on_the_page_that_owns_the_field(qtbot, services,
                                                                          runner):
    wizard = make_wizard(qtbot, services, runner)
    fill_practice(qtbot, wizard, npi="1234567890")          # wrong check digit
    wizard.next()
    fill_admin(qtbot, wizard)
    wizard.admin_page.password_edit.setText("short")
    wizard.admin_page.again_edit.setText("short")
    wizard.next()
    finish(wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.practice_page, timeout=WAIT_MS)
    assert "not a valid NPI" in wizard.practice_page.fields.text("npi")
    assert "at least 10 characters" in wizard.admin_page.fields.text("password")
    assert wizard.isVisible() and wizard.admin_actor is None

    wizard.practice_page.npi_edit.setText(VALID_NPI)
    wizard.next()
    for edit in (wizard.admin_page.password_edit, wizard.admin_page.again_edit):
        edit.setText(ADMIN_PASSWORD)
    wizard.next()
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        finish(wizard)
    assert wizard.admin_actor.username == "ada"
    assert Role.ADMIN in wizard.admin_actor.roles
    assert wizard.passphrase is None
    assert not services.setup.needs_setup()


def test_the_logo_is_read_from_png_or_jpeg_and_stored_as_png(qtbot, services, runner,
                                                             session_factory, tmp_path,
                                                             monkeypatch):
    image = QImage(300, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    jpeg = tmp_path / "logo.jpg"
    assert image.save(str(jpeg), "JPEG")
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_text("not a picture")
    chosen = [str(not_an_image), str(jpeg)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (chosen.pop(0), ""))

    wizard = make_wizard(qtbot, services, runner)
    page = wizard.practice_page
    page.logo_button.click()
    assert page.fields.text("logo_png") == "This file is not a PNG or JPEG image."
    page.logo_button.click()
    assert page.fields.text("logo_png") == ""
    assert page.logo.startswith(b"\x89PNG") and not page.logo_preview.pixmap().isNull()
    fill_practice(qtbot, wizard)
    wizard.next()
    fill_admin(qtbot, wizard)
    wizard.next()
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        finish(wizard)
    with session_factory() as session:
        stored = session.scalar(select(Practice.logo_png))
    assert stored == page.logo


# -- the whole first start, through run_app ------------------------------------------------

def visible(kind):
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()), None)


def first_start(qtbot, tmp_path, passphrase: str | None) -> tuple[int, dict, Config]:
    path = tmp_path / "clinic" / "iopdesk.sqlite3"            # nothing there yet
    config = Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                    workstation="test-station")
    seen: dict[str, object] = {}

    def drive():
        wizard, login = visible(SetupWizard), visible(LoginDialog)
        window = visible(MainWindow)
        if wizard is not None and "wizard" not in seen:
            seen["wizard"] = wizard.windowTitle()
            fill_practice(qtbot, wizard)
            wizard.next()
            fill_admin(qtbot, wizard)
            wizard.next()
            fill_encryption(qtbot, wizard, passphrase)
            finish(wizard)
        elif login is not None and login.services is not None and "login" not in seen:
            seen["login"] = login.username_edit.text()      # filled in by the wizard
            qtbot.keyClicks(login.password_edit, ADMIN_PASSWORD)
            qtbot.keyClick(login.password_edit, Qt.Key.Key_Return)
        elif window is not None and window.participant_model.rowCount() == 0 \
                and not window.participant_model.loading and "window" not in seen:
            seen["window"] = window.windowTitle()
            seen["user"] = window.user_label.text()
            seen["admin menu"] = window.admin_menu is not None
            window.close()
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    return run_app(config, ["iopdesk"]), seen, config


def test_first_start_wizard_then_log_in_as_the_new_administrator(qapp, qtbot, tmp_path,
                                                                 fatal_errors, watchdog):
    code, seen, config = first_start(qtbot, tmp_path, passphrase=None)
    assert code == EXIT_OK and fatal_errors == []
    assert seen["wizard"] == "Set up IOPDesk"
    assert seen["login"] == "ada"
    assert seen["window"] == "Riverside IOP — IOPDesk"
    assert seen["user"] == "Ada Lovelace (Administrator)"
    assert seen["admin menu"] is True
    assert not is_encrypted(config.database_path)


def test_first_start_with_encryption(qapp, qtbot, tmp_path, fatal_errors, watchdog):
    code, seen, config = first_start(qtbot, tmp_path, passphrase=PASSPHRASE)
    assert code == EXIT_OK and fatal_errors == []
    assert seen["window"] == "Riverside IOP — IOPDesk"
    assert is_encrypted(config.database_path)
    assert b"Riverside" not in config.database_path.read_bytes()


def test_the_first_start_makes_an_owner_only_database_in_an_owner_only_folder(
        qapp, qtbot, tmp_path, fatal_errors, watchdog):
    code, seen, config = first_start(qtbot, tmp_path, passphrase=None)
    assert code == EXIT_OK and fatal_errors == []
    path = config.database_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_wizard_cancelled_on_the_first_start_leaves_nothing_behind(qapp, qtbot, tmp_path,
                                                                    fatal_errors, watchdog):
    path = tmp_path / "clinic" / "iopdesk.sqlite3"
    config = Config(data_dir=tmp_path / "data", database_url=sqlite_url(path),
                    workstation="test-station")
    seen: dict[str, object] = {}

    def drive():
        wizard = visible(SetupWizard)
        if wizard is not None:
            seen["wizard"] = True
            wizard.reject()
            return
        QTimer.singleShot(20, drive)

    QTimer.singleShot(0, drive)
    assert run_app(config, ["iopdesk"]) == EXIT_OK
    assert seen == {"wizard": True} and fatal_errors == []
    assert not path.parent.exists()                       # no folder, no file


def test_the_wizard_creates_the_database_only_once_the_input_is_good(qtbot, runner, tmp_path):
    path = tmp_path / "new" / "iopdesk.sqlite3"
    made: list[object] = []

    def create():
        from iopdesk.db.engine import make_session_factory
        from iopdesk.db.migrate import open_database
        from iopdesk.services import build_services

        engine = open_database(sqlite_url(path), create=True)
        made.append(engine)
        return build_services(make_session_factory(engine), "test-station",
                              audit_key=bytes(32))

    wizard = SetupWizard(None, runner, create=create)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        fill_practice(qtbot, wizard, npi="1234567890")       # a wrong check digit
        wizard.next()
        fill_admin(qtbot, wizard)
        wizard.next()
        finish(wizard)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.practice_page, timeout=WAIT_MS)
        assert "not a valid NPI" in wizard.practice_page.fields.text("npi")
        assert not path.exists() and made == [] and wizard.services is None
        wizard.practice_page.npi_edit.setText(VALID_NPI)
        wizard.next()
        wizard.next()
        with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
            finish(wizard)
        assert path.exists() and len(made) == 1
        assert wizard.services is not None and not wizard.services.setup.needs_setup()
    finally:
        runner.wait_for_done(10_000)
        for engine in made:
            engine.dispose()
