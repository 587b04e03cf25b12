"""PDF documents: pure functions from read models (iopdesk.domain) to PDF bytes (ReportLab).

No session, no services, no Qt here. The first documents arrive with the printing issue.
"""
