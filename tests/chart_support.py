"""Inputs for the chart's front-desk sections that tests share (tests/ is on sys.path)."""

from datetime import date

from iopdesk.domain.chart import ConsentInput, ContactInput, CoverageInput

CONTACT = ContactInput(name="Rosa Peña", relationship="Sister", phone="555-201-0000",
                       is_emergency=True, may_contact=True)
CONSENT = ConsentInput(recipient_name="Dr. Helen Achebe", purpose="Coordination of care",
                       information_scope="Diagnoses and the discharge summary",
                       effective_date=date(2026, 11, 1), expiry_date=date(2027, 11, 1))
COVERAGE = CoverageInput(payer_name="Cascade Health Plan", member_number="CHP123456789",
                         group_number="GRP-4410", effective_date=date(2025, 1, 1))
