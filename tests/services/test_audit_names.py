"""The audit log names participants as people know them: each event carries the chart number
and name of the participant it names, and the search and the export select a participant by
chart number or name (never by the internal id). Reading it stays administrators' work, and
audited."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from iopdesk.domain.enums import AuditOutcome
from iopdesk.domain.errors import PermissionDenied
from iopdesk.domain.readmodels import AuditRow
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services.audit import MAX_WORDS, participant_words


@pytest.fixture
def people(services, actors):
    """Samuel Okafor (chart C-0012), Thị Lan Nguyễn ("Lan"; the next free number) and
    Samantha Okoro, each registered and opened once."""
    desk, clinician = actors["front_desk"], actors["clinician"]
    samuel = services.participants.register(desk, ParticipantInput(
        first_name="Samuel", last_name="Okafor", date_of_birth=date(1979, 2, 3),
        chart_number="C-0012"))
    lan = services.participants.register(desk, ParticipantInput(
        first_name="Thị Lan", last_name="Nguyễn", preferred_name="Lan",
        date_of_birth=date(1988, 3, 14)))
    samantha = services.participants.register(desk, ParticipantInput(
        first_name="Samantha", last_name="Okoro", date_of_birth=date(1991, 7, 8)))
    for person in (samuel, lan, samantha):
        services.participants.get(clinician, person.id)
    return {"samuel": samuel, "lan": lan, "samantha": samantha}


def events_of(services, admin, typed: str) -> tuple[AuditRow, ...]:
    return services.audit.search(admin, participant=typed).rows


def test_a_chart_number_selects_that_participants_events(services, actors, people):
    samuel = people["samuel"]
    rows = events_of(services, actors["admin"], "C-0012")
    assert {e.action for e in rows} == {"participant.register", "participant.view"}
    assert {e.participant_id for e in rows} == {samuel.id}
    assert all(e.chart_number == "C-0012" and e.participant_name == "Okafor, Samuel"
               for e in rows)
    assert rows[0].participant_label == "Okafor, Samuel (C-0012)"
    # any case, spaces around it; and the label the log shows, pasted back
    assert events_of(services, actors["admin"], "  c-0012 ") == rows
    assert [e.id for e in events_of(services, actors["admin"], "Okafor, Samuel (C-0012)")] \
        == [e.id for e in rows]


def test_a_number_given_chart_selects_by_chart_not_by_id(services, actors, people):
    lan, samantha = people["lan"], people["samantha"]
    assert lan.chart_number == "1001" and samantha.chart_number == "1002"
    rows = events_of(services, actors["admin"], lan.chart_number)
    assert rows and {e.participant_id for e in rows} == {lan.id}
    assert rows[0].participant_label == "Nguyễn, Thị Lan (Lan) (1001)"
    # the internal id is not a way in: no participant has the chart number "2"
    assert events_of(services, actors["admin"], str(lan.id)) == ()


def test_a_name_selects_whoever_it_names(services, actors, people):
    admin = actors["admin"]
    okafor = {e.participant_id for e in events_of(services, admin, "okafor")}
    assert okafor == {people["samuel"].id}
    both = {e.participant_id for e in events_of(services, admin, "Sam")}
    assert both == {people["samuel"].id, people["samantha"].id}
    assert {e.participant_id for e in events_of(services, admin, "sam oko")} \
        == {people["samantha"].id}
    # accents and case folded, as in the participant list; the preferred name too
    assert {e.participant_id for e in events_of(services, admin, "NGUYEN lan")} \
        == {people["lan"].id}


def test_events_naming_no_one_carry_no_name(services, actors, people):
    services.audit.search(actors["admin"])
    rows = services.audit.search(actors["admin"], action="audit.search").rows
    assert rows and all(e.participant_id is None and e.participant_label == ""
                        for e in rows)


@pytest.mark.parametrize("typed", ["9999", "C-9999", "Nobody", "((", ",", "1001 9999",
                                   " ".join(["okafor"] * (MAX_WORDS + 1)), "x" * 5000,
                                   "%", "_", "'; DROP TABLE audit_events; --"])
def test_a_participant_on_no_chart_selects_nothing_and_is_no_error(services, actors, people,
                                                                   typed):
    assert events_of(services, actors["admin"], typed) == ()


def test_nothing_typed_selects_everyone(services, actors, people):
    everything = services.audit.search(actors["admin"]).rows
    again = services.audit.search(actors["admin"], participant="   ").rows
    assert len(again) == len(everything) + 1          # the first search is in the log now


def test_the_words_of_what_is_typed():
    assert participant_words("Okafor, Samuel (C-0012)") == ("okafor", "samuel", "c-0012")
    assert participant_words("  Nguyễn,Lan ") == ("nguyen", "lan")
    assert participant_words("((,))") == ()


def test_the_export_names_the_participant_and_selects_by_chart(services, actors, people,
                                                               tmp_path):
    target = tmp_path / "okafor.csv"
    written = services.audit.export_csv(actors["admin"], target, participant="C-0012")
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) == 2
    assert {(r["chart_number"], r["participant"]) for r in rows} \
        == {("C-0012", "Okafor, Samuel")}
    assert {r["participant_id"] for r in rows} == {str(people["samuel"].id)}


def test_reading_the_log_by_chart_stays_admin_only_and_audited(services, actors, people):
    with pytest.raises(PermissionDenied):
        services.audit.search(actors["front_desk"], participant="C-0012")
    with pytest.raises(PermissionDenied):
        services.audit.search(actors["clinician"], participant="C-0012")
    services.audit.search(actors["admin"], participant="C-0012")
    searches = services.audit.search(actors["admin"], action="audit.search").rows
    refused = [e for e in searches if e.outcome is AuditOutcome.REFUSED]
    assert {e.username for e in refused} == {"frontdesk", "clinician"}
    done = [e for e in searches if e.username == "admin" and e.outcome is AuditOutcome.OK]
    assert any('"participant": "C-0012"' in e.detail for e in done)
