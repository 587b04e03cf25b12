"""The Audit log names participants as people know them: an administrator types a chart number
(or a name) in the filter and reads "Okafor, Samuel (C-0012)" in the rows, never an internal
id; a chart number on no chart shows no events, and no error."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from iopdesk.domain.enums import Role
from iopdesk.domain.validation import ParticipantInput
from iopdesk.ui.admin.audit_model import AuditModel
from iopdesk.ui.admin.audit_view import AuditView

WAIT_MS = 10_000


@pytest.fixture
def charts(practice):
    """Three participants registered and opened by the front desk; Samuel Okafor last, so
    that his internal id (3) is no chart number and no part of his."""
    desk = practice.add_user("frank", Role.FRONT_DESK)
    people = {}
    for first, last, chart in (("Ada", "Lind", ""), ("Samantha", "Okoro", ""),
                               ("Samuel", "Okafor", "C-0012")):
        person = practice.services.participants.register(desk, ParticipantInput(
            first_name=first, last_name=last, date_of_birth=date(1980, 1, 2),
            chart_number=chart))
        practice.services.participants.get(desk, person.id)
        people[last] = person
    return people


def open_view(qtbot, practice) -> AuditView:
    view = AuditView(practice.services, practice.admin, practice.runner)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view.model.loading,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: practice.runner.pending == 0, timeout=WAIT_MS)
    return view


def filter_by(qtbot, view: AuditView, typed: str) -> None:
    """Type `typed` in the participant filter (ASCII) and press Enter."""
    view.participant_edit.clear()
    view.participant_edit.setFocus()
    qtbot.keyClicks(view.participant_edit, typed)
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        qtbot.keyClick(view.participant_edit, Qt.Key.Key_Return)


def cells(view: AuditView, column: int) -> list[str]:
    model = view.table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_an_admin_finds_a_participants_events_by_chart_number(qtbot, practice, charts):
    samuel = charts["Okafor"]
    view = open_view(qtbot, practice)
    assert view.table.model().headerData(AuditModel.PARTICIPANT, Qt.Orientation.Horizontal) \
        == "Participant"
    assert "chart number" in view.participant_edit.placeholderText()

    filter_by(qtbot, view, "C-0012")
    assert cells(view, AuditModel.ACTION) == ["participant.view", "participant.register"]
    assert cells(view, AuditModel.PARTICIPANT) == ["Okafor, Samuel (C-0012)"] * 2
    # the record names the participants table, not his internal id
    assert cells(view, AuditModel.RECORD) == ["participants"] * 2
    for column in range(view.table.model().columnCount()):
        for text in cells(view, column):
            assert f"#{samuel.id}" not in text and text != str(samuel.id)
    assert view.status.text() == "2 events."


def test_the_participant_column_names_everyone_in_the_unfiltered_log(qtbot, practice, charts):
    view = open_view(qtbot, practice)
    named = {text for text in cells(view, AuditModel.PARTICIPANT) if text}
    assert named == {"Lind, Ada (1001)", "Okoro, Samantha (1002)", "Okafor, Samuel (C-0012)"}
    assert not any(text.isdigit() for text in cells(view, AuditModel.PARTICIPANT))


def test_an_admin_finds_events_by_name_too(qtbot, practice, charts):
    view = open_view(qtbot, practice)
    filter_by(qtbot, view, "sam")
    assert set(cells(view, AuditModel.PARTICIPANT)) == {"Okoro, Samantha (1002)",
                                                        "Okafor, Samuel (C-0012)"}
    filter_by(qtbot, view, "Okafor, Samuel")
    assert set(cells(view, AuditModel.PARTICIPANT)) == {"Okafor, Samuel (C-0012)"}


def test_an_internal_id_or_an_unknown_chart_shows_no_events(qtbot, practice, charts):
    view = open_view(qtbot, practice)
    filter_by(qtbot, view, str(charts["Okafor"].id))        # "3": no chart has that number
    assert view.model.rowCount() == 0 and view.status.text() == "No events match."
    filter_by(qtbot, view, "C-9999")
    assert view.model.rowCount() == 0 and view.status.text() == "No events match."
    filter_by(qtbot, view, "((")
    assert view.model.rowCount() == 0 and view.status.text() == "No events match."
    view.participant_edit.clear()
    with qtbot.waitSignal(view.model.page_loaded, timeout=WAIT_MS):
        view.search_button.click()
    assert view.model.rowCount() > 2                        # cleared: anyone again
