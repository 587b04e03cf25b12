"""Corrections of attendance times: always with a reason, versioned, kept in the history with
before and after; the front desk on the meeting's day only (a later try is refused and
audited), clinicians after it; times on the meeting's day, out after in, not overlapping."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from attendance_support import ad_hoc_meeting, local
from attendance_support import (  # noqa: F401 - the fixtures wall, services and program
    program_fixture, services_fixture, wall_fixture)
from sqlalchemy import select
from support import TODAY

from iopdesk.db.models import Attendance, AttendanceChange, AuditEvent
from iopdesk.domain.enums import AttendanceStatus, AuditOutcome
from iopdesk.domain.errors import PermissionDenied, StaleVersion, ValidationError

TOMORROW = TODAY + timedelta(days=1)


@pytest.fixture
def lan(services, actors, program, wall):
    """Lan checked in at 09:00 and out at 12:00 this morning."""
    wall.set(9, 0)
    view = services.attendance.check_in(actors["front_desk"], program.people["lan"])
    wall.set(12, 0)
    return services.attendance.check_out(actors["front_desk"], view.id, view.version)


def _row(session_factory, attendance_id: int) -> tuple:
    with session_factory() as s:
        row = s.get(Attendance, attendance_id)
        changes = len(s.scalars(select(AttendanceChange)
                                .where(AttendanceChange.attendance_id == attendance_id)).all())
        return row.check_in_at, row.check_out_at, row.minutes_credited, row.version, changes


def test_the_front_desk_corrects_the_same_day(services, actors, lan, session_factory):
    fixed = services.attendance.correct(actors["front_desk"], lan.id, lan.version,
                                        local(9, 20), local(11, 0), "Signed in late on paper")
    assert (fixed.status, fixed.minutes, fixed.late, fixed.left_early, fixed.version) == (
        AttendanceStatus.LATE, 100, True, True, lan.version + 1)
    assert _row(session_factory, lan.id)[2] == 100          # minutes kept up to date
    last = services.attendance.history(actors["front_desk"], lan.id)[-1]
    assert (last.action, last.reason, last.in_before, last.in_after, last.out_before,
            last.out_after) == ("corrected", "Signed in late on paper", local(9), local(9, 20),
                                local(12), local(11))
    with session_factory() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.correct"))
    assert event.participant_id == lan.participant_id
    assert event.detail["reason"] == "Signed in late on paper"


@pytest.mark.parametrize("time_in, time_out, reason, field, words", [
    (local(9, 20), local(11), "", "reason", "needs a reason"),
    (local(9, 20), local(11), "  ", "reason", "needs a reason"),
    (None, local(11), "Typo", "time_in", "required"),
    (local(9, 0, TOMORROW), None, "Typo", "time_in", "not on the meeting's day"),
    (local(9, 0), local(0, 30, TOMORROW), "Typo", "time_out", "not on the meeting's day"),
    (local(10, 0), local(9, 30), "Typo", "time_out", "must be after time in 10:00"),
    (local(10, 0), local(10, 0), "Typo", "time_out", "must be after time in"),
])
def test_bad_corrections_are_refused_and_nothing_changes(
        services, actors, lan, session_factory, time_in, time_out, reason, field, words):
    before = _row(session_factory, lan.id)
    with pytest.raises(ValidationError) as refused:
        services.attendance.correct(actors["front_desk"], lan.id, lan.version, time_in,
                                    time_out, reason)
    assert words in refused.value.fields[field]
    assert _row(session_factory, lan.id) == before


def test_overlapping_corrections_are_refused(services, actors, program, lan, session_factory,
                                             wall):
    extra_id = ad_hoc_meeting(session_factory, program.adult, time(13), time(15),
                              "Relapse prevention")
    wall.set(13, 0)
    second = services.attendance.check_in(actors["front_desk"], program.people["lan"])
    assert second.meeting_id == extra_id
    before = _row(session_factory, second.id)
    with pytest.raises(ValidationError) as refused:
        services.attendance.correct(actors["front_desk"], second.id, second.version,
                                    local(11, 30), None, "Came straight from the morning")
    assert "Overlaps the attendance at Recovery skills (09:00–12:00)" in \
        refused.value.fields["time_in"]
    assert _row(session_factory, second.id) == before
    fixed = services.attendance.correct(actors["front_desk"], second.id, second.version,
                                        local(12, 30), None, "Came straight from the morning")
    assert fixed.time_in == local(12, 30) and fixed.here


def test_a_stale_correction_is_refused(services, actors, lan, session_factory):
    services.attendance.correct(actors["clinician"], lan.id, lan.version, local(9, 5),
                                local(12), "Clock drift")
    before = _row(session_factory, lan.id)
    with pytest.raises(StaleVersion):
        services.attendance.correct(actors["front_desk"], lan.id, lan.version, local(9, 10),
                                    local(12), "Another view")
    assert _row(session_factory, lan.id) == before


def test_the_front_desk_is_refused_after_the_day_and_audited(services, actors, lan,
                                                             session_factory, wall):
    wall.set(9, 0, TOMORROW)
    before = _row(session_factory, lan.id)
    with pytest.raises(PermissionDenied) as refused:
        services.attendance.correct(actors["front_desk"], lan.id, lan.version, local(9, 15),
                                    local(12), "Forgot yesterday")
    assert "after the meeting's day (2026-11-16)" in str(refused.value)
    assert _row(session_factory, lan.id) == before
    with session_factory() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.correct"))
    assert (event.outcome, event.participant_id, event.entity_id, event.user_id) == (
        AuditOutcome.REFUSED, lan.participant_id, lan.id, actors["front_desk"].user_id)
    assert event.detail["needs"] == "correct_attendance"
    # the check-out and undo of the day are the front desk's on that day only, too
    with pytest.raises(ValidationError):
        services.attendance.undo_check_out(actors["front_desk"], lan.id, lan.version)


def test_a_clinician_corrects_after_the_day(services, actors, lan, session_factory, wall):
    wall.set(9, 0, TOMORROW)
    fixed = services.attendance.correct(actors["clinician"], lan.id, lan.version,
                                        local(9, 0), None, "Left without signing out")
    assert (fixed.no_checkout, fixed.minutes, fixed.here) == (True, 180, False)
    wall.set(9, 0, TOMORROW + timedelta(days=30))
    again = services.attendance.correct(actors["admin"], lan.id, fixed.version,
                                        local(9, 0), local(11, 45), "Per the sign-in sheet")
    assert (again.minutes, again.left_early, again.status) == (
        165, True, AttendanceStatus.LEFT_EARLY)
    assert [s.changed_by for s in services.attendance.history(actors["clinician"], lan.id)] \
        == ["Frontdesk", "Frontdesk", "Clinician", "Admin"]


def test_an_absence_corrected_to_times_becomes_attendance(services, actors, program,
                                                          session_factory, wall):
    absent = services.attendance.mark_absent(actors["front_desk"], program.people["ben"],
                                             program.meeting(), False, "No call")
    wall.set(12, 10)
    fixed = services.attendance.correct(actors["front_desk"], absent.id, absent.version,
                                        local(9, 0), local(12, 0), "Was in the back row")
    assert (fixed.status, fixed.minutes, fixed.absence_reason) == (
        AttendanceStatus.PRESENT, 180, "")
