"""The consent to release information, prefilled from the consent on record."""

from __future__ import annotations

from datetime import date

import pytest

from document_samples import PRACTICE, consent_form, frame, pages, text
from iopdesk.domain.documents import PART2_NOTICE_FULL, PART2_NOTICE_SHORT, ConsentState
from iopdesk.reports.consent_form import render_consent_form

TITLE = "Consent to Release Information"


def test_the_form_is_prefilled_with_the_consent_and_has_signature_lines():
    printed = text(render_consent_form(consent_form()))
    for expected in (TITLE, "Consent no. 12", "42 CFR Part 2 and HIPAA",
                     f"I, Lan Thị Nguyễn, born 03/14/1988, authorize {PRACTICE} to disclose",
                     "Dr. Helen Achebe, Millbrook Family Medicine", "410 Main Street",
                     "Information to be disclosed (kind and amount) Dates of attendance only",
                     "Purpose of the disclosure Coordination of care",
                     "takes effect on 10/04/2026 and expires on 10/04/2027",
                     "I may revoke this consent at any time",
                     "Signature of participant", "Guardian or representative",
                     "Witness (program staff)", "Chart 1042"):
        assert expected in printed, expected
    assert "REVOKED" not in printed and "EXPIRED" not in printed and "DRAFT" not in printed


@pytest.mark.parametrize("notice", [PART2_NOTICE_SHORT, PART2_NOTICE_FULL])
def test_a_part2_consent_carries_the_notice_word_for_word(notice):
    printed = text(render_consent_form(consent_form(
        frame=frame(TITLE, part2_notice=notice))))
    assert " ".join(notice.split()) in printed


def test_a_hipaa_only_consent_says_so_and_has_no_part2_notice():
    printed = text(render_consent_form(consent_form(is_part2=False)))
    assert "HIPAA (45 CFR 164.508)" in printed
    assert "42 CFR" not in printed
    assert "may then no longer be protected" in printed


def test_a_revoked_consent_prints_marked_revoked_on_every_page():
    form = consent_form(frame=frame(TITLE, watermark="REVOKED"), state=ConsentState.REVOKED,
                        revoked_on=date(2026, 10, 24), signed_on=date(2026, 10, 4),
                        signed_by="Lan Thị Nguyễn",
                        revocation_note="Revoked in writing by the participant.",
                        information_scope="Attendance. " * 600)
    printed = pages(render_consent_form(form))
    assert len(printed) >= 2
    assert all("REVOKED" in page for page in printed)
    joined = " ".join(printed)
    assert ("REVOKED — this consent was revoked on 10/24/2026. It does not authorize any "
            "disclosure") in joined
    assert "Revoked on 10/24/2026. Revoked in writing by the participant." in joined


def test_an_expired_consent_prints_marked_expired():
    form = consent_form(frame=frame(TITLE, watermark="EXPIRED"), state=ConsentState.EXPIRED,
                        expiry_date=date(2026, 11, 1))
    printed = text(render_consent_form(form))
    assert "EXPIRED — this consent expired on 11/01/2026" in printed


def test_a_consent_not_yet_in_effect_says_so():
    form = consent_form(state=ConsentState.NOT_YET_EFFECTIVE, effective_date=date(2027, 1, 1))
    assert "Not yet in effect — this consent takes effect on 01/01/2027" in text(
        render_consent_form(form))


@pytest.mark.parametrize(("expiry", "event", "expected"), [
    (date(2027, 1, 31), "discharge", "expires on 01/31/2027 or upon discharge, whichever comes"),
    (None, "discharge from the program", "expires upon discharge from the program."),
    (None, "", "It expires on (date, event or condition — required): ____"),
])
def test_the_expiry_is_a_date_an_event_or_a_line_to_fill_in(expiry, event, expected):
    printed = text(render_consent_form(consent_form(expiry_date=expiry, expiry_event=event)))
    assert expected in printed


def test_a_recorded_signature_is_printed_in():
    printed = text(render_consent_form(consent_form(signed_on=date(2026, 10, 4),
                                                    signed_by="Mai Nguyễn (mother)")))
    assert ("Signed on 10/04/2026 by Mai Nguyễn (mother); the signed original is kept in the "
            "participant's chart.") in printed


def test_10000_character_scope_and_purpose_split_across_pages_and_signatures_stay_whole():
    sentence = "Dates of attendance and progress summaries. "
    scope = (sentence * 250)[:10_000]
    purpose = "ب" * 10_000       # one 10 000-letter "word" in a right-to-left script
    printed = pages(render_consent_form(consent_form(information_scope=scope, purpose=purpose)))
    assert len(printed) >= 4
    joined = " ".join(printed)
    assert joined.count("summaries.") == 10_000 // len(sentence)
    assert joined.count("ب") == 10_000
    signing = [page for page in printed if "Signature of participant" in page]
    assert len(signing) == 1 and "Witness (program staff)" in signing[0]
    assert all("Nguyễn, Thị Lan" in page for page in printed)
