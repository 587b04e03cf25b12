"""The sections of the Today area (`iopdesk.ui.areas.today`): the front desk's meetings of the
day, a clinician's participants at risk of missing their hours and authorizations running out,
the caseload, and the parts every section is built from."""
