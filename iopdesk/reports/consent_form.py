"""A consent to release information, prefilled from the consent on record: the elements of
42 CFR § 2.31 (who discloses, what and how much, to whom, why, until when, the right to revoke),
then signature lines that never split across pages.

A consent that is revoked or has expired prints as what it is: a red banner on the first page
and REVOKED or EXPIRED across every page, so the paper can never pass for a consent in force.
A recorded signature (who signed, when) is printed in; the lines stay, as on the original.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from iopdesk.domain.documents import ConsentForm, ConsentState
from iopdesk.reports import styles
from iopdesk.reports.fonts import REGULAR, register_fonts
from iopdesk.reports.layout import CONTENT_WIDTH, build_pdf
from iopdesk.reports.styles import BODY, BULLET, SMALL, day, esc, gap, section, title

W = CONTENT_WIDTH


def render_consent_form(form: ConsentForm) -> bytes:
    return build_pdf(form.frame, consent_form_story(form))


def consent_form_story(form: ConsentForm) -> list[Flowable]:
    register_fonts()
    law = ("42 CFR Part 2 and HIPAA (45 CFR 164.508)" if form.is_part2
           else "HIPAA (45 CFR 164.508)")
    story: list[Flowable] = [*title(form.frame.title or "Consent to Release Information",
                                    f"Consent no. {form.consent_id} · {esc(law)}")]
    banner = _banner(form)
    if banner is not None:
        story.append(banner)
    recipient = f"<b>{esc(form.recipient_name)}</b>"
    if form.recipient_address.strip():
        recipient += f"<br/>{esc(form.recipient_address)}"
    story += [
        Paragraph(f"I, <b>{esc(form.participant_name)}</b>, born "
                  f"{day(form.date_of_birth)}, authorize <b>{esc(form.who_may_disclose)}</b> "
                  "to disclose the information described below to the recipient named below, "
                  "for the purpose stated.", BODY),
        *section("Recipient", Paragraph(recipient, BODY)),
        *section("Information to be disclosed (kind and amount)",
                 Paragraph(esc(form.information_scope), BODY)),
        *section("Purpose of the disclosure", Paragraph(esc(form.purpose), BODY)),
        *section("Effective date and expiry", Paragraph(_term(form), BODY)),
        *section("I understand that",
                 *[Paragraph(text, BULLET, bulletText="•") for text in _rights(form)]),
        gap(),
        *_signatures(form),
    ]
    if form.state is ConsentState.REVOKED:
        note = f" {esc(form.revocation_note)}" if form.revocation_note else ""
        story += section("Revocation",
                         Paragraph(f"Revoked on <b>{day(form.revoked_on)}</b>.{note}", BODY))
    return story


def _banner(form: ConsentForm) -> Flowable | None:
    if form.state is ConsentState.REVOKED:
        text = (f"REVOKED — this consent was revoked on {day(form.revoked_on)}. It does not "
                "authorize any disclosure; this copy is a record only.")
    elif form.state is ConsentState.EXPIRED:
        text = (f"EXPIRED — this consent expired on {day(form.expiry_date)}. It does not "
                "authorize any disclosure; this copy is a record only.")
    elif form.state is ConsentState.NOT_YET_EFFECTIVE:
        text = (f"Not yet in effect — this consent takes effect on {day(form.effective_date)}; "
                "nothing may be disclosed under it before then.")
    else:
        return None
    box = Table([[Paragraph(f"<b>{esc(text)}</b>", styles.ALERT_TEXT)]], colWidths=[W])
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("BOX", (0, 0), (-1, -1), 1.2, styles.ALERT),
        ("BACKGROUND", (0, 0), (-1, -1), styles.ALERT_SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return KeepTogether([box, gap()])


def _term(form: ConsentForm) -> str:
    start = f"This consent takes effect on <b>{day(form.effective_date)}</b>"
    if form.expiry_date and form.expiry_event:
        end = (f" and expires on <b>{day(form.expiry_date)}</b> or upon "
               f"<b>{esc(form.expiry_event)}</b>, whichever comes first.")
    elif form.expiry_date:
        end = f" and expires on <b>{day(form.expiry_date)}</b>."
    elif form.expiry_event:
        end = f" and expires upon <b>{esc(form.expiry_event)}</b>."
    else:
        end = (". It expires on (date, event or condition — required): "
               "______________________________________")
    return start + end


def _rights(form: ConsentForm) -> list[str]:
    discloser = esc(form.who_may_disclose)
    rights = [
        f"I may revoke this consent at any time by telling {discloser}, except to the extent "
        "that action has already been taken in reliance on it.",
        "My treatment, payment, enrollment or eligibility for benefits will not be "
        "conditioned on whether I sign this consent.",
    ]
    if form.is_part2:
        rights += [
            "My substance use disorder records are protected by federal law (42 CFR Part 2) "
            "and by HIPAA (45 CFR Parts 160 and 164), and cannot be disclosed without my "
            "written consent unless those regulations allow it.",
            "Each disclosure made under this consent is accompanied by the notice required by "
            "42 CFR § 2.32, which limits what the recipient may do with the information.",
        ]
    else:
        rights.append("Information disclosed under this consent may be redisclosed by the "
                      "recipient and may then no longer be protected by federal privacy rules.")
    rights.append("I am entitled to a copy of this consent.")
    return rights


def _signatures(form: ConsentForm) -> list[Flowable]:
    """Signature lines in one block that never splits; a recorded signature's name and date
    are printed in above the lines."""
    signed = form.signed_on is not None
    signer = form.signed_by if signed and form.signed_by else form.participant_name
    when = day(form.signed_on) if signed else ""
    rows = [
        ("Signature of participant", "", when),
        ("Printed name", esc(signer), ""),
        ("Guardian or representative (if needed)", "", ""),
        ("Their printed name and relationship", "", ""),
        ("Witness (program staff)", "", ""),
    ]
    data = [[Paragraph(esc(label), SMALL), Paragraph(value, SMALL),
             Paragraph("Date" if i != 1 and i != 3 else "", SMALL), Paragraph(date_, SMALL)]
            for i, (label, value, date_) in enumerate(rows)]
    table = Table(data, colWidths=[W * 0.36, W * 0.39, W * 0.07, W * 0.18])
    dated = [i for i in range(len(rows)) if i not in (1, 3)]
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 9), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, styles.INK),
        *[("LINEBELOW", (3, i), (3, i), 0.6, styles.INK) for i in dated]]))
    parts: list[Flowable] = [table]
    if signed:
        parts.insert(0, Paragraph(
            f"Signed on <b>{when}</b>" + (f" by <b>{esc(form.signed_by)}</b>"
                                         if form.signed_by else "")
            + "; the signed original is kept in the participant's chart.", SMALL))
    return section("Signatures", *parts)
