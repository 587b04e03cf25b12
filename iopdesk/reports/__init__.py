"""PDF documents: pure functions from read models (iopdesk.domain.documents) to PDF bytes.

No session, no services, no Qt here. layout.py draws the page around every document
(letterhead, the participant on every page, "Page X of Y", the confidentiality footer,
watermarks, the 42 CFR Part 2 notice); styles.py and fonts.py hold the type and the bundled
Unicode font; one module per document (face_sheet.py, consent_form.py,
intake_assessment.py).
"""
