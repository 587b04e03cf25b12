"""Dates and times on screen are the practice's, whatever zone this workstation is set to, and
"today" on screen is the services' today, never the workstation's date."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from clinical_support import complete_intake
from PySide6.QtCore import QLocale
from sqlalchemy import select
from support import STAFF_PASSWORD, TODAY

from iopdesk.db.models import Practice, ProgramTrack
from iopdesk.domain.audit import AuditFilter
from iopdesk.domain.enums import AgeGroup, LevelOfCare, Role, TrackFocus
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.time import format_date_time
from iopdesk.domain.validation import ParticipantInput
from iopdesk.services import intake as intake_service
from iopdesk.ui.admin.audit_model import AuditModel
from iopdesk.ui.admin.users_model import UsersModel
from iopdesk.ui.areas.today import TodayArea
from iopdesk.ui.chart.consents_tab import ConsentDialog, RevokeDialog
from iopdesk.ui.chart.episodes_tab import AdmitDialog
from iopdesk.ui.chart.intake_tab import IntakeTab
from iopdesk.ui.lock import LockScreen

pytestmark = [pytest.mark.usefixtures("fast_hashing"),
              pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset (POSIX)")]

WAIT_MS = 10_000
PRACTICE_ZONE = "America/Los_Angeles"
WORKSTATION_ZONE = "Asia/Tokyo"
# Just after midnight UTC: the 17th in Tokyo, still the 16th in Los Angeles.
SIGNED = datetime(2026, 11, 17, 0, 30, tzinfo=UTC)




@pytest.fixture
def in_los_angeles(practice, workstation_in_tokyo):
    """The set-up practice, its zone Los Angeles, on a workstation set to Tokyo."""
    services = practice.services
    services.settings.update(practice.admin, replace(services.settings.get(),
                                                     time_zone=PRACTICE_ZONE))
    return practice


@pytest.fixture
def signed_intake(in_los_angeles, session_factory, monkeypatch):
    """A clinician, a participant admitted, and their intake signed at SIGNED."""
    practice = in_los_angeles
    with session_factory.begin() as s:
        practice_id = s.scalar(select(Practice.id))
        track = ProgramTrack(practice_id=practice_id, name="Adult SUD IOP",
                             level_of_care=LevelOfCare.IOP, age_group=AgeGroup.ADULT,
                             focus=TrackFocus.SUBSTANCE_USE, min_minutes_per_week=540)
        s.add(track)
        s.flush()
        track_id = track.id
    desk = practice.add_user("desk", Role.FRONT_DESK)
    dana = practice.add_user("dana", Role.CLINICIAN)
    services = practice.services
    person = services.participants.register(desk, ParticipantInput(
        first_name="Amaru", last_name="Quispe", date_of_birth=date(1990, 4, 4)))
    episode = services.episodes.admit(dana, person.id, track_id, date(2026, 11, 2),
                                      dana.user_id)
    draft = services.intake.save_draft(dana, episode.id, complete_intake(), None)
    monkeypatch.setattr(intake_service, "utcnow", lambda: SIGNED)
    signed = services.intake.sign(dana, draft.id, draft.version, STAFF_PASSWORD)
    assert signed.signed_at == SIGNED
    return SimpleNamespace(services=services, clinician=dana, participant_id=person.id,
                           episode_id=episode.id, runner=practice.runner)


def test_a_signed_intake_shows_when_in_the_practice_zone(qtbot, signed_intake):
    world = signed_intake
    tab = IntakeTab(world.services, world.clinician, world.runner, world.participant_id,
                    SimpleNamespace(current_episode_id=world.episode_id))
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        pass
    text = tab.signed_label.text()
    assert text == "Signed by Dana on 2026-11-16 16:30"          # Los Angeles
    assert SIGNED.astimezone().strftime("%Y-%m-%d %H:%M") == "2026-11-17 09:30"   # not Tokyo
    assert "2026-11-17" not in text


def test_the_audit_log_shows_when_in_the_practice_zone(qtbot, in_los_angeles):
    practice = in_los_angeles
    model = AuditModel(practice.services, practice.admin, practice.runner)
    with qtbot.waitSignal(model.page_loaded, timeout=WAIT_MS):
        model.set_filter(AuditFilter())
    assert model.rowCount() > 0
    for row in range(model.rowCount()):
        entry = model.entry_at(row)
        shown = model.index(row, AuditModel.WHEN).data()
        assert shown == format_date_time(entry.occurred_at, PRACTICE_ZONE)
        assert shown != entry.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")


def test_a_lockout_ends_at_the_practice_time(qtbot, in_los_angeles):
    practice = in_los_angeles
    member = replace(practice.services.users.list_users(practice.admin)[0],
                     locked_until=SIGNED)
    model = UsersModel(clock=practice.services.settings.clock)
    model.set_users([member])
    assert model.index(0, UsersModel.STATUS).data() == "Locked until 16:30"


def test_the_lock_screen_says_since_when_in_the_practice_zone(qtbot, in_los_angeles, issuer):
    practice = in_los_angeles
    issuer.now = lambda: SIGNED                       # the services' clock
    screen = LockScreen(practice.services, practice.admin, practice.runner)
    qtbot.addWidget(screen)
    four_thirty = QLocale().toString(datetime(2026, 11, 16, 16, 30).time(),
                                     QLocale.FormatType.ShortFormat)
    nine_thirty = QLocale().toString(datetime(2026, 11, 17, 9, 30).time(),
                                     QLocale.FormatType.ShortFormat)
    assert f"since {four_thirty}" in screen.who_label.text()
    assert nine_thirty not in screen.who_label.text()


def test_today_on_screen_is_the_services_today(qtbot, signed_intake):
    world = signed_intake
    services, dana = world.services, world.clinician
    area = TodayArea(services, dana, world.runner)        # no `today` given
    qtbot.addWidget(area)
    area.reload()
    assert area.date_label.text() == QLocale().toString(TODAY, QLocale.FormatType.LongFormat)
    world.runner.wait_for_done(WAIT_MS)

    consent = ConsentDialog(services, dana, world.runner, world.participant_id)
    qtbot.addWidget(consent)
    assert consent.edits["effective_date"].text() == TODAY.isoformat()
    admit = AdmitDialog(services, dana, world.runner, world.participant_id)
    qtbot.addWidget(admit)
    assert admit.date_edit.date().toPython() == TODAY
    world.runner.wait_for_done(WAIT_MS)


def test_the_revocation_date_starts_at_the_services_today(qtbot, signed_intake):
    from iopdesk.domain.chart import ConsentInput

    world = signed_intake
    view = world.services.consents.add(world.clinician, world.participant_id, ConsentInput(
        recipient_name="County Court", purpose="Court-ordered treatment progress",
        information_scope="Attendance", effective_date=date(2026, 11, 2),
        expiry_date=date(2027, 5, 2), signed_on=date(2026, 11, 2), signed_by="Amaru Quispe"))
    dialog = RevokeDialog(world.services, world.clinician, world.runner, view)
    qtbot.addWidget(dialog)
    assert dialog.date_edit.text() == TODAY.isoformat()


def test_a_bad_time_zone_is_refused_at_its_field(in_los_angeles):
    practice = in_los_angeles
    services = practice.services
    with pytest.raises(ValidationError) as refused:
        services.settings.update(practice.admin, replace(services.settings.get(),
                                                         time_zone="Pacific/Atlantis"))
    assert list(refused.value.fields) == ["time_zone"]
    assert "“Pacific/Atlantis” is not a time zone" in refused.value.fields["time_zone"]
    assert services.settings.time_zone() == PRACTICE_ZONE
