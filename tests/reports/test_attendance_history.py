"""A participant's attendance history: weeks against the minimum, meetings with their times,
credit and status, and corrections with their reasons."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from document_samples import PRACTICE, frame, pages, text
from iopdesk.domain.attendance_documents import (AttendanceHistory, HistoryCorrection,
                                                 HistoryMeeting, HistoryWeek)
from iopdesk.domain.documents import PART2_NOTICE_FULL, PART2_NOTICE_SHORT
from iopdesk.reports.attendance_history import render_attendance_history

MEETINGS_HEADER = "Date Meeting Scheduled In Out Hours Status"
CORRECTION = HistoryCorrection(datetime(2026, 11, 18, 14, 3), "Dana Whitfield, LCSW",
                               "time in 9:20 AM → 9:05 AM",
                               "Arrived on time; the front desk was busy")


def week(first: date = date(2026, 11, 16), **changes) -> HistoryWeek:
    values = dict(
        first_day=first, minimum_minutes=540, total_minutes=415, status="at risk",
        session_minutes=60, track_name="Adult SUD IOP",
        meetings=(
            HistoryMeeting(first, "Relapse prevention", time(9), time(12), "present", 180,
                           time(8, 58), time(12, 1)),
            HistoryMeeting(first + timedelta(days=2), "Coping skills", time(9), time(12),
                           "late", 175, time(9, 5), time(12, 0), corrections=(CORRECTION,)),
            HistoryMeeting(first + timedelta(days=4), "Family dynamics", time(13), time(16),
                           "absent (excused)", 0),
        ))
    values.update(changes)
    return HistoryWeek(**values)


def history(*weeks: HistoryWeek, **changes) -> AttendanceHistory:
    return AttendanceHistory(frame("Attendance History", **changes), tuple(weeks))


def test_the_history_shows_weeks_meetings_and_credit():
    printed = pages(render_attendance_history(history(week())))
    assert len(printed) == 1
    page = printed[0]
    for expected in (
            PRACTICE, "Nguyễn, Thị Lan", "DOB 03/14/1988", "Chart 1042", "Attendance History",
            "1 week, 11/16/2026 – 11/22/2026",
            "Week Track Minimum hours Total hours Meetings attended Status",
            "11/16/2026 – 11/22/2026 Adult SUD IOP 9.00 6.92 2 of 3 At risk",
            "Week of 11/16/2026 – 11/22/2026 · Adult SUD IOP",
            "6.92 hours of a minimum of 9.00 (groups 5.92, individual and family sessions "
            "1.00) — At risk", MEETINGS_HEADER,
            "Mon 11/16 Relapse prevention 9:00 AM – 12:00 PM 8:58 AM 12:01 PM 3.00 Present",
            "Wed 11/18 Coping skills 9:00 AM – 12:00 PM 9:05 AM 12:00 PM 2.92 Late",
            "Fri 11/20 Family dynamics 1:00 PM – 4:00 PM 0.00 Absent (excused)",
            "Page 1 of 1", "Confidential — contains protected health information"):
        assert expected in page, expected


def test_corrections_print_under_their_meeting_with_who_when_and_why():
    page = text(render_attendance_history(history(week())))
    late = page.index("Wed 11/18 Coping skills")
    correction = page.index("Corrected 11/18/2026 2:03 PM by Dana Whitfield, LCSW: "
                            "time in 9:20 AM → 9:05 AM. Reason: Arrived on time; the front "
                            "desk was busy")
    assert late < correction < page.index("Fri 11/20 Family dynamics")


def test_flags_for_review_are_shown_with_the_meeting():
    flagged = HistoryMeeting(date(2026, 11, 16), "Relapse prevention", time(9), time(12),
                             "present", 180, time(8, 58), None, flags=("no check-out",))
    page = text(render_attendance_history(history(week(meetings=(flagged,)))))
    assert "8:58 AM 3.00 Present no check-out" in page


def test_a_week_met_has_no_alert_and_sessions_are_left_out_when_none():
    page = text(render_attendance_history(history(week(status="met", total_minutes=540,
                                                       session_minutes=0))))
    assert "9.00 hours of a minimum of 9.00 — Met" in page
    assert "individual and family sessions" not in page


def test_the_part2_notice_is_carried_as_the_frame_says():
    assert "42 CFR" not in text(render_attendance_history(history(week())))
    page = text(render_attendance_history(history(week(), part2_notice=PART2_NOTICE_SHORT)))
    assert "Notice to the recipient of this information (42 CFR § 2.32)" in page
    assert PART2_NOTICE_SHORT in page
    full = text(render_attendance_history(history(week(), part2_notice=PART2_NOTICE_FULL)))
    assert " ".join(PART2_NOTICE_FULL.split()) in full


def test_no_attendance_and_a_week_without_meetings_say_so():
    assert "No attendance on record: no meetings or sessions yet." in text(
        render_attendance_history(history()))
    page = text(render_attendance_history(history(week(meetings=(), total_minutes=0,
                                                       session_minutes=0, status="not met"))))
    assert "No meetings this week." in page
    assert "0 of 0 Not met" in page


def test_many_weeks_flow_onto_numbered_pages_naming_the_participant():
    weeks = [week(date(2026, 1, 5) + timedelta(weeks=n)) for n in range(30)]
    printed = pages(render_attendance_history(history(*weeks)))
    assert len(printed) >= 4
    for number, page in enumerate(printed, start=1):
        assert f"Page {number} of {len(printed)}" in page
        assert "Nguyễn, Thị Lan" in page and "Chart 1042" in page
    joined = " ".join(printed)
    assert "30 weeks, 01/05/2026 – 08/02/2026" in joined
    assert joined.count("Reason: Arrived on time") == 30
    assert joined.count(MEETINGS_HEADER) >= 30


def test_long_titles_and_reasons_are_printed_whole():
    reason = "The participant was at a court hearing that ran late; letter on file. " * 8
    title = "Dialectical behavior therapy skills: distress tolerance and emotion regulation"
    meeting = HistoryMeeting(date(2026, 11, 16), title, time(9), time(12), "left early", 95,
                             time(9), time(10, 35), corrections=(HistoryCorrection(
                                 datetime(2026, 11, 17, 9, 0), "Søren Ålund", "time out set",
                                 reason),))
    page = text(render_attendance_history(history(week(meetings=(meeting,)))))
    squeezed = "".join(page.split())
    assert "".join(title.split()) in squeezed
    assert "".join(reason.split()) in squeezed
