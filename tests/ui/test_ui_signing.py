"""Signing as a clinician does it: the fields are checked first (their messages go as soon as
each is fixed), then the password is asked; a wrong one is said at the password field; an
associate's signed intake awaits the supervisor, who co-signs it from the chart."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from clinical_support import complete_intake
from iopdesk.domain.demo_accounts import DEMO_PASSWORD
from iopdesk.domain.enums import AgeGroup, NoteStatus
from iopdesk.domain.validation import ParticipantInput

WAIT_MS = 10_000


def _chart_with_draft(qtbot, demo, window, last_name: str, author: str, **changes):
    """A new participant admitted by `author`, with an intake draft, open on its Intake tab."""
    services = demo.services
    person = services.participants.register(demo.log_in("frontdesk"), ParticipantInput(
        first_name="Test", last_name=last_name, date_of_birth=date(1985, 1, 1)))
    clinician = demo.log_in(author)
    track = next(t for t in services.staff.tracks(clinician)
                 if t.age_group is AgeGroup.ADULT)
    episode = services.episodes.admit(clinician, person.id, track.id, date(2026, 11, 2),
                                      clinician.user_id)
    draft = services.intake.save_draft(clinician, episode.id, complete_intake(**changes), None)
    chart = window.open_chart(person.id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: tab.intake is not None and demo.runner.pending == 0,
                    timeout=WAIT_MS)
    return chart, tab, draft


def _sign(qtbot, tab, password: str):
    qtbot.mouseClick(tab.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.sign_dialog is not None and tab.sign_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = tab.sign_dialog
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    return dialog


def test_a_field_message_goes_as_soon_as_the_field_is_fixed(qtbot, demo, open_window):
    window = open_window("clinician")
    chart, tab, _ = _chart_with_draft(qtbot, demo, window, "Fixwell", "clinician",
                                      risk_screening="")
    qtbot.mouseClick(tab.sign_button, Qt.MouseButton.LeftButton)
    assert tab.sign_dialog is None                      # nothing asked while a field is empty
    assert "Risk screening is needed" in tab.fields.text("risk_screening")
    qtbot.keyClicks(tab.texts["risk_screening"], "Denies SI")
    assert tab.fields.text("risk_screening") == ""      # gone at once, not at the next save
    chart.close()


def test_a_wrong_password_is_said_at_its_field_and_signs_nothing(qtbot, demo, open_window):
    window = open_window("clinician")
    chart, tab, draft = _chart_with_draft(qtbot, demo, window, "Wrongpass", "clinician")
    dialog = _sign(qtbot, tab, "not-the-password")
    qtbot.waitUntil(lambda: dialog.fields.text("password") != "", timeout=WAIT_MS)
    assert "not your password" in dialog.fields.text("password")
    assert dialog.isVisible() and dialog.password_edit.text() == ""
    assert demo.services.intake.get(window.actor, draft.episode_id).status == NoteStatus.DRAFT

    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.signed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.intake.signed, timeout=WAIT_MS)
    assert tab.signed_label.text().startswith("Signed by Dana Whitfield")
    assert "awaiting" not in tab.signed_label.text()
    chart.close()


def test_an_empty_password_is_asked_for_in_the_dialog(qtbot, demo, open_window):
    window = open_window("clinician")
    chart, tab, _ = _chart_with_draft(qtbot, demo, window, "Emptypass", "clinician")
    dialog = _sign(qtbot, tab, "")
    assert "Enter your password" in dialog.fields.text("password") and dialog.isVisible()
    dialog.reject()
    chart.close()


def test_the_associate_s_intake_awaits_and_the_supervisor_co_signs_it(qtbot, demo,
                                                                      open_window):
    associate_window = open_window("associate")
    chart, tab, draft = _chart_with_draft(qtbot, demo, associate_window, "Cosignee",
                                          "associate")
    assert not tab.cosign_button.isVisible()
    dialog = _sign(qtbot, tab, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: tab.intake.signed, timeout=WAIT_MS)
    assert tab.sign_dialog is None                      # closed once signed
    assert tab.signed_label.text().endswith("awaiting co-signature")
    assert not tab.cosign_button.isVisible()            # never by its own author
    chart.close()

    supervisor = demo.log_in("supervisor")
    [waiting] = [item for item in demo.services.cosign.queue(supervisor)
                 if item.record_id == draft.id]
    window = open_window("supervisor")
    chart = window.open_chart(waiting.participant_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT_MS)
    tab = chart.show_tab("intake")
    qtbot.waitUntil(lambda: tab.intake is not None, timeout=WAIT_MS)
    assert tab.cosign_button.isVisible()
    qtbot.mouseClick(tab.cosign_button, Qt.MouseButton.LeftButton)
    dialog = tab.sign_dialog
    assert dialog.sign_button.text() == "Co-sign"
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.signed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert "co-signed by Samuel Okafor" in tab.signed_label.text()
    assert not tab.cosign_button.isVisible()
    assert draft.id not in {i.record_id for i in demo.services.cosign.queue(supervisor)}
    chart.close()


def test_the_supervisor_s_today_lists_the_queue_and_opens_the_intake_to_co_sign(
        qtbot, demo, open_window):
    associate = demo.log_in("associate")
    services = demo.services
    person = services.participants.register(demo.log_in("frontdesk"), ParticipantInput(
        first_name="Queued", last_name="Quill", date_of_birth=date(1979, 6, 1)))
    track = next(t for t in services.staff.tracks(associate)
                 if t.age_group is AgeGroup.ADULT)
    episode = services.episodes.admit(associate, person.id, track.id, date(2026, 11, 2),
                                      associate.user_id)
    draft = services.intake.save_draft(associate, episode.id, complete_intake(), None)
    services.intake.sign(associate, draft.id, draft.version, DEMO_PASSWORD)

    window = open_window("supervisor")
    today = window.page("today")
    with qtbot.waitSignal(today.cosign_loaded, timeout=WAIT_MS):
        window.show_area("today")
    tree = today.cosign_queue
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    [row] = [r for r in rows if r.text(1) == f"Quill, Queued ({person.chart_number})"]
    assert (row.text(2), row.text(3)) == ("Intake assessment", "Jamie Tran")
    tree.setCurrentItem(row)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(c.participant_id == person.id
                                for c in window.charts.windows()), timeout=WAIT_MS)
    chart = next(c for c in window.charts.windows() if c.participant_id == person.id)
    qtbot.waitUntil(lambda: "intake" in chart.tab_keys()
                    and chart.tab_keys()[chart.tabs.currentIndex()] == "intake",
                    timeout=WAIT_MS)                    # opened at the document to co-sign
    tab = chart.tab_widget("intake")
    qtbot.waitUntil(lambda: tab.intake is not None and tab.cosign_button.isVisible(),
                    timeout=WAIT_MS)
    qtbot.mouseClick(tab.cosign_button, Qt.MouseButton.LeftButton)
    dialog = tab.sign_dialog
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    with qtbot.waitSignal(today.cosign_loaded, timeout=WAIT_MS):     # Today hears of it
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    names = {tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())}
    assert f"Quill, Queued ({person.chart_number})" not in names
    chart.close()


def test_a_clinician_s_today_has_no_co_signature_queue(qtbot, open_window):
    window = open_window("clinician")
    today = window.page("today")
    assert today.cosign_queue is None and not today.shows_cosign


def test_a_signed_intake_is_corrected_by_an_addendum(qtbot, demo, open_window):
    window = open_window("clinician")
    chart, tab, draft = _chart_with_draft(qtbot, demo, window, "Addendaly", "clinician")
    _sign(qtbot, tab, DEMO_PASSWORD)
    qtbot.waitUntil(lambda: tab.intake.signed and tab.addendum_button.isVisible(),
                    timeout=WAIT_MS)
    signed_text = tab.texts["medications"].toPlainText()
    assert tab.texts["medications"].isReadOnly() and not tab.addenda_label.isVisible()

    qtbot.mouseClick(tab.addendum_button, Qt.MouseButton.LeftButton)
    dialog = tab.sign_dialog
    qtbot.keyClicks(dialog.password_edit, DEMO_PASSWORD)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert "Write the addendum" in dialog.fields.text("text")      # nothing written yet
    qtbot.keyClicks(dialog.text_edit, "Medication: buprenorphine 8 mg daily, not 4 mg.")
    assert dialog.fields.text("text") == ""                         # gone once written
    with qtbot.waitSignal(dialog.signed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.addenda_label.isVisible, timeout=WAIT_MS)
    assert tab.addenda_label.text().startswith("Addendum by Dana Whitfield")
    assert "buprenorphine 8 mg daily" in tab.addenda_label.text()
    assert tab.texts["medications"].toPlainText() == signed_text   # the signed text stays
    chart.close()
