"""The sign-in sheet: names as the practice shows them, the meeting, times, blank lines for
walk-ins, pages for a long list; and the sign-in name style itself."""

from __future__ import annotations

import unicodedata
from datetime import date, time

import pytest

from document_samples import LETTERHEAD, PRACTICE, PRINTED, pages, text
from iopdesk.domain.attendance_documents import SignInLine, SignInSheet, sign_in_name
from iopdesk.domain.documents import PART2_NOTICE_SHORT
from iopdesk.reports.sign_in_sheet import render_sign_in_sheet

HEADER_ROW = "# Name Chart Time in Signature in Time out Signature out"
PEOPLE = (("Lan Thị", "Nguyễn", "1042"), ("Seán", "O'Brien", "1043"),
          ("Łucja", "Żółkiewska", "1044"))


def sheet(style: str = "full", people=PEOPLE, **changes) -> SignInSheet:
    lines = tuple(SignInLine(sign_in_name(first, last, style), chart)
                  for first, last, chart in people)
    values = dict(letterhead=LETTERHEAD, track_name="Adult SUD IOP",
                  meeting_date=date(2026, 11, 16), start=time(9), end=time(12),
                  title="Relapse prevention", printed_at=PRINTED,
                  topic="Coping with cravings", facilitator="Dana Whitfield, LCSW",
                  lines=lines, printed_by="Rosa Delgado")
    values.update(changes)
    return SignInSheet(**values)


def squeezed(value: str) -> str:
    return "".join(value.split())


@pytest.mark.parametrize(("first", "last", "style", "shown"), [
    ("Lan", "Nguyễn", "full", "Lan Nguyễn"),
    ("Lan", "Nguyễn", "first_initial", "Lan N."),
    ("Seán", "O'Brien", "first_initial", "Seán O."),
    ("Ana", "de la Cruz", "first_initial", "Ana D."),
    ("Łucja", "żółkiewska", "first_initial", "Łucja Ż."),
    ("  Mary   Jo ", "  Smith ", "full", "Mary Jo Smith"),
    ("Cher", "", "first_initial", "Cher"),
    ("", "Okafor", "full", "Okafor"),
    ("Omar", "'Abd al-Rahman", "first_initial", "Omar A."),
])
def test_sign_in_names_in_the_practice_s_style(first, last, style, shown):
    assert sign_in_name(first, last, style) == shown


def test_an_initial_keeps_its_accent_whatever_the_normalization():
    decomposed = unicodedata.normalize("NFD", "Ễn")
    assert sign_in_name("Lan", decomposed, "first_initial") == "Lan Ễ."


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="sign-in name style"):
        sign_in_name("Lan", "Nguyễn", "last_only")


def test_the_sheet_names_the_meeting_and_its_participants():
    printed = pages(render_sign_in_sheet(sheet()))
    assert len(printed) == 1
    page = printed[0]
    for expected in (PRACTICE, "Group Sign-In Sheet", "Adult SUD IOP — Relapse prevention",
                     "Monday 11/16/2026, 9:00 AM – 12:00 PM", "Monday, November 16, 2026",
                     "Topic: Coping with cravings", "Facilitator: Dana Whitfield, LCSW",
                     HEADER_ROW, "1 Lan Thị Nguyễn 1042", "2 Seán O'Brien 1043",
                     "3 Łucja Żółkiewska 1044", "Page 1 of 1",
                     "Confidential — contains protected health information",
                     "Printed 11/16/2026 2:03 PM by Rosa Delgado",
                     "I attest that the participants who signed above attended"):
        assert expected in page, expected
    assert "42 CFR" not in page


def test_first_name_and_last_initial_hide_the_last_names():
    page = text(render_sign_in_sheet(sheet("first_initial")))
    assert "1 Lan Thị N. 1042" in page and "2 Seán O. 1043" in page
    assert "3 Łucja Ż. 1044" in page
    for last in ("Nguyễn", "O'Brien", "Żółkiewska"):
        assert last not in page


def test_recorded_times_and_statuses_are_printed_in():
    lines = (SignInLine("Lan Thị Nguyễn", "1042", time(9, 4), time(12, 1)),
             SignInLine("Seán O'Brien", "1043", time(9, 22), None, "late"),
             SignInLine("Łucja Żółkiewska", "1044", None, None, "absent (excused)"),
             SignInLine("Ana de la Cruz", "2001", time(13, 0), None, "walk-in"))
    page = text(render_sign_in_sheet(sheet(lines=lines)))
    assert "1 Lan Thị Nguyễn 1042 9:04 AM 12:01 PM" in page
    assert "2 Seán O'Brien late 1043 9:22 AM" in page
    assert "3 Łucja Żółkiewska absent (excused) 1044" in page
    assert "4 Ana de la Cruz walk-in 2001 1:00 PM" in page


def test_blank_lines_for_walk_ins_follow_the_names():
    people = tuple((f"Person{n}", "Example", f"2{n:03}") for n in range(20))
    page = text(render_sign_in_sheet(sheet(people=people)))
    assert "20 Person19 Example 2019 21 22 23 24 I attest" in page
    assert " 25 " not in page.split("2019", 1)[1]


def test_an_empty_meeting_gives_a_sheet_of_blank_lines():
    page = text(render_sign_in_sheet(sheet(people=())))
    numbers = " ".join(str(n) for n in range(1, 15))
    assert f"{HEADER_ROW} {numbers} I attest" in page


def test_a_long_list_flows_onto_pages_that_repeat_the_meeting_and_the_header():
    people = tuple((f"Person{n}", f"Example{n}", f"2{n:03}") for n in range(40))
    printed = pages(render_sign_in_sheet(sheet(people=people)))
    assert len(printed) >= 2
    for number, page in enumerate(printed, start=1):
        assert f"Page {number} of {len(printed)}" in page
        assert "Adult SUD IOP — Relapse prevention" in page
        assert "Monday 11/16/2026, 9:00 AM – 12:00 PM" in page
    assert all(HEADER_ROW in page for page in printed[:2])
    joined = " ".join(printed)
    assert all(joined.count(f"Person{n} Example{n} 2{n:03}") == 1 for n in range(40))
    assert "44 I attest" in joined


def test_long_and_unusual_names_are_printed_whole():
    long_last = "Wolfeschlegelsteinhausenbergerdorff-Vanderbilt y Montenegro de Castilla"
    people = (("Maximiliana-Josefina Alexandrina", long_last, "1045"),
              ("O'Brien & <Sons>", "D'Arcy", "1046"), ("Zoë", "Ångström-Ørsted", "1047"))
    page = text(render_sign_in_sheet(sheet(people=people)))
    assert squeezed(f"Maximiliana-Josefina Alexandrina {long_last}") in squeezed(page)
    assert "O'Brien & <Sons> D'Arcy" in page
    assert "Zoë Ångström-Ørsted" in page


def test_the_part2_notice_is_printed_when_the_sheet_carries_it():
    page = text(render_sign_in_sheet(sheet(part2_notice=PART2_NOTICE_SHORT)))
    assert "Notice to the recipient of this information (42 CFR § 2.32)" in page
    assert PART2_NOTICE_SHORT in page


def test_a_sheet_without_topic_or_facilitator_leaves_them_out():
    page = text(render_sign_in_sheet(sheet(topic="", facilitator="")))
    assert "Topic:" not in page and "Facilitator:" not in page
    assert "Facilitator Signature Date" in page
