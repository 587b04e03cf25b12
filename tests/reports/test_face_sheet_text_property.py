"""Text that cannot mislead, end to end: whatever the registration form accepts prints on the
face sheet with visible characters only, and whatever it refuses is refused naming the
character — over the whole of Unicode (generated), and through the services."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from document_samples import face_sheet
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from iopdesk.db.models import Contact, Participant
from iopdesk.domain.chart import ContactInput
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.validation import ParticipantInput, check_participant
from iopdesk.reports.fonts import BOLD, REGULAR, has_glyph
from iopdesk.reports.face_sheet import render_face_sheet
from iopdesk.services.documents import header, legal_name

TODAY = date(2026, 11, 16)
LAN = ParticipantInput(first_name="Lan", last_name="Nguyễn", date_of_birth=date(1988, 3, 14),
                       chart_number="1042")
NAME_FIELDS = ("first_name", "middle_name", "last_name", "preferred_name")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
JOINERS = set("\u200c\u200d")
MIRRORED = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))   # as bidi.py draws them
# What the PDF's text said for a character the font lacks before fonts.py mapped it to U+FFFD.
NOTDEF = "\x00"
REPLACEMENT = "\ufffd"      # what it says now

# Every code point Python can encode (surrogates cannot reach a PDF), and name-like text:
# letters, marks, symbols, spaces and format characters of every script mixed.
ANY = st.characters(exclude_categories=("Cs",))
NAME_LIKE = st.characters(categories=("L", "M", "P", "S", "Zs", "Cf"))
NAMES = st.one_of(st.text(ANY, min_size=1, max_size=14),
                  st.text(NAME_LIKE, min_size=1, max_size=14),
                  st.sampled_from(["Nguyễn", "محمد", "דוד כהן", "王小明", "देवनागरी",
                                   "Zoë 🌻", "نامه\u200cها", "O'Brien-Smith"]))


def raw_text(pdf: bytes) -> str:
    """The text of every page as pypdf extracts it (white space not folded: folding with
    str.split would hide some control characters)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def sheet_for(data: ParticipantInput):
    """The face sheet's read model as the document service composes it from a participant."""
    sample = face_sheet()
    return replace(sample, frame=replace(sample.frame, header=header(data)),
                   legal_name=legal_name(data), preferred_name=data.preferred_name)


def misleading(text: str) -> list[str]:
    """The characters of extracted text a reader cannot see or that reorder what is shown."""
    found = []
    for i, c in enumerate(text):
        category = unicodedata.category(c)
        if c == "\n" or c == REPLACEMENT:
            continue
        if c in JOINERS and 0 < i < len(text) - 1 and not text[i - 1].isspace() \
                and not text[i + 1].isspace():
            continue
        if category in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp") or c in BIDI_CONTROLS:
            found.append(f"U+{ord(c):04X}")
    return found


def assert_names_its_character(message: str, value: str) -> None:
    match = re.search(r"\(U\+([0-9A-F]{4,6})\b[^)]*?(?: at |\) at )position (\d+)", message)
    assert match, message
    assert value[int(match[2]) - 1] == chr(int(match[1], 16)), message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=NAMES, middle=NAMES, last=NAMES, preferred=NAMES)
def test_an_accepted_name_prints_with_visible_characters_only(first, middle, last, preferred):
    typed = replace(LAN, first_name=first, middle_name=middle, last_name=last,
                    preferred_name=preferred)
    try:
        checked = check_participant(typed, TODAY)
    except ValidationError as refused:
        event("refused")
        for field in NAME_FIELDS:
            message = refused.fields.get(field, "")
            if "U+" in message:
                assert_names_its_character(message, getattr(typed, field))
        return
    event("accepted and printed")
    printed = raw_text(render_face_sheet(sheet_for(checked)))
    assert misleading(printed) == []
    names = "".join(getattr(checked, field) for field in NAME_FIELDS)
    assert NOTDEF not in printed
    if REPLACEMENT in printed:  # only ever a stand-in for a character the font lacks
        assert any(not has_glyph(c, font) for c in names for font in (REGULAR, BOLD))
    for c in names:
        if not c.isspace() and c not in JOINERS and has_glyph(c):
            assert c in printed or MIRRORED.get(c, c) in printed, f"U+{ord(c):04X}"


@pytest.mark.parametrize("name", ["Nguyễn", "Wiśniewski", "Østergaard", "Zoë", "José María",
                                  "O'Brien-Smith", "Łucja Żółkiewska", "Zoë 😀"])
def test_welcome_names_print_exactly_as_typed(name):
    checked = check_participant(replace(LAN, first_name=name, last_name=name), TODAY)
    printed = raw_text(render_face_sheet(sheet_for(checked)))
    assert f"{name} {name}" in printed and misleading(printed) == []


@pytest.mark.parametrize("name", ["محمد", "דוד כהן", "נַעֲמִי"])
def test_right_to_left_names_print_every_letter(name):
    checked = check_participant(replace(LAN, last_name=name), TODAY)
    printed = raw_text(render_face_sheet(sheet_for(checked)))
    assert misleading(printed) == []
    assert all(c in printed for c in name if not c.isspace())


@settings(max_examples=400, deadline=None)
@given(st.text(ANY, max_size=20))
def test_a_refused_name_is_refused_naming_the_character(text):
    """The fast half of the property, without a PDF: the validator alone."""
    try:
        check_participant(replace(LAN, last_name=text), TODAY)
    except ValidationError as refused:
        message = refused.fields.get("last_name", "")
        if "U+" in message:
            assert_names_its_character(message, text)
        else:   # the other refusals: nothing typed, digits, too long
            assert any(w in message for w in ("is required", "digits", "longer than")), message


# ---- through the services ----------------------------------------------------------------------

def _count(session_factory, model) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2067", "\u2066"])
def test_registering_a_last_name_with_a_direction_control_is_refused_and_saves_nothing(
        services, actors, session_factory, control):
    with pytest.raises(ValidationError) as refused:
        services.participants.register(
            actors["front_desk"], replace(LAN, chart_number="", last_name=f"Ngu{control}yen"))
    message = refused.value.fields["last_name"]
    assert f"(U+{ord(control):04X} {unicodedata.name(control)}) at position 4" in message
    assert _count(session_factory, Participant) == 0


def test_registering_with_a_contact_names_the_contact_s_field(services, actors,
                                                              session_factory):
    with pytest.raises(ValidationError) as refused:
        services.participants.register_with(
            actors["front_desk"], replace(LAN, chart_number=""),
            emergency_contact=ContactInput(name="Hoa\x1b[8m Nguyễn", phone="555 201 7788"))
    assert "(U+001B ESCAPE) at position 4" in refused.value.fields["emergency_contact.name"]
    assert _count(session_factory, Participant) == _count(session_factory, Contact) == 0


def test_a_right_to_left_name_registers_and_prints_plainly(services, actors):
    person = services.participants.register(
        actors["front_desk"], replace(LAN, chart_number="", first_name="דוד",
                                      last_name="כהן", city="Millbrook", state="or"))
    assert (person.first_name, person.last_name, person.state) == ("דוד", "כהן", "OR")
    printed = raw_text(services.documents.face_sheet(actors["front_desk"], person.id))
    assert misleading(printed) == [] and all(c in printed for c in "דודכהן")


def test_a_character_the_font_lacks_is_no_control_character_in_the_pdf_text():
    printed = raw_text(render_face_sheet(face_sheet(legal_name="王小明 Lee")))
    assert NOTDEF not in printed and "\ufffd" in printed
