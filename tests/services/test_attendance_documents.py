"""The attendance documents: a meeting's sign-in sheet, the week's hours report (PDF and CSV)
and a participant's attendance history — what they say (read back from the PDF), who may
print them, and what the audit trail keeps. On SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from attendance_support import LAST_WEEK, local, make_program, monday_morning
from attendance_support import (  # noqa: F401 - the fixtures wall and services
    services_fixture, wall_fixture)
from pypdf import PdfReader
from sqlalchemy import select
from support import TODAY
from test_documents import make_actor

from iopdesk.db.models import AuditEvent, GroupMeeting, ProgramTrack
from iopdesk.domain.accounts import PracticeSettings
from iopdesk.domain.documents import PART2_NOTICE_SHORT
from iopdesk.domain.enums import AuditOutcome, TrackFocus
from iopdesk.domain.errors import NotFound, PermissionDenied, ValidationError

WEDNESDAY = TODAY + timedelta(days=2)


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _events(session_factory, action: str) -> list[AuditEvent]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)))


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture
def program(services, actors, session_factory, track_id, wall):
    """Monday of this week at 12:30: Lan in late (09:15) and out at 12:00, Ben absent (no
    call), Cara (the adolescent track) walked into the adult group at 09:00, never out."""
    program = make_program(services, actors, session_factory, track_id)
    wall.set(9, 0)
    services.attendance.check_in(actors["front_desk"], program.people["cara"],
                                 program.meeting())
    monday_morning(services, actors, program, wall)
    return program


# ---- the sign-in sheet ----------------------------------------------------------------------

def test_the_sign_in_sheet_lists_who_is_expected_with_their_times(services, actors, program,
                                                                  session_factory):
    text = _text(services.documents.sign_in_sheet(actors["front_desk"], program.meeting()))
    assert "Group Sign-In Sheet" in text and "Recovery skills" in text
    assert "Thị Lan Nguyễn" in text and "Ben Okafor" in text
    assert "9:15 AM" in text and "12:00 PM" in text and "late" in text and "absent" in text
    assert "Cara Lindqvist" in text and "walk-in" in text      # into another track's group
    assert "Ruiz" not in text and "Marsh" not in text          # discharged; not yet admitted
    assert PART2_NOTICE_SHORT in text                          # a substance-use track
    [event] = _events(session_factory, "document.generate")
    assert (event.entity, event.entity_id, event.participant_id, event.username) == (
        "group_meetings", program.meeting(), None, actors["front_desk"].username)
    assert event.detail["document"] == "sign_in_sheet"
    assert event.detail["participants"] == 3 and event.detail["part2_notice"] is True


def test_the_sign_in_sheet_shows_first_names_and_initials_when_the_practice_says_so(
        services, actors, program):
    services.settings.update(actors["admin"], PracticeSettings(sign_in_names="first_initial"))
    text = _text(services.documents.sign_in_sheet(actors["front_desk"], program.meeting()))
    assert "Thị Lan N." in text and "Ben O." in text and "Cara L." in text
    assert "Nguyễn" not in text and "Okafor" not in text


def test_a_mental_health_track_prints_no_part2_notice(services, actors, program,
                                                      session_factory):
    with session_factory.begin() as s:
        s.get(ProgramTrack, program.adult).focus = TrackFocus.MENTAL_HEALTH
    text = _text(services.documents.sign_in_sheet(actors["front_desk"], program.meeting()))
    assert "42 CFR" not in text
    assert _events(session_factory, "document.generate")[0].detail["part2_notice"] is False


def test_a_meeting_ahead_prints_blank_times(services, actors, program):
    text = _text(services.documents.sign_in_sheet(actors["front_desk"],
                                                  program.meeting(WEDNESDAY)))
    assert "Thị Lan Nguyễn" in text and "Eve Marsh" in text       # admitted on the 18th
    assert "9:15 AM" not in text and "late" not in text


def test_a_cancelled_or_unknown_meeting_is_refused_and_nothing_recorded(
        services, actors, program, session_factory):
    with session_factory.begin() as s:
        meeting = s.get(GroupMeeting, program.meeting(WEDNESDAY))
        meeting.cancelled, meeting.cancel_reason = True, "Snow"
    with pytest.raises(ValidationError) as refused:
        services.documents.sign_in_sheet(actors["front_desk"], program.meeting(WEDNESDAY))
    assert "cancelled" in refused.value.fields["meeting_id"]
    with pytest.raises(NotFound):
        services.documents.sign_in_sheet(actors["front_desk"], 999_999)
    assert _events(session_factory, "document.generate") == []


# ---- the hours report -----------------------------------------------------------------------

def test_the_hours_csv_has_a_row_per_participant_with_the_services_figures(
        services, actors, program, session_factory):
    desk = actors["front_desk"]
    rows = _csv(services.documents.hours_report(desk, WEDNESDAY, format="csv"))
    hours = services.attendance.hours(desk, WEDNESDAY)
    assert [(r["chart_number"], r["track"]) for r in rows] == sorted(
        ((w.chart_number, w.track_name) for w in hours), key=lambda p: p[1])
    by_chart = {w.chart_number: w for w in hours}
    for row in rows:
        week = by_chart[row["chart_number"]]
        assert (int(row["group_minutes"]), int(row["session_minutes"]),
                int(row["minimum_minutes"]), row["status"],
                int(row["unexcused_absences"])) == (
            week.credited_minutes, week.session_minutes, week.minimum_minutes,
            str(week.status).replace("_", " "), week.unexcused)
        assert (row["week_first"], row["week_last"]) == ("2026-11-16", "2026-11-22")
    lan = next(r for r in rows if r["participant"].startswith("Nguyễn"))
    assert (lan["group_minutes"], lan["group_hours"], lan["status"]) == ("165", "2.75",
                                                                         "at risk")
    ben = next(r for r in rows if r["participant"].startswith("Okafor"))
    assert (ben["group_minutes"], ben["unexcused_absences"]) == ("0", "1")
    assert not any(r["participant"].startswith("Ruiz") for r in rows)   # discharged before


def test_a_missed_check_out_is_flagged_once_the_day_is_over(services, actors, program, wall):
    wall.set(9, 0, day=TODAY + timedelta(days=1))
    rows = _csv(services.documents.hours_report(actors["clinician"], TODAY, format="csv"))
    cara = next(r for r in rows if r["participant"].startswith("Lindqvist"))
    assert cara["flags"] == f"no check-out {TODAY.isoformat()}"


def test_the_hours_report_of_one_track_as_pdf(services, actors, program, session_factory):
    pdf = services.documents.hours_report(actors["clinician"], TODAY, program.teen)
    text = _text(pdf)
    assert "Weekly Attendance and Hours" in text and "Adolescent IOP" in text
    assert "Lindqvist" in text and "Nguyễn" not in text
    [event] = _events(session_factory, "document.generate")
    assert (event.entity, event.entity_id, event.participant_id) == (
        "program_tracks", program.teen, None)
    assert {k: event.detail[k] for k in ("document", "week", "format", "participants")} == {
        "document": "hours_report", "week": "2026-11-16", "format": "pdf", "participants": 1}


def test_last_weeks_report_is_over(services, actors, program):
    rows = _csv(services.documents.hours_report(actors["clinician"], LAST_WEEK + timedelta(
        days=4), program.adult, format="csv"))
    assert {r["status"] for r in rows} == {"not met"}          # nobody attended last week
    assert rows[0]["week_first"] == LAST_WEEK.isoformat()


def test_a_bad_format_or_unknown_track_is_refused_and_nothing_recorded(
        services, actors, program, session_factory):
    with pytest.raises(ValidationError) as refused:
        services.documents.hours_report(actors["clinician"], TODAY, format="xlsx")
    assert "pdf or csv" in refused.value.fields["format"]
    with pytest.raises(NotFound):
        services.documents.hours_report(actors["clinician"], TODAY, 999_999, format="csv")
    assert _events(session_factory, "document.generate") == []


# ---- the attendance history -----------------------------------------------------------------

def test_the_attendance_history_shows_the_weeks_and_a_correction_with_its_reason(
        services, actors, program, session_factory, wall):
    wall.set(10, 0, day=TODAY + timedelta(days=1))
    lan = next(v for v in services.attendance.day(actors["clinician"], TODAY).rows
               if v.participant_id == program.people["lan"]).at(program.meeting())
    services.attendance.correct(actors["clinician"], lan.id, lan.version, local(9, 5),
                                local(12, 0), "Per the paper sign-in sheet")
    text = _text(services.documents.attendance_history(actors["clinician"],
                                                       program.people["lan"]))
    assert "Attendance History" in text and "Nguyễn" in text
    assert "Per the paper sign-in sheet" in text and "09:15 → 09:05" in text
    assert "Week of" in text and "Recovery skills" in text
    [event] = _events(session_factory, "document.generate")
    assert (event.participant_id, event.entity, event.detail["document"],
            event.detail["weeks"]) == (program.people["lan"], "participants",
                                       "attendance_history", 3)


def test_the_history_of_an_unknown_participant_is_not_found(services, actors, session_factory):
    with pytest.raises(NotFound):
        services.documents.attendance_history(actors["clinician"], 999_999)
    assert _events(session_factory, "document.generate") == []


# ---- permissions and exports ----------------------------------------------------------------

@pytest.mark.parametrize("who", ["front_desk", "clinician", "supervisor", "admin"])
def test_every_role_prints_the_attendance_documents(services, actors, program, who):
    actor = actors[who]
    assert services.documents.sign_in_sheet(actor, program.meeting()).startswith(b"%PDF")
    assert services.documents.hours_report(actor, TODAY, format="csv").startswith(b"partic")
    assert services.documents.attendance_history(actor, program.people["ben"]).startswith(
        b"%PDF")


def test_an_account_without_a_role_is_refused_each_and_the_refusals_audited(
        services, program, session_factory, issuer):
    nobody = make_actor(issuer, session_factory, "nobody")
    for call in (lambda: services.documents.sign_in_sheet(nobody, program.meeting()),
                 lambda: services.documents.hours_report(nobody, TODAY),
                 lambda: services.documents.attendance_history(nobody, program.people["lan"])):
        with pytest.raises(PermissionDenied):
            call()
    refusals = _events(session_factory, "document.generate")
    assert [(e.outcome, e.username) for e in refusals] == [(AuditOutcome.REFUSED, "nobody")] * 3


def test_a_group_document_is_exported_with_no_participant(services, actors, program,
                                                          session_factory):
    desk = actors["front_desk"]
    services.documents.record_export(desk, "sign_in_sheet", None, "/tmp/sheet.pdf")
    [event] = _events(session_factory, "document.export")
    assert (event.participant_id, event.detail["document"], event.detail["to"]) == (
        None, "sign_in_sheet", "/tmp/sheet.pdf")
    with pytest.raises(ValidationError) as refused:
        services.documents.record_export(desk, "attendance_history", None, "/tmp/h.pdf")
    assert "participant_id" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        services.documents.record_export(desk, "payroll", None, "/tmp/h.pdf")
    assert "kind" in refused.value.fields
    assert len(_events(session_factory, "document.export")) == 1
