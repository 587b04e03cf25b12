"""The weekly attendance and hours report, as PDF and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from document_samples import LETTERHEAD, PRACTICE, PRINTED, pages, text
from iopdesk.domain.attendance_documents import ALL_TRACKS, HoursReport, HoursRow
from iopdesk.domain.documents import PART2_NOTICE_SHORT
from iopdesk.reports.hours_report import CSV_HEADER, hours_csv, render_hours_report

ROWS = (
    HoursRow("Nguyễn, Thị Lan", "1042", "Adult SUD IOP", 540, 480, 60, 540, "met"),
    HoursRow("O'Brien, Seán", "1043", "Adult SUD IOP", 540, 300, 0, 300, "on track",
             excused=1),
    HoursRow("Żółkiewska, Łucja", "1044", "Adolescent IOP", 360, 110, 0, 110, "at risk",
             unexcused=2, flags=("no check-out",)),
    HoursRow("Okafor, Sam", "1045", "Adult SUD IOP", 405, 170, 45, 215, "not met",
             excused=1, unexcused=1, flags=("no check-out", "walk-in")),
)


def report(**changes) -> HoursReport:
    values = dict(letterhead=LETTERHEAD, week_first=date(2026, 11, 16),
                  week_last=date(2026, 11, 22), printed_at=PRINTED, track_name=ALL_TRACKS,
                  rows=ROWS, printed_by="Rosa Delgado")
    values.update(changes)
    return HoursReport(**values)


def parsed(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_pdf_lists_each_participant_s_hours_against_the_minimum():
    printed = pages(render_hours_report(report()))
    assert len(printed) == 1
    page = printed[0]
    for expected in (PRACTICE, "Weekly Attendance and Hours", "All tracks",
                     "Week of 11/16/2026 – 11/22/2026",
                     "4 participants: 1 met · 1 on track · 1 at risk · 1 not met",
                     "Nguyễn, Thị Lan 1042 9.00 8.00 1.00 9.00 Met 0 / 0",
                     "O'Brien, Seán 1043 9.00 5.00 0.00 5.00 On track 1 / 0",
                     "Żółkiewska, Łucja 1044 6.00 1.83 0.00 1.83 At risk 0 / 2 no check-out",
                     "Okafor, Sam 1045 6.75 2.83 0.75 3.58 Not met 1 / 1 no check-out, walk-in",
                     "Total 17.67 1.75 19.42 2 / 3",
                     "Page 1 of 1", "Printed 11/16/2026 2:03 PM by Rosa Delgado",
                     "Confidential — contains protected health information"):
        assert expected in page, expected


def test_all_tracks_are_grouped_under_a_line_per_track():
    page = text(render_hours_report(report()))
    adult = page.index("Adult SUD IOP Nguyễn")
    adolescent = page.index("Adolescent IOP Żółkiewska")
    assert adult < page.index("Okafor, Sam") < adolescent
    one_track = text(render_hours_report(report(track_name="Adult SUD IOP", rows=ROWS[:2])))
    assert "Adult SUD IOP Nguyễn" not in one_track
    assert "Weekly Attendance and Hours Adult SUD IOP · Week of 11/16/2026" in one_track


def test_the_legend_explains_every_status():
    page = text(render_hours_report(report()))
    for expected in ("Statuses", "Met: the hours credited this week reached the week's minimum",
                     "On track: not met yet; attending the rest of the week's scheduled "
                     "meetings would meet it", "At risk: cannot meet the minimum this week",
                     "Not met: the week ended below the minimum", "Excused absences count"):
        assert expected in page, expected


def test_the_part2_notice_is_printed_when_the_report_carries_it():
    assert "42 CFR" not in text(render_hours_report(report()))
    page = text(render_hours_report(report(part2_notice=PART2_NOTICE_SHORT)))
    assert "Notice to the recipient of this information (42 CFR § 2.32)" in page
    assert PART2_NOTICE_SHORT in page


def test_many_participants_flow_onto_numbered_pages_that_repeat_the_header():
    rows = tuple(HoursRow(f"Example, Person {n}", f"2{n:03}", "Adult SUD IOP", 540, 540, 0,
                          540, "met") for n in range(70))
    printed = pages(render_hours_report(report(track_name="Adult SUD IOP", rows=rows)))
    assert len(printed) >= 2
    for number, page in enumerate(printed, start=1):
        assert f"Page {number} of {len(printed)}" in page
        assert "Week of 11/16/2026 – 11/22/2026 Adult SUD IOP" in page   # the page's line
    assert all("Participant Chart Minimum hours Groups hours" in page for page in printed[:2])
    joined = " ".join(printed)
    assert all(joined.count(f"Example, Person {n} 2{n:03}") == 1 for n in range(70))
    assert "70 participants: 70 met · 0 on track · 0 at risk · 0 not met" in joined
    assert "Total 630.00 0.00 630.00 0 / 0" in joined


def test_an_empty_week_says_so():
    empty = report(rows=())
    page = text(render_hours_report(empty))
    assert "No participants had meetings or sessions this week: nothing to report." in page
    assert "Total" not in page
    assert hours_csv(empty).decode("utf-8").splitlines() == [",".join(CSV_HEADER)]


def test_long_names_are_printed_whole():
    name = ("Wolfeschlegelsteinhausenbergerdorff-Vanderbilt y Montenegro, "
            "Maximiliana-Josefina Alexandrina")
    rows = (HoursRow(name, "1046", "Adult SUD IOP", 540, 0, 0, 0, "at risk"),)
    page = text(render_hours_report(report(rows=rows)))
    assert "".join(name.split()) in "".join(page.split())


def test_the_csv_has_minutes_and_hours_of_each_participant():
    data = hours_csv(report())
    assert data.decode("utf-8").splitlines()[0] == (   # nothing the PDF does not show
        "participant,chart_number,track,week_first,week_last,minimum_minutes,minimum_hours,"
        "group_minutes,group_hours,session_minutes,session_hours,total_minutes,total_hours,"
        "status,excused_absences,unexcused_absences,flags")
    assert data.endswith(b"\r\n") and not data.startswith(b"\xef\xbb\xbf")   # no BOM
    rows = parsed(data)
    assert [r["participant"] for r in rows] == [r.participant_name for r in ROWS]
    lan, sean, lucja, sam = rows
    assert lan == {
        "participant": "Nguyễn, Thị Lan", "chart_number": "1042", "track": "Adult SUD IOP",
        "week_first": "2026-11-16", "week_last": "2026-11-22",
        "minimum_minutes": "540", "minimum_hours": "9.00", "group_minutes": "480",
        "group_hours": "8.00", "session_minutes": "60", "session_hours": "1.00",
        "total_minutes": "540", "total_hours": "9.00", "status": "met",
        "excused_absences": "0", "unexcused_absences": "0", "flags": ""}
    assert (sean["status"], sean["excused_absences"]) == ("on track", "1")
    assert (lucja["group_minutes"], lucja["group_hours"]) == ("110", "1.83")
    assert lucja["flags"] == "no check-out"
    assert (sam["minimum_hours"], sam["total_hours"]) == ("6.75", "3.58")
    assert sam["flags"] == "no check-out; walk-in"


def test_csv_hours_are_rounded_half_up_to_two_decimals():
    rows = tuple(HoursRow(f"P{m}", str(m), "Adult SUD IOP", 540, m, 0, m, "on track")
                 for m in (1, 10, 29, 599))
    assert [r["total_hours"] for r in parsed(hours_csv(report(rows=rows)))] == [
        "0.02", "0.17", "0.48", "9.98"]


def test_csv_text_a_spreadsheet_would_run_as_a_formula_is_neutralized():
    rows = (HoursRow("=HYPERLINK(\"http://x\")", "+1042", "@Adult", 540, 0, 0, 0, "at risk",
                     flags=("-review",)),)
    row = parsed(hours_csv(report(rows=rows)))[0]
    assert row["participant"] == "'=HYPERLINK(\"http://x\")"
    assert (row["chart_number"], row["track"], row["flags"]) == ("'+1042", "'@Adult", "'-review")


def test_csv_keeps_any_script_and_punctuation_exactly():
    rows = (HoursRow("O'Brien & <Sons>, \"Seán\"", "1043", "Adult, SUD; IOP", 540, 60, 0, 60,
                     "on track"),
            HoursRow("Ålund, Søren 😀", "1044", "Adult SUD IOP", 540, 60, 0, 60, "on track"))
    first, second = parsed(hours_csv(report(rows=rows)))
    assert first["participant"] == "O'Brien & <Sons>, \"Seán\""
    assert first["track"] == "Adult, SUD; IOP"
    assert second["participant"] == "Ålund, Søren 😀"
