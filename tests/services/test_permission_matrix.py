"""The role × service matrix: every guarded service function, called by every role.

An allowed pair must succeed; a refused pair must raise PermissionDenied and leave an audit
event (outcome REFUSED, the action's name, the acting user). The table below must name every
entry of REGISTRY, so a new guarded function without a row here fails this test.
"""

from __future__ import annotations

import itertools
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from chart_support import CONSENT, CONTACT, COVERAGE
from clinical_support import complete_intake, fresh_draft, new_diagnosis, with_code_table

from iopdesk.db.models import AuditEvent, GroupMeeting, StaffRole, StaffUser
from iopdesk.domain.accounts import NewUserInput, PracticeSettings, UserChanges
from iopdesk.domain.authorizations import AuthorizationInput
from iopdesk.domain.enums import AuditOutcome, Role
from iopdesk.domain.errors import DatabaseUnusable, PermissionDenied, ValidationError
from iopdesk.domain.schedule import BlockInput, ClosureInput
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import Actor
from iopdesk.services.accounts import hash_password
from iopdesk.services.permissions import REGISTRY, ROLE_PERMISSIONS, Permission

P = Permission
PASSWORD = "matrix password"
OTHER_PASSWORD = "another matrix password"
PERSON = ParticipantInput(first_name="María", last_name="Peña", date_of_birth=date(1992, 2, 2))
AUTHORIZATION = AuthorizationInput(payer="Cascade Health Plan", number="CHP-2026-0042",
                                   units=20, first_date=date(2026, 11, 2),
                                   last_date=date(2026, 12, 31))
BLOCK = BlockInput(weekday=0, start_time=time(9), end_time=time(12), title="Process group",
                   facilitator_id=None, effective_from=date(2026, 11, 16))

# The policy of DESIGN §2 and §6, written out: front desk never sees clinical content; the
# administrator runs users, the practice and the audit log, not charts. A supervisor or an
# administrator corrects the record of care (an episode entered in error); a clinician not.
# Everyone records attendance (check-in, check-out, absences, same-day corrections); only
# the front desk may not correct it after the day.
_EVERYONE = {P.VIEW_DEMOGRAPHICS, P.EDIT_DEMOGRAPHICS, P.VIEW_STAFF, P.RECORD_ATTENDANCE}
_LATER = {P.CORRECT_ATTENDANCE}
EXPECTED_PERMISSIONS = {
    Role.FRONT_DESK: frozenset(_EVERYONE),
    Role.CLINICIAN: frozenset(_EVERYONE | _LATER | {P.VIEW_CLINICAL, P.EDIT_CLINICAL}),
    Role.SUPERVISOR: frozenset(_EVERYONE | _LATER | {P.VIEW_CLINICAL, P.EDIT_CLINICAL, P.COSIGN,
                                                     P.CORRECT_EPISODES}),
    Role.ADMIN: frozenset(_EVERYONE | _LATER | {P.MANAGE_USERS, P.MANAGE_PRACTICE, P.VIEW_AUDIT,
                                                P.CORRECT_EPISODES, P.MANAGE_BACKUPS}),
}


pytestmark = pytest.mark.usefixtures("fast_hashing")     # Argon2 made cheap: conftest.py


@pytest.fixture
def everyone(issuer, actors, session_factory) -> dict[str, Actor]:
    """The fixture's actors with a known password, and a supervisor who is only that."""
    with session_factory.begin() as s:
        for actor in actors.values():
            s.get(StaffUser, actor.user_id).password_hash = hash_password(PASSWORD)
        user = StaffUser(username="onlysup", display_name="Only Sup",
                         password_hash=hash_password(PASSWORD))
        user.roles = [StaffRole(role=Role.SUPERVISOR)]
        s.add(user)
        s.flush()
        user_id = user.id
    only = issuer.issue_actor(user_id=user_id, username="onlysup", display_name="Only Sup",
                              roles=frozenset({Role.SUPERVISOR}))
    return {**actors, "supervisor_only": only}


def _calls(services, everyone, track_id, tmp_path, session_factory):
    admin = everyone["admin"]
    person = services.participants.register(admin, PERSON)
    clinician = everyone["clinician"]
    episode = services.episodes.admit(clinician, person.id, track_id, date(2026, 11, 2),
                                      clinician.user_id)
    numbers = itertools.count(1)

    def fresh_user(prefix: str = "made") -> int:
        n = next(numbers)
        return services.users.add_user(
            admin, NewUserInput(username=f"{prefix}{n}", display_name=f"Made User {n}",
                                roles=frozenset({Role.FRONT_DESK})), "initial password").id

    target = fresh_user("target")

    def update_target(a):
        current = next(m for m in services.users.list_users(admin) if m.id == target)
        return services.users.update_user(
            a, target, current.version,
            UserChanges(display_name=f"Target {next(numbers)}", roles=current.roles))

    def disabled_user() -> int:
        user_id = fresh_user()
        services.users.disable_user(admin, user_id)
        return user_id

    def awaiting_cosign():
        """An intake signed by the clinician while their work needed co-signature."""
        draft = fresh_draft(services, admin, clinician, track_id)
        with session_factory.begin() as s:
            s.get(StaffUser, clinician.user_id).needs_cosign = True
        signed = services.intake.sign(clinician, draft.id, draft.version, PASSWORD)
        with session_factory.begin() as s:
            s.get(StaffUser, clinician.user_id).needs_cosign = False
        return signed

    def enter_in_error(a):
        wrong = services.episodes.admit(clinician, services.participants.register(admin, PERSON).id,
                                        track_id, date(2026, 11, 2))
        return services.episodes.enter_in_error(a, wrong.id, wrong.version,
                                                "Admitted to the wrong chart")

    def fresh_meeting():
        """The first meeting of a new block (every role moves, cancels or edits its own)."""
        block = services.schedule.add_block(admin, track_id, BLOCK)
        return next(m for d in services.schedule.week(admin, track_id, date(2026, 11, 16)).days
                    for m in d.meetings if m.schedule_id == block.id)

    def fresh_closure(a):
        return services.schedule.add_closure(
            a, ClosureInput(date(2027, 6, 1) + timedelta(days=next(numbers)), "Holiday"))

    def meeting_today() -> int:
        """A meeting of the track on TODAY, all day, fresh for each call."""
        with session_factory.begin() as s:
            meeting = GroupMeeting(track_id=track_id, meeting_date=date(2026, 11, 16),
                                   start_time=time(0), end_time=time(23, 59),
                                   title=f"Matrix group {next(numbers)}")
            s.add(meeting)
            s.flush()
            return meeting.id

    zone = ZoneInfo(services.settings.time_zone())

    def noon(minute: int = 0) -> datetime:
        return datetime.combine(date(2026, 11, 16), time(12, minute), tzinfo=zone)

    def checked_in():
        return services.attendance.check_in(admin, person.id, meeting_today(), noon())

    def newcomer_checked_in():
        """Another participant checked in (a correction must not overlap the person's
        other attendance of the day, which the rows above leave open)."""
        other = services.participants.register(admin, PERSON)
        services.episodes.admit(clinician, other.id, track_id, date(2026, 11, 2))
        return services.attendance.check_in(admin, other.id, meeting_today(), noon())

    def checked_out():
        here = checked_in()
        return services.attendance.check_out(admin, here.id, here.version, noon(30))

    def change_and_restore(a):
        services.users.change_own_password(a, PASSWORD, OTHER_PASSWORD)
        services.users.change_own_password(a, OTHER_PASSWORD, PASSWORD)

    return {
        "AuditService.search": (P.VIEW_AUDIT, lambda a: services.audit.search(a)),
        "AuditService.actions": (P.VIEW_AUDIT, lambda a: services.audit.actions(a)),
        "AuditService.export_csv": (P.VIEW_AUDIT, lambda a: services.audit.export_csv(
            a, tmp_path / f"audit-{next(numbers)}.csv")),
        "AuditService.verify": (P.VIEW_AUDIT, lambda a: services.audit.verify(a)),
        "AuditService.record_maintenance": (P.MANAGE_PRACTICE, lambda a: (
            services.audit.record_maintenance(a, "matrix.maintenance", {"n": next(numbers)}))),
        "ParticipantService.register": (P.EDIT_DEMOGRAPHICS,
                                        lambda a: services.participants.register(a, PERSON)),
        "ParticipantService.update": (P.EDIT_DEMOGRAPHICS, lambda a: services.participants.update(
            a, person.id, services.participants.get(admin, person.id).version,
            ParticipantInput(first_name="María", last_name="Peña",
                             date_of_birth=date(1992, 2, 2), chart_number=person.chart_number))),
        "ParticipantService.get": (P.VIEW_DEMOGRAPHICS,
                                   lambda a: services.participants.get(a, person.id)),
        "ParticipantService.search": (P.VIEW_DEMOGRAPHICS,
                                      lambda a: services.participants.search(a, "pe")),
        "EpisodeService.admit": (P.EDIT_CLINICAL, lambda a: services.episodes.admit(
            a, services.participants.register(admin, PERSON).id, track_id, date(2026, 11, 2))),
        "EpisodeService.enter_in_error": (P.CORRECT_EPISODES, enter_in_error),
        "StaffService.list_staff": (P.VIEW_STAFF, lambda a: services.staff.list_staff(a)),
        "StaffService.tracks": (P.VIEW_STAFF, lambda a: services.staff.tracks(a)),
        "StaffService.verify_password": (
            P.VIEW_STAFF, lambda a: _true(services.staff.verify_password(a, PASSWORD))),
        "SettingsService.update": (P.MANAGE_PRACTICE,
                                   lambda a: services.settings.update(a, PracticeSettings())),
        "UserService.list_users": (P.MANAGE_USERS, lambda a: services.users.list_users(a)),
        "UserService.add_user": (P.MANAGE_USERS, lambda a: services.users.add_user(
            a, NewUserInput(username=f"added{next(numbers)}", display_name="Added User",
                            roles=frozenset({Role.CLINICIAN})), "initial password")),
        "UserService.update_user": (P.MANAGE_USERS, update_target),
        "UserService.disable_user": (P.MANAGE_USERS,
                                     lambda a: services.users.disable_user(a, fresh_user())),
        "UserService.enable_user": (P.MANAGE_USERS,
                                    lambda a: services.users.enable_user(a, disabled_user())),
        "UserService.reset_password": (P.MANAGE_USERS, lambda a: services.users.reset_password(
            a, target, "temporary password")),
        "UserService.change_own_password": (P.VIEW_STAFF, change_and_restore),
        # clinical services (episodes list, diagnoses, intake, chart, Today)
        "EpisodeService.list": (P.VIEW_DEMOGRAPHICS,
                                lambda a: services.episodes.list(a, person.id)),
        "DiagnosisService.list": (P.VIEW_CLINICAL,
                                  lambda a: services.diagnoses.list(a, episode.id)),
        "DiagnosisService.search_codes": (P.VIEW_CLINICAL, lambda a: with_code_table(
            services, tmp_path).search_codes(a, "alcohol")),
        "DiagnosisService.add": (P.EDIT_CLINICAL, lambda a: with_code_table(
            services, tmp_path).add(a, episode.id, "C84.10")),
        "DiagnosisService.update": (P.EDIT_CLINICAL, lambda a: (
            lambda d: services.diagnoses.update(a, d.id, d.version, is_primary=True,
                                                onset_date=d.onset_date, resolved_date=None))(
            new_diagnosis(services, tmp_path, clinician, episode.id))),
        "DiagnosisService.resolve": (P.EDIT_CLINICAL, lambda a: (
            lambda d: services.diagnoses.resolve(a, d.id, d.version))(
            new_diagnosis(services, tmp_path, clinician, episode.id))),
        "IntakeService.get": (P.VIEW_CLINICAL, lambda a: services.intake.get(a, episode.id)),
        "IntakeService.save_draft": (P.EDIT_CLINICAL, lambda a: services.intake.save_draft(
            a, episode.id, complete_intake(), None)),
        "IntakeService.sign": (P.EDIT_CLINICAL, lambda a: (lambda d: services.intake.sign(
            a, d.id, d.version, PASSWORD))(fresh_draft(services, admin, clinician, track_id))),
        "CosignService.queue": (P.COSIGN, lambda a: services.cosign.queue(a)),
        "CosignService.cosign": (P.COSIGN, lambda a: (lambda i: services.cosign.cosign(
            a, "intake", i.id, i.version, PASSWORD))(awaiting_cosign())),
        "IntakeService.add_addendum": (P.EDIT_CLINICAL, lambda a: (
            lambda d: services.intake.add_addendum(
                a, services.intake.sign(clinician, d.id, d.version, PASSWORD).id,
                "Medication dose corrected to 8 mg.", PASSWORD))(
            fresh_draft(services, admin, clinician, track_id))),
        "ChartService.open": (P.VIEW_DEMOGRAPHICS, lambda a: services.chart.open(a, person.id)),
        "TodayService.front_desk": (P.VIEW_DEMOGRAPHICS,
                                    lambda a: services.today.front_desk(a, date(2026, 11, 16))),
        "TodayService.caseload": (P.VIEW_CLINICAL, lambda a: services.today.caseload(a)),
        # these services have no backup folder: allowed, a backup or restore is refused
        # for what it is (tests/services/test_backups_service.py does them)
        "BackupService.backups": (P.MANAGE_BACKUPS, lambda a: services.backups.backups(a)),
        "BackupService.status": (P.MANAGE_BACKUPS, lambda a: services.backups.status(a)),
        "BackupService.back_up": (P.MANAGE_BACKUPS, lambda a: _not_here(
            lambda: services.backups.back_up(a))),
        "BackupService.restore": (P.MANAGE_BACKUPS, lambda a: _not_here(
            lambda: services.backups.restore(a, tmp_path / "no-such-backup.sqlite3"))),
        "TodayService.my_groups": (P.VIEW_DEMOGRAPHICS,
                                   lambda a: services.today.my_groups(a, date(2026, 11, 16))),
        # front-desk chart sections (registry, contacts, consents, coverage)
        "ParticipantService.register_with": (
            P.EDIT_DEMOGRAPHICS, lambda a: services.participants.register_with(
                a, PERSON, coverage=COVERAGE, emergency_contact=CONTACT)),
        "ParticipantService.possible_duplicates": (
            P.VIEW_DEMOGRAPHICS, lambda a: services.participants.possible_duplicates(a, PERSON)),
        "ContactService.list": (P.VIEW_DEMOGRAPHICS,
                                lambda a: services.contacts.list(a, person.id)),
        "ContactService.add": (P.EDIT_DEMOGRAPHICS,
                               lambda a: services.contacts.add(a, person.id, CONTACT)),
        "ContactService.update": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.contacts.update(a, c.id, c.version, CONTACT))(
            services.contacts.add(admin, person.id, CONTACT))),
        "ContactService.deactivate": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.contacts.deactivate(a, c.id, c.version))(
            services.contacts.add(admin, person.id, CONTACT))),
        "ConsentService.list": (P.VIEW_DEMOGRAPHICS,
                                lambda a: services.consents.list(a, person.id)),
        "ConsentService.get": (P.VIEW_DEMOGRAPHICS, lambda a: services.consents.get(
            a, services.consents.add(admin, person.id, CONSENT).id)),
        "ConsentService.add": (P.EDIT_DEMOGRAPHICS,
                               lambda a: services.consents.add(a, person.id, CONSENT)),
        "ConsentService.update": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.consents.update(a, c.id, c.version, CONSENT))(
            services.consents.add(admin, person.id, CONSENT))),
        "ConsentService.revoke": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.consents.revoke(a, c.id, c.version, date(2026, 11, 16)))(
            services.consents.add(admin, person.id, CONSENT))),
        "CoverageService.list": (P.VIEW_DEMOGRAPHICS,
                                 lambda a: services.coverage.list(a, person.id)),
        "CoverageService.add": (P.EDIT_DEMOGRAPHICS,
                                lambda a: services.coverage.add(a, person.id, COVERAGE)),
        "CoverageService.update": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.coverage.update(a, c.id, c.version, COVERAGE))(
            services.coverage.add(admin, person.id, COVERAGE))),
        "CoverageService.end": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda c: services.coverage.end(a, c.id, c.version, date(2026, 11, 16)))(
            services.coverage.add(admin, person.id, COVERAGE))),
        # the front desk's day: attendance and weekly hours
        "AttendanceService.day": (P.VIEW_DEMOGRAPHICS, lambda a: services.attendance.day(
            a, date(2026, 11, 16))),
        "AttendanceService.find": (P.VIEW_DEMOGRAPHICS,
                                   lambda a: services.attendance.find(a, "pe")),
        "AttendanceService.history": (P.VIEW_DEMOGRAPHICS, lambda a: services.attendance.history(
            a, checked_in().id)),
        "AttendanceService.weeks": (P.VIEW_DEMOGRAPHICS,
                                    lambda a: services.attendance.weeks(a, person.id)),
        "AttendanceService.hours": (P.VIEW_DEMOGRAPHICS, lambda a: services.attendance.hours(
            a, date(2026, 11, 16))),
        "AttendanceService.at_risk": (P.VIEW_DEMOGRAPHICS, lambda a: services.attendance.at_risk(
            a, clinician.user_id)),
        "AttendanceService.check_in": (P.RECORD_ATTENDANCE, lambda a: services.attendance.check_in(
            a, person.id, meeting_today(), noon())),
        "AttendanceService.check_out": (P.RECORD_ATTENDANCE, lambda a: (
            lambda v: services.attendance.check_out(a, v.id, v.version, noon(30)))(checked_in())),
        "AttendanceService.check_out_all": (P.RECORD_ATTENDANCE, lambda a: (
            services.attendance.check_out_all(a, checked_in().meeting_id, noon(30)))),
        "AttendanceService.mark_absent": (P.RECORD_ATTENDANCE, lambda a: (
            services.attendance.mark_absent(a, person.id, meeting_today(), True, "Sick"))),
        "AttendanceService.undo_check_in": (P.RECORD_ATTENDANCE, lambda a: (
            lambda v: services.attendance.undo_check_in(a, v.id, v.version))(checked_in())),
        "AttendanceService.undo_check_out": (P.RECORD_ATTENDANCE, lambda a: (
            lambda v: services.attendance.undo_check_out(a, v.id, v.version))(checked_out())),
        "AttendanceService.correct": (P.RECORD_ATTENDANCE, lambda a: (
            lambda v: services.attendance.correct(a, v.id, v.version, noon(5), noon(40),
                                                  "Per the sign-in sheet"))(
            newcomer_checked_in())),
        # payers' authorizations of an episode (units used, warnings for Today)
        "AuthorizationService.list": (P.VIEW_DEMOGRAPHICS,
                                      lambda a: services.authorizations.list(a, person.id)),
        "AuthorizationService.add": (P.EDIT_DEMOGRAPHICS, lambda a: services.authorizations.add(
            a, episode.id, AUTHORIZATION)),
        "AuthorizationService.update": (P.EDIT_DEMOGRAPHICS, lambda a: (
            lambda v: services.authorizations.update(a, v.id, v.version, AUTHORIZATION))(
            services.authorizations.add(admin, episode.id, AUTHORIZATION))),
        "AuthorizationService.warnings": (P.VIEW_DEMOGRAPHICS,
                                          lambda a: services.authorizations.warnings(a)),
        # printed documents (face sheet, consent form) and their exports
        "DocumentService.face_sheet": (P.VIEW_DEMOGRAPHICS,
                                       lambda a: services.documents.face_sheet(a, person.id)),
        "DocumentService.consent_form": (
            P.VIEW_DEMOGRAPHICS, lambda a: services.documents.consent_form(
                a, services.consents.add(admin, person.id, CONSENT).id)),
        "DocumentService.intake_assessment": (
            P.VIEW_CLINICAL, lambda a: services.documents.intake_assessment(
                a, awaiting_cosign().participant_id)),
        # the program schedule: administrators edit it, everyone reads it
        "ScheduleService.blocks": (P.VIEW_DEMOGRAPHICS,
                                   lambda a: services.schedule.blocks(a, track_id)),
        "ScheduleService.add_block": (P.MANAGE_PRACTICE,
                                      lambda a: services.schedule.add_block(a, track_id, BLOCK)),
        "ScheduleService.update_block": (P.MANAGE_PRACTICE, lambda a: (
            lambda b: services.schedule.update_block(a, b.id, b.version, b.as_input()))(
            services.schedule.add_block(admin, track_id, BLOCK))),
        "ScheduleService.end_block": (P.MANAGE_PRACTICE, lambda a: (
            lambda b: services.schedule.end_block(a, b.id, b.version, date(2026, 12, 31)))(
            services.schedule.add_block(admin, track_id, BLOCK))),
        "ScheduleService.closures": (P.VIEW_DEMOGRAPHICS, lambda a: services.schedule.closures(
            a, date(2026, 11, 1), date(2027, 12, 31))),
        "ScheduleService.add_closure": (P.MANAGE_PRACTICE, fresh_closure),
        "ScheduleService.remove_closure": (P.MANAGE_PRACTICE, lambda a: (
            lambda c: services.schedule.remove_closure(a, c.id, c.version))(
            fresh_closure(admin))),
        "ScheduleService.generate": (P.MANAGE_PRACTICE, lambda a: services.schedule.generate(a)),
        "ScheduleService.week": (P.VIEW_DEMOGRAPHICS, lambda a: services.schedule.week(
            a, track_id, date(2026, 11, 16))),
        "ScheduleService.move_meeting": (P.MANAGE_PRACTICE, lambda a: (
            lambda m: services.schedule.move_meeting(
                a, m.id, m.version, date(2028, 1, 1) + timedelta(days=next(numbers)),
                time(9), time(12)))(fresh_meeting())),
        "ScheduleService.cancel_meeting": (P.MANAGE_PRACTICE, lambda a: (
            lambda m: services.schedule.cancel_meeting(a, m.id, m.version, "Snow"))(
            fresh_meeting())),
        "ScheduleService.update_meeting": (P.MANAGE_PRACTICE, lambda a: (
            lambda m: services.schedule.update_meeting(a, m.id, m.version, None, "Anger"))(
            fresh_meeting())),
        "DocumentService.record_export": (
            P.VIEW_DEMOGRAPHICS, lambda a: services.documents.record_export(
                a, "face_sheet", person.id, "Front desk printer")),
        # the attendance documents: the front desk prints them too
        "DocumentService.sign_in_sheet": (P.RECORD_ATTENDANCE, lambda a: (
            services.documents.sign_in_sheet(a, meeting_today()))),
        "DocumentService.hours_report": (P.VIEW_DEMOGRAPHICS, lambda a: (
            services.documents.hours_report(a, date(2026, 11, 16), format="csv"))),
        "DocumentService.attendance_history": (
            P.VIEW_DEMOGRAPHICS, lambda a: services.documents.attendance_history(a, person.id)),
    }


def _not_here(call) -> None:
    """A call allowed but refused for its input (a refusal of the role still raises)."""
    with pytest.raises((DatabaseUnusable, ValidationError)):
        call()


def _true(value: bool) -> bool:
    assert value is True
    return value


def _last_event(session_factory) -> AuditEvent:
    with session_factory() as s:
        return s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def _refusals(session_factory) -> int:
    with session_factory() as s:
        return len(s.scalars(select(AuditEvent.id)
                             .where(AuditEvent.outcome == AuditOutcome.REFUSED)).all())


def _action_of(services, name: str) -> str:
    """The audit action a guarded function writes, read from its guard."""
    class_name, method = name.split(".")
    for f in fields(services):
        service = getattr(services, f.name)
        if type(service).__name__ == class_name:
            return getattr(type(service), method).action
    raise AssertionError(f"no service {class_name} in Services")


def test_the_role_table_is_the_designed_one():
    assert ROLE_PERMISSIONS == EXPECTED_PERMISSIONS
    assert not {P.VIEW_CLINICAL, P.EDIT_CLINICAL} & ROLE_PERMISSIONS[Role.FRONT_DESK]
    assert P.CORRECT_EPISODES not in ROLE_PERMISSIONS[Role.CLINICIAN]   # supervisors do it


ACTORS = ["front_desk", "clinician", "supervisor", "supervisor_only", "admin"]


@pytest.mark.parametrize("who", ACTORS)
def test_every_guarded_function_for_every_role(services, everyone, track_id, tmp_path,
                                              session_factory, who):
    calls = _calls(services, everyone, track_id, tmp_path, session_factory)
    assert set(calls) == set(REGISTRY), (
        "every guarded service function needs a row in this matrix: "
        f"missing {sorted(set(REGISTRY) - set(calls))}, stale {sorted(set(calls) - set(REGISTRY))}")
    actor = everyone[who]
    granted = frozenset().union(*(EXPECTED_PERMISSIONS[r] for r in actor.roles))
    for name, (permission, call) in calls.items():
        assert REGISTRY[name] == permission, f"{name} is guarded by {REGISTRY[name]}"
        refused_before = _refusals(session_factory)
        if permission in granted:
            call(actor)
            assert _refusals(session_factory) == refused_before, name
        else:
            with pytest.raises(PermissionDenied):
                call(actor)
            assert _refusals(session_factory) == refused_before + 1, name
            refusal = _last_event(session_factory)
            assert (refusal.action, refusal.outcome, refusal.username, refusal.user_id) == (
                _action_of(services, name), AuditOutcome.REFUSED, actor.username,
                actor.user_id), name
            assert refusal.detail["needs"] == permission.value
