"""The chart's sections, declared once: what each is called, which service holds its records,
which permission shows it, which record ids its calls take, which kinds of record it shows,
which documents it prints and under which `iopdesk print` sub-command, and which widget is
its tab.

Everything that used to list the sections separately reads this table: `services.chart`
(the tabs a user may open), `context` (whose record an id names, for audited refusals),
`ui.chart.tabs` (the widgets), the chart window (which change sets reload a tab),
`cli.print_command` (its sub-commands) and the permission tests. Adding a section is one
entry here plus its own files; docs/ARCHITECTURE.md gives the steps.

Plain data (names as strings): the domain imports no service, screen or command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from iopdesk.domain.changes import RecordKind


@dataclass(frozen=True)
class PrintCommand:
    """An `iopdesk print NAME` sub-command: the document kind it renders, and what it is."""

    name: str
    document: str
    summary: str
    record_id: str | None = None        # the option naming the record, when not the chart


@dataclass(frozen=True)
class ChartSection:
    key: str                            # the tab's key in ChartSummary.tabs
    title: str
    service: str                        # the attribute of Services holding its calls
    view: str                           # the Permission (its value) that shows the tab
    edit: str                           # the Permission (its value) its changes need
    tab: str                            # "module:Class" of its QWidget
    record_ids: tuple[str, ...] = ()    # the id arguments its calls take (owner look-ups)
    kinds: frozenset[RecordKind] = frozenset()     # change sets of these reload the tab
    prints: tuple[PrintCommand, ...] = field(default=())


_DEMOGRAPHICS = ("view_demographics", "edit_demographics")
_CLINICAL = ("view_clinical", "edit_clinical")

SECTIONS: tuple[ChartSection, ...] = (
    ChartSection(
        "face_sheet", "Face sheet", "participants", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.face_sheet_tab:FaceSheetTab",
        kinds=frozenset({RecordKind.PARTICIPANT}),
        prints=(PrintCommand("face-sheet", "face_sheet", "the participant's face sheet "
                             "(demographics, contacts, coverage, consents in force)"),)),
    ChartSection(
        "contacts", "Contacts and family", "contacts", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.contacts_tab:ContactsTab", record_ids=("contact_id",),
        kinds=frozenset({RecordKind.CONTACT})),
    ChartSection(
        "consents", "Consents", "consents", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.consents_tab:ConsentsTab", record_ids=("consent_id",),
        kinds=frozenset({RecordKind.CONSENT}),
        prints=(PrintCommand("consent", "consent_form", "a consent to release information, "
                             "prefilled from the consent on record", record_id="consent"),)),
    ChartSection(
        "episodes", "Episodes", "episodes", *_CLINICAL,
        "iopdesk.ui.chart.episodes_tab:EpisodesTab", record_ids=("episode_id",),
        kinds=frozenset({RecordKind.EPISODE})),
    ChartSection(
        "diagnoses", "Diagnoses", "diagnoses", *_CLINICAL,
        "iopdesk.ui.chart.diagnoses_tab:DiagnosesTab", record_ids=("diagnosis_id",),
        kinds=frozenset({RecordKind.DIAGNOSIS})),
    ChartSection(
        "intake", "Intake assessment", "intake", *_CLINICAL,
        "iopdesk.ui.chart.intake_tab:IntakeTab", record_ids=("intake_id",),
        kinds=frozenset({RecordKind.INTAKE})),
)

# Records with no tab of their own whose calls still take an id (coverage is kept on the
# registration form and printed on the face sheet).
OTHER_RECORD_IDS: dict[str, str] = {"coverage_id": "coverage"}

# Id arguments that name no participant's record, so have no owner to look up: the practice's
# tracks and staff, a page's place in a list, and a participant named directly.
NOT_CHART_RECORD_IDS: dict[str, str] = {
    "track_id": "a program track", "clinician_id": "a staff member",
    "primary_clinician_id": "a staff member", "user_id": "a staff account",
    "before_id": "where a page of the audit log starts",
    "exclude_id": "a participant (the one being edited, left out of the duplicate check)",
}


def section(key: str) -> ChartSection:
    """The section called `key` (KeyError for one that does not exist)."""
    for found in SECTIONS:
        if found.key == key:
            return found
    raise KeyError(key)


def tabs_for(granted: frozenset[str]) -> tuple[str, ...]:
    """The tabs, in order, of the sections whose view permission is in `granted`."""
    return tuple(s.key for s in SECTIONS if s.view in granted)


def print_commands() -> tuple[PrintCommand, ...]:
    return tuple(command for s in SECTIONS for command in s.prints)
