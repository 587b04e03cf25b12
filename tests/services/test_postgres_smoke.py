"""A first pass of the services on PostgreSQL (the rest of the suite runs on SQLite until the
PostgreSQL work is done): the demo practice is written, people log in, register, search and
admit, and the audit chain the server holds verifies."""

from __future__ import annotations

from datetime import date

from support import AUDIT_KEY, DEMO_SEED, TODAY

from iopdesk.db.engine import make_engine, make_session_factory
from iopdesk.db.migrate import run_migrations
from iopdesk.demo import DEMO_PASSWORD, build_demo
from iopdesk.domain.enums import AgeGroup
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import build_services


def test_the_demo_practice_works_on_postgresql(pg_url):
    run_migrations(pg_url)
    engine = make_engine(pg_url)
    try:
        summary = build_demo(engine, seed=DEMO_SEED, as_of=TODAY)
        assert summary.counts["participants"] > 10
        services = build_services(make_session_factory(engine), "pg-desk", audit_key=AUDIT_KEY,
                                  today=lambda: TODAY)
        desk = services.staff.log_in("frontdesk", DEMO_PASSWORD)
        person = services.participants.register(desk, ParticipantInput(
            first_name="Amaru", last_name="Quispe-Mamani", date_of_birth=date(1990, 4, 4),
            referral_date=TODAY))
        assert [r.id for r in services.participants.search(desk, "quispe").rows] == [person.id]
        assert person.id in [r.id for r in services.participants.search(desk, "spe-mam").rows]
        clinician = services.staff.log_in("clinician", DEMO_PASSWORD)
        track = next(t for t in services.staff.tracks(clinician)
                     if t.age_group is AgeGroup.ADULT)
        episode = services.episodes.admit(clinician, person.id, track.id, TODAY,
                                          clinician.user_id)
        assert episode.referral_date == TODAY
        chart = services.chart.open(clinician, person.id)
        assert chart.current_episode_id == episode.id
        report = services.audit.verify(services.staff.log_in("admin", DEMO_PASSWORD))
        assert report.problem is None and report.checked > 0
    finally:
        engine.dispose()
