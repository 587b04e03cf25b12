"""The demo practice: it builds, reads like a real chart, is deterministic, lets every demo
account log in, and never touches a database that is already in use."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support import AUDIT_KEY, DEMO_SEED, TODAY
from sqlalchemy import select

from iopdesk.db.engine import make_session_factory, sqlite_url
from iopdesk.db.migrate import open_database
from iopdesk.db.models import (Attendance, Base, ClinicalSession, Closure, Diagnosis, Episode,
                               GroupMeeting, GroupSchedule, IntakeAssessment, MeasureResult, Note,
                               Participant, PracticeSetting, ProgramTrack, StaffUser)
from iopdesk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
from iopdesk.domain import measures
from iopdesk.domain.clinical import intake_content
from iopdesk.domain.enums import AttendanceStatus, EpisodeStatus, NoteStatus, SessionKind
from iopdesk.domain.errors import Conflict, ValidationError
from iopdesk.domain.names import search_key
from iopdesk.domain.validation import phone_digits
from iopdesk.services import build_services
from iopdesk.services.intake import content_hash

PRESENT = {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY}


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table as stored, without the (salted) password hashes and the
    audit trail's random chain id (and the head signature that covers it)."""
    random = {"password_hash", "chain_id", "signature"}
    with sqlite3.connect(path) as conn:
        result = {}
        for table in Base.metadata.sorted_tables:
            columns = ", ".join(c.name for c in table.c if c.name not in random)
            result[table.name] = conn.execute(
                f"SELECT {columns} FROM {table.name} ORDER BY rowid").fetchall()
    return result


@pytest.fixture
def demo_session(demo_url):
    """Sessions on a private copy of the demo practice, on each engine (`backend`)."""
    engine = open_database(demo_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def demo_services(demo_session):
    return build_services(demo_session, "test-station", audit_key=AUDIT_KEY,
                          today=lambda: TODAY)


def test_the_demo_reads_like_a_small_program(demo_session):
    with demo_session() as s:
        people = s.scalars(select(Participant).order_by(Participant.chart_number)).all()
        episodes = s.scalars(select(Episode).order_by(Episode.id)).all()
        tracks = {t.id: t for t in s.scalars(select(ProgramTrack))}
        next_chart = s.get(PracticeSetting, "next_chart_number").value
    assert 35 <= len(people) <= 45
    assert [p.chart_number for p in people] == [str(1001 + i) for i in range(len(people))]
    assert next_chart > max(int(p.chart_number) for p in people)
    assert {t.name for t in tracks.values()} == {"Adult Substance Use IOP",
                                                 "Adolescent Mental Health IOP"}
    assert {e.track_id for e in episodes if e.status == EpisodeStatus.ACTIVE} == set(tracks)
    assert any(e.status == EpisodeStatus.DISCHARGED for e in episodes)
    names = " ".join(f"{p.first_name} {p.middle_name} {p.last_name}" for p in people)
    assert not names.isascii()
    for wanted in ("Nguyễn", "Wiśniewski", "Żółkiewska", "Núñez", "Østergaard", "Lindqvist"):
        assert wanted in names

    by_person: dict[int, list[Episode]] = {}
    for e in episodes:
        by_person.setdefault(e.participant_id, []).append(e)
    twice = [eps for eps in by_person.values() if len(eps) == 2]
    assert len(twice) == 1
    first, second = sorted(twice[0], key=lambda e: e.admission_date)
    assert first.status == EpisodeStatus.DISCHARGED and first.discharge_date < second.admission_date

    for p in people:  # keys and denormalised columns exactly as the participant service keeps them
        assert (p.first_name_key, p.last_name_key, p.preferred_name_key) == (
            search_key(p.first_name), search_key(p.last_name), search_key(p.preferred_name))
        assert p.phone.startswith("(555) 2") and p.phone_digits == phone_digits(p.phone)
        latest = max(by_person[p.id], key=lambda e: (e.admission_date, e.id))
        assert (p.current_status, p.current_track_id, p.primary_clinician_id) == (
            latest.status, latest.track_id, latest.primary_clinician_id)
        age = (latest.admission_date - p.date_of_birth).days / 365.25
        if tracks[latest.track_id].age_group == "adolescent":
            assert 13 <= age < 18
        else:
            assert age >= 18


def test_attendance_and_notes_follow_the_episodes(demo_session):
    with demo_session() as s:
        rows = s.execute(select(Attendance, Episode).join(Episode)).all()
        for attendance, episode in rows:
            assert attendance.check_in_at is None or attendance.check_in_at.tzinfo is not None
        meeting_dates = {i: day for i, day in s.execute(select(GroupMeeting.id,
                                                                GroupMeeting.meeting_date))}
        group_notes = Counter(s.execute(
            select(ClinicalSession.meeting_id).join(Note, Note.session_id == ClinicalSession.id)
            .where(ClinicalSession.kind == SessionKind.GROUP)).scalars())
        notes = s.scalars(select(Note)).all()
    attended = Counter(a.meeting_id for a, _ in rows if a.status in PRESENT)
    assert len(rows) > 1000
    statuses = Counter(a.status for a, _ in rows)
    assert set(statuses) == set(AttendanceStatus) - {AttendanceStatus.EXPECTED}
    assert statuses[AttendanceStatus.PRESENT] > len(rows) * 0.7
    for attendance, episode in rows:
        day = meeting_dates[attendance.meeting_id]
        assert episode.admission_date <= day <= (episode.discharge_date or date.max)
        assert day < TODAY or attendance.status == AttendanceStatus.EXCUSED   # called ahead
        if attendance.status in PRESENT:
            assert 0 < attendance.minutes_credited <= 60
        else:
            assert attendance.minutes_credited == 0 and attendance.check_in_at is None
    assert group_notes == attended      # every attendee of every group has a note
    drafts = [n for n in notes if n.status == NoteStatus.DRAFT]
    assert drafts and all(n.signed_at is None for n in drafts)
    assert {NoteStatus.SIGNED, NoteStatus.COSIGNED} <= {n.status for n in notes}


def test_meetings_follow_the_schedule_and_closures(demo_session):
    with demo_session() as s:
        schedules = {g.id: g for g in s.scalars(select(GroupSchedule))}
        meetings = s.scalars(select(GroupMeeting)).all()
        closures = s.scalars(select(Closure)).all()
        attended = set(s.scalars(select(Attendance.meeting_id)))
    closed = {(c.track_id, c.closure_date) for c in closures}
    assert "Memorial Day" in {c.reason for c in closures}
    assert any(c.track_id is not None for c in closures)
    for m in meetings:
        assert m.meeting_date.weekday() == schedules[m.schedule_id].weekday
        if (None, m.meeting_date) in closed or (m.track_id, m.meeting_date) in closed:
            assert m.cancelled and m.cancel_reason.startswith("Closed: ")
        if m.cancelled:
            assert m.id not in attended
    assert sum(m.cancelled and not m.cancel_reason.startswith("Closed: ")
               for m in meetings) == 1
    assert any(m.meeting_date == TODAY for m in meetings)   # today's groups, for check-in


def test_measures_are_scored_by_the_domains_rules(demo_session):
    with demo_session() as s:
        rows = s.execute(select(MeasureResult, Participant.sex_at_birth)
                         .join(Episode, Episode.id == MeasureResult.episode_id)
                         .join(Participant, Participant.id == Episode.participant_id)).all()
    assert {r.instrument for r, _ in rows} == {"phq9", "gad7", "auditc", "dast10"}
    for r, sex in rows:   # score() also refuses a wrong number of items or an answer off range
        scored = measures.score(r.instrument, r.items, female=sex == "Female")
        assert (r.total, r.band, r.flags) == (scored.total, scored.band, list(scored.flags))
    phq9 = [r for r, _ in rows if r.instrument == "phq9"]
    assert len(phq9) > 40 and all(r.total == sum(r.items) for r in phq9)
    assert any(r.flags == [measures.SUICIDE_RISK] for r in phq9)


def test_intake_signatures_hash_what_the_intake_service_signs(demo_services, demo_session):
    actor = demo_services.staff.log_in("supervisor", DEMO_PASSWORD)
    with demo_session() as s:
        episode_ids = s.scalars(select(Episode.id).order_by(Episode.id)).all()
    signed = [i for i in (demo_services.intake.get(actor, e) for e in episode_ids)
              if i is not None and i.signed]
    assert len(signed) > 30
    for intake in signed:
        assert intake.content_hash == content_hash(intake_content(intake.episode_id,
                                                                  intake.as_input()))


# What each substance's story says, and what a story of drinking may go with.
SUBSTANCE_WORDS = {"F10": ("drink", "alcohol", "vodka"),
                   "F11": ("oxycodone", "fentanyl", "pills", "opioid", "overdose"),
                   "F12": ("cannabis",), "F14": ("stimulant", "cocaine"),
                   "F15": ("stimulant", "methamphetamine")}


def test_each_intake_tells_the_story_of_its_diagnoses(demo_session):
    """An intake that speaks of drinking goes with an alcohol-related or mental-health
    diagnosis, never with opioid dependence alone; a substance diagnosed is the one whose
    history the intake tells; withdrawal is spoken of only where a substance is diagnosed, and
    the medical history agrees with the biomedical dimension."""
    with demo_session() as s:
        intakes = s.scalars(select(IntakeAssessment)).all()
        codes = {}
        for d in s.scalars(select(Diagnosis)):
            codes.setdefault(d.episode_id, []).append((not d.is_primary, d.icd10_code))
    assert len(intakes) > 10
    for intake in intakes:
        given = [code for _, code in sorted(codes[intake.episode_id])]
        told = f"{intake.presenting_problem} {intake.substance_use_history}".lower()
        substances = [c[:3] for c in given if c[:3] in SUBSTANCE_WORDS]
        for prefix in substances[:1]:
            assert any(word in told for word in SUBSTANCE_WORDS[prefix]), (given, told)
        if "drink" in intake.presenting_problem.lower():
            assert any(c.startswith("F10") or not c.startswith("F1") for c in given), given
        if not substances:
            assert intake.substance_use_history.startswith(("Drinks socially", "Denies")), (
                given, intake.substance_use_history)
        asam = {int(n): d["note"] for n, d in intake.asam_dimensions.items()}
        assert ("last use" in asam[1]) == bool(substances), (given, asam[1])
        assert ("asthma" in asam[2].lower()) == ("asthma" in intake.medical_history.lower()), (
            asam[2], intake.medical_history)


def test_an_associate_s_recent_work_awaits_the_supervisor(demo_session):
    with demo_session() as s:
        rows = s.execute(select(IntakeAssessment.status, StaffUser.needs_cosign)
                         .join(StaffUser, StaffUser.id == IntakeAssessment.clinician_id)).all()
        notes = s.execute(select(Note.status, StaffUser.needs_cosign)
                          .join(StaffUser, StaffUser.id == Note.author_id)).all()
    statuses = Counter((status, needs) for status, needs in (*rows, *notes))
    assert statuses[NoteStatus.AWAITING_COSIGN, True] > 0       # the supervisor's queue
    assert statuses[NoteStatus.COSIGNED, True] > 0              # and what they did earlier
    assert statuses[NoteStatus.AWAITING_COSIGN, False] == 0
    assert statuses[NoteStatus.COSIGNED, False] == 0


def test_every_demo_account_logs_in(demo_services, demo_session):
    for username, display_name, roles in DEMO_ACCOUNTS:
        actor = demo_services.staff.log_in(username, DEMO_PASSWORD)
        assert actor.display_name == display_name and actor.roles == frozenset(roles)
    with demo_session() as s:
        associate = s.scalar(select(StaffUser).where(StaffUser.username == "associate"))
        supervisor = s.scalar(select(StaffUser).where(StaffUser.username == "supervisor"))
        assert associate.needs_cosign and associate.supervisor_id == supervisor.id
    assert demo_services.staff.is_demo()


@pytest.mark.parametrize("typed, last_name", [("ngu", "Nguyễn"), ("ZOL", "Żółkiewska"),
                                              ("ost", "Østergaard"), ("nun", "Núñez")])
def test_search_finds_names_typed_without_accents(demo_services, typed, last_name):
    actor = demo_services.staff.log_in("frontdesk", DEMO_PASSWORD)
    rows = demo_services.participants.search(actor, typed).rows
    assert last_name in {r.last_name for r in rows}


def test_the_same_seed_gives_the_same_rows(demo_db, template_db, tmp_path):
    again = tmp_path / "again.sqlite3"
    other = tmp_path / "other.sqlite3"
    for path, seed in ((again, DEMO_SEED), (other, DEMO_SEED + 1)):
        shutil.copyfile(template_db, path)
        engine = open_database(sqlite_url(path))
        summary = build_demo(engine, seed=seed, size="small", as_of=TODAY)
        engine.dispose()
        assert summary.counts["participants"] == 40 and summary.as_of == TODAY
    assert dump(again) == dump(demo_db)
    assert dump(other) != dump(demo_db)


def test_timestamps_come_from_as_of_not_the_clock(demo_db):
    latest = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), UTC)
    with sqlite3.connect(demo_db) as conn:
        for table in Base.metadata.sorted_tables:
            for column in ("created_at", "updated_at"):
                if column in table.c:
                    value = conn.execute(f"SELECT max({column}) FROM {table.name}").fetchone()[0]
                    if value is not None:
                        assert datetime.fromisoformat(value).replace(tzinfo=UTC) < latest, \
                            (table.name, column)


def test_a_database_in_use_is_refused_and_unchanged(demo_db):
    before = dump(demo_db)
    engine = open_database(sqlite_url(demo_db))
    try:
        with pytest.raises(Conflict, match="already holds a practice"):
            build_demo(engine, seed=DEMO_SEED, as_of=TODAY)
    finally:
        engine.dispose()
    assert dump(demo_db) == before


def test_a_database_with_another_practice_is_refused(engine, db_path, track_id):
    before = dump(db_path)
    with pytest.raises(Conflict, match="Test Practice"):
        build_demo(engine, as_of=TODAY)
    assert dump(db_path) == before


def test_an_unknown_size_is_refused(engine, db_path):
    with pytest.raises(ValidationError, match="huge"):
        build_demo(engine, size="huge", as_of=TODAY)
    empty = {name: [] for name in dump(db_path)} | {"audit_chain_head": [(1, 0, "", 0, "")]}
    assert dump(db_path) == empty


def test_the_large_code_path_at_a_tiny_scale(engine):
    messages: list[str] = []
    summary = build_demo(engine, seed=3, size="large", participants=25, as_of=TODAY,
                         progress=messages.append)
    assert summary.counts["participants"] == 25
    assert summary.counts["program_tracks"] == 6
    assert messages and messages[-1] == "done"
    with make_session_factory(engine)() as s:
        first = s.scalar(select(Episode.admission_date).order_by(Episode.admission_date))
        dates = s.scalars(select(ClinicalSession.session_date)
                          .where(ClinicalSession.kind == SessionKind.GROUP)).all()
    assert first < TODAY - timedelta(days=365)
    # Group notes are written for the last six months only in the large demo.
    assert all(day >= TODAY - timedelta(days=183) for day in dates)
    assert isinstance(first, date)
