"""domain/readmodels.py: the frozen snapshots the services return — a page and its end, how a
participant is listed, the current episode, and the defaults of a staff member."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from iopdesk.domain.enums import EpisodeStatus, Role
from iopdesk.domain.readmodels import Episode, Page, Participant, ParticipantRow, StaffMember

BORN = date(1988, 3, 14)


def _episode(id_: int, admitted: date, status=EpisodeStatus.ACTIVE) -> Episode:
    return Episode(id=id_, participant_id=7, track_id=1, track_name="Adult SUD IOP",
                   admission_date=admitted, primary_clinician_id=None,
                   primary_clinician_name="", status=status, discharge_date=None, version=1)


def _participant(*episodes: Episode) -> Participant:
    return Participant(
        id=7, chart_number="C-0007", first_name="Lan", middle_name="", last_name="Nguyễn",
        preferred_name="", pronouns="", date_of_birth=BORN, sex_at_birth="",
        gender_identity="", phone="", phone_ok_to_leave_message=False, alt_phone="", email="",
        address_line1="", address_line2="", city="", state="", postal_code="",
        preferred_contact="", referral_source="", version=1,
        created_at=datetime(2026, 1, 5, tzinfo=UTC), episodes=episodes)


def test_a_page_without_a_continuation_is_the_last():
    last = Page(rows=(1, 2, 3))
    assert last.next_after is None
    assert Page(rows=(), next_after=("Nguyễn", 7)).next_after == ("Nguyễn", 7)
    assert Page(rows=()).rows == ()


@pytest.mark.parametrize("preferred, shown", [
    ("", "Nguyễn, Thị Lan"), ("Lan", "Nguyễn, Thị Lan (Lan)"), ("Thị Lan", "Nguyễn, Thị Lan"),
])
def test_a_participant_row_is_listed_last_name_first(preferred, shown):
    row = ParticipantRow(id=1, chart_number="C-1", last_name="Nguyễn", first_name="Thị Lan",
                         preferred_name=preferred, date_of_birth=BORN, phone="", status=None,
                         track_name="")
    assert row.display_name == shown


def test_the_current_episode_is_the_first_listed_or_none():
    assert _participant().current_episode is None
    newest, older = _episode(2, date(2026, 6, 1)), _episode(1, date(2025, 1, 1),
                                                            EpisodeStatus.DISCHARGED)
    assert _participant(newest, older).current_episode is newest


def test_a_staff_member_is_not_locked_or_waiting_for_a_new_password_by_default():
    member = StaffMember(id=1, username="dana", display_name="Dana", credentials="LCSW",
                         roles=frozenset({Role.CLINICIAN}), active=True, needs_cosign=False,
                         supervisor_id=None)
    assert (member.must_change_password, member.locked_until, member.last_login_at,
            member.email, member.version) == (False, None, None, "", 0)


def test_read_models_cannot_be_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _participant().city = "Salem"
    with pytest.raises(dataclasses.FrozenInstanceError):
        Page(rows=()).next_after = (1,)
