"""The chart's sections, declared once: what each is called, which service holds its records,
which permission shows it, which records it keeps (their kind in change sets, their table,
the id its calls take, the audited actions that change them), which documents it prints and
under which `iopdesk print` sub-command, and which widget is its tab.

Everything that used to list the sections separately reads this table: `services.chart`
(the tabs a user may open), `services.context` (which audited actions are changes, and whose
record an id names, for audited refusals), `ui.chart.tabs` (the widgets), the chart window
(which change sets reload a tab), the main window's print actions, `cli.print_command` (its
sub-commands) and the permission tests. Adding a section is one entry here (and a
`RecordKind` for a new kind of record) plus its own files; docs/ARCHITECTURE.md gives the
steps.

Plain data (names as strings): the domain imports no service, screen or command.
"""

from __future__ import annotations

from dataclasses import dataclass

from iopdesk.domain.changes import RecordChange, RecordKind


@dataclass(frozen=True)
class PrintCommand:
    """A document of the chart: `iopdesk print NAME`, and the print action of the screens.
    `record_id` names the option (`--consent`) choosing the record it prints, when it is not
    the whole chart; `title` is how a screen names it ("face sheet")."""

    name: str
    document: str
    title: str
    summary: str
    record_id: str | None = None


@dataclass(frozen=True)
class RecordType:
    """A kind of record a section keeps: its kind in change sets, its table (whose
    `participant_id`, or `episode_id`'s episode, says whose record it is), the id argument
    its service calls take (None: the calls name the participant), and the audited actions
    that create it and that change it."""

    kind: RecordKind
    table: str
    id_arg: str | None
    creates: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartSection:
    key: str                            # the tab's key in ChartSummary.tabs
    title: str
    service: str                        # the attribute of Services holding its calls
    view: str                           # the Permission (its value) that shows the tab
    edit: str                           # the Permission (its value) its changes need
    tab: str                            # "module:Class" of its QWidget
    records: tuple[RecordType, ...] = ()
    prints: tuple[PrintCommand, ...] = ()
    # Permissions (their values) some of its calls need beyond `edit`: correcting a record
    # (an episode entered in error) is not every editor's to do.
    also: tuple[str, ...] = ()

    @property
    def kinds(self) -> frozenset[RecordKind]:
        """Change sets of these kinds reload the tab."""
        return frozenset(r.kind for r in self.records)

    @property
    def record_ids(self) -> tuple[str, ...]:
        return tuple(r.id_arg for r in self.records if r.id_arg)


_DEMOGRAPHICS = ("view_demographics", "edit_demographics")
_CLINICAL = ("view_clinical", "edit_clinical")

SECTIONS: tuple[ChartSection, ...] = (
    ChartSection(
        "face_sheet", "Face sheet", "participants", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.face_sheet_tab:FaceSheetTab",
        records=(RecordType(RecordKind.PARTICIPANT, "participants", None,
                            creates=("participant.register",),
                            changes=("participant.update",)),
                 # coverage is kept at registration and on the face sheet, and printed there
                 RecordType(RecordKind.COVERAGE, "coverages", "coverage_id",
                            creates=("coverage.add",),
                            changes=("coverage.update", "coverage.end"))),
        prints=(PrintCommand("face-sheet", "face_sheet", "face sheet",
                             "the participant's face sheet (demographics, contacts, coverage, "
                             "consents in force)"),)),
    ChartSection(
        "contacts", "Contacts and family", "contacts", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.contacts_tab:ContactsTab",
        records=(RecordType(RecordKind.CONTACT, "contacts", "contact_id",
                            creates=("contacts.add",),
                            changes=("contacts.update", "contacts.deactivate")),)),
    ChartSection(
        "consents", "Consents", "consents", *_DEMOGRAPHICS,
        "iopdesk.ui.chart.consents_tab:ConsentsTab",
        records=(RecordType(RecordKind.CONSENT, "consents", "consent_id",
                            creates=("consents.add",),
                            changes=("consents.update", "consents.revoke")),),
        prints=(PrintCommand("consent", "consent_form", "consent form",
                             "a consent to release information, prefilled from the consent "
                             "on record", record_id="consent"),)),
    # Kept by the front desk's day (check-in) and shown on the chart: the weeks' hours, each
    # meeting's times and corrections, and the payers' authorizations (services.authorizations,
    # whose changes need edit_demographics, everyone's).
    ChartSection(
        "attendance", "Attendance", "attendance", "view_demographics", "record_attendance",
        "iopdesk.ui.chart.attendance_tab:AttendanceTab",
        records=(RecordType(RecordKind.ATTENDANCE, "attendance", "attendance_id",
                            creates=("attendance.check_in", "attendance.mark_absent"),
                            changes=("attendance.check_out", "attendance.check_out_all",
                                     "attendance.undo_check_in", "attendance.undo_check_out",
                                     "attendance.correct")),
                 RecordType(RecordKind.AUTHORIZATION, "authorizations", "authorization_id",
                            creates=("authorization.add",),
                            changes=("authorization.update",))),
        prints=(PrintCommand("attendance-history", "attendance_history", "attendance history",
                             "the participant's weeks in the program against each week's "
                             "minimum, every meeting's times and the corrections made"),),
        # correcting times after the meeting's day is not the front desk's
        also=("correct_attendance",)),
    ChartSection(
        "episodes", "Episodes", "episodes", *_CLINICAL,
        "iopdesk.ui.chart.episodes_tab:EpisodesTab",
        records=(RecordType(RecordKind.EPISODE, "episodes", "episode_id",
                            creates=("episode.admit",),
                            changes=("episode.enter_in_error",)),),
        also=("correct_episodes",)),
    ChartSection(
        "diagnoses", "Diagnoses", "diagnoses", *_CLINICAL,
        "iopdesk.ui.chart.diagnoses_tab:DiagnosesTab",
        records=(RecordType(RecordKind.DIAGNOSIS, "diagnoses", "diagnosis_id",
                            creates=("diagnosis.add",),
                            changes=("diagnosis.update", "diagnosis.resolve")),)),
    ChartSection(
        "intake", "Intake assessment", "intake", *_CLINICAL,
        "iopdesk.ui.chart.intake_tab:IntakeTab",
        records=(RecordType(RecordKind.INTAKE, "intake_assessments", "intake_id",
                            changes=("intake.save_draft", "intake.sign", "intake.cosign",
                                     "intake.addendum")),),
        prints=(PrintCommand("intake", "intake_assessment", "intake assessment",
                             "the participant's signed intake assessment"),)),
)

# The practice's own records, kept outside any chart: staff accounts and settings.
PRACTICE_RECORDS: tuple[RecordType, ...] = (
    RecordType(RecordKind.USER, "staff_users", None, creates=("user.add",),
               changes=("user.update", "user.disable", "user.enable", "user.reset_password",
                        "password.change")),
    RecordType(RecordKind.SETTINGS, "practice_settings", None, creates=("setup.initialize",),
               changes=("settings.update",)),
    # the program schedule: weekly blocks, closures, and the meetings made from them
    RecordType(RecordKind.SCHEDULE, "group_meetings", None,
               creates=("schedule.add_block", "schedule.add_closure", "schedule.generate"),
               changes=("schedule.update_block", "schedule.end_block",
                        "schedule.remove_closure", "meeting.move", "meeting.cancel",
                        "meeting.update")),
)

# Id arguments that name no participant's record, so have no owner to look up: the practice's
# tracks and staff, a page's place in a list, and a participant named directly.
NOT_CHART_RECORD_IDS: dict[str, str] = {
    "track_id": "a program track", "clinician_id": "a staff member",
    "primary_clinician_id": "a staff member", "user_id": "a staff account",
    "before_id": "where a page of the audit log starts",
    "meeting_id": "a group meeting (of a track, not of one participant)",
    "facilitator_id": "a staff member (who leads a group)",
    "block_id": "a weekly group block of the program schedule",
    "closure_id": "a day the practice or a track is closed",
    "exclude_id": "a participant (the one being edited, left out of the duplicate check)",
    "record_id": "a signed document of the kind named beside it (the co-signature's own "
                 "audit event names whose it is)",
}


def record_types() -> tuple[RecordType, ...]:
    """Every kind of record the sections and the practice keep."""
    return (*(r for s in SECTIONS for r in s.records), *PRACTICE_RECORDS)


# audited action: (the kind of record it changes, whether it creates one). Every change is
# audited in the same transaction, so a transaction's audit events say what it changed.
CHANGE_ACTIONS: dict[str, tuple[RecordKind, bool]] = {
    action: (r.kind, created) for r in record_types()
    for actions, created in ((r.creates, True), (r.changes, False)) for action in actions}


def change_of(action: str, *, entity_id: int | None,
              participant_id: int | None) -> RecordChange | None:
    """The record change an audited action stands for, or None when it changes nothing
    (a read, a search, a print)."""
    found = CHANGE_ACTIONS.get(action)
    if found is None:
        return None
    kind, created = found
    return RecordChange(kind=kind, record_id=entity_id, participant_id=participant_id,
                        created=created)


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
