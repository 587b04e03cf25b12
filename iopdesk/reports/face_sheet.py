"""The face sheet: who the participant is, how to reach them and who pays — no clinical
content, so the front desk may print it."""

from __future__ import annotations

from reportlab.platypus import Flowable

from iopdesk.domain.documents import FaceSheet
from iopdesk.reports.fonts import register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH, build_pdf
from iopdesk.reports.styles import (day, esc, field_grid, list_table, note, section, title,
                                    yes_no)

W = CONTENT_WIDTH
PRIORITY = {1: "Primary", 2: "Secondary", 3: "Tertiary"}


def render_face_sheet(sheet: FaceSheet) -> bytes:
    return build_pdf(sheet.frame, face_sheet_story(sheet))


def face_sheet_story(sheet: FaceSheet) -> list[Flowable]:
    """The content flowables (without the page furniture of layout.py)."""
    register_fonts()
    return [*title(sheet.frame.title or "Face Sheet"), *_person(sheet), *_reach(sheet),
            *_episode(sheet), *_contacts(sheet), *_coverage(sheet), *_consents(sheet)]


def _person(s: FaceSheet) -> list[Flowable]:
    born = f"{day(s.date_of_birth)} (age {s.age})"
    return section("Participant", field_grid([
        [("Legal name", esc(s.legal_name), 2), ("Preferred name", esc(s.preferred_name), 1),
         ("Pronouns", esc(s.pronouns), 1)],
        [("Date of birth", esc(born), 1), ("Sex assigned at birth", esc(s.sex_at_birth), 1),
         ("Gender identity", esc(s.gender_identity), 2)],
    ], W, columns=4))


def _reach(s: FaceSheet) -> list[Flowable]:
    phone = esc(s.phone)
    if s.phone:
        phone += f" — OK to leave a message: <b>{yes_no(s.phone_ok_to_leave_message)}</b>"
    return section("Contact and referral", field_grid([
        [("Phone", phone, 1), ("Alternate phone", esc(s.alt_phone), 1)],
        [("Address", esc("\n".join(s.address_lines)), 1), ("Email", esc(s.email), 1)],
        [("Preferred contact", esc(s.preferred_contact), 1),
         ("Referral source", esc(s.referral_source), 1)],
    ], W, columns=2))


def _episode(s: FaceSheet) -> list[Flowable]:
    e = s.episode
    if e is None:
        return section("Current episode", note("No episode on record."))
    status = e.status.replace("_", " ").capitalize()
    if e.discharge_date:
        status += f" {day(e.discharge_date)}"
    return section("Current episode", field_grid([
        [("Program track", esc(e.track_name), 1), ("Referral date", esc(day(e.referral_date)), 1),
         ("Admission date", esc(day(e.admission_date)), 1), ("Status", esc(status), 1),
         ("Primary clinician", esc(e.primary_clinician), 1)],
    ], W, columns=5))


def _contacts(s: FaceSheet) -> list[Flowable]:
    if not s.contacts:
        return section("Family and emergency contacts", note("None on file."))
    rows = []
    for c in s.contacts:
        roles = ", ".join(r for r, on in (("Guardian", c.is_guardian),
                                          ("Emergency", c.is_emergency)) if on)
        reach = "\n".join(x for x in (c.phone, c.email) if x)
        rows.append([esc(c.name), esc(c.relationship), esc(reach), esc(roles),
                     yes_no(c.may_contact)])
    widths = [W * f for f in (0.27, 0.17, 0.30, 0.14, 0.12)]
    return section("Family and emergency contacts",
                   list_table(("Name", "Relationship", "Phone / email", "Role", "May contact"),
                              rows, widths))


def _subscriber(name: str, relationship: str) -> str:
    """Who holds the policy, and how the participant is related to them (the payer's
    "patient relationship to insured": self, spouse, child, other)."""
    relationship = relationship.strip()
    if relationship.lower() == "self":
        return f"{name} (self)" if name else "The participant (self)"
    if not relationship:
        return name
    return f"{name}\nParticipant is the subscriber's {relationship}"


def _coverage(s: FaceSheet) -> list[Flowable]:
    if not s.coverages:
        return section("Insurance coverage", note("None on file (self-pay)."))
    rows = []
    for c in s.coverages:
        payer = c.payer_name + (f"\nPayer ID {c.payer_id}" if c.payer_id else "")
        subscriber = _subscriber(c.subscriber_name, c.subscriber_relationship)
        rows.append([esc(PRIORITY.get(c.priority, str(c.priority))), esc(payer),
                     esc(c.member_number), esc(c.group_number), esc(subscriber)])
    widths = [W * f for f in (0.12, 0.30, 0.18, 0.14, 0.26)]
    return section("Insurance coverage",
                   list_table(("Priority", "Payer", "Member number", "Group number",
                               "Subscriber"), rows, widths))


def _consents(s: FaceSheet) -> list[Flowable]:
    name = "Consents to release information in force"
    if not s.consents:
        return section(name, note("None in force."))
    rows = []
    for c in s.consents:
        expires = day(c.expiry_date)
        if c.expiry_event:
            expires = f"{expires} or {c.expiry_event}" if expires else c.expiry_event
        rows.append([str(c.id), esc(c.recipient), esc(c.purpose),
                     "Yes" if c.is_part2 else "No", esc(expires)])
    widths = [W * f for f in (0.07, 0.31, 0.35, 0.09, 0.18)]
    return section(name, list_table(("No.", "Recipient", "Purpose", "Part 2", "Expires"),
                                    rows, widths))
