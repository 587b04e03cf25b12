"""The chart's sections are declared once (domain.areas), and what reads the declaration
agrees with the services: every call that names a record by id can say whose record it is
(for an audited refusal), each section's calls need its own permissions, and the tabs a user
may open are the sections their permissions show."""

from __future__ import annotations

import inspect
import typing

import pytest

from iopdesk.db.base import Base
from iopdesk.domain.areas import (NOT_CHART_RECORD_IDS, SECTIONS, print_commands,
                                  record_types, tabs_for)
from iopdesk.domain.enums import Role
from iopdesk.services import Services
from iopdesk.services.context import OWNER_OF, owner_look_up
from iopdesk.services.permissions import REGISTRY, ROLE_PERMISSIONS, Permission


def _guarded_calls() -> dict[str, typing.Callable]:
    calls = {}
    for cls in typing.get_type_hints(Services).values():
        for name, function in inspect.getmembers(cls, inspect.isfunction):
            qualname = f"{cls.__name__}.{name}"
            if qualname in REGISTRY:
                calls[qualname] = function
    return calls


def test_every_call_that_takes_a_record_id_has_an_owner_look_up():
    """A refusal of such a call is audited with whose record it aimed at (context.OWNER_OF);
    a call naming an id nobody can look up would leave the chart out of the trail."""
    missing = {}
    for qualname, function in _guarded_calls().items():
        ids = [p for p in inspect.signature(function).parameters
               if p.endswith("_id") and p != "participant_id"]
        unknown = [p for p in ids if p not in OWNER_OF and p not in NOT_CHART_RECORD_IDS]
        if unknown:
            missing[qualname] = unknown
    assert missing == {}


def test_every_declared_record_id_has_an_owner_look_up():
    declared = {r.id_arg for r in record_types() if r.id_arg}
    assert sorted(declared - set(OWNER_OF)) == []
    assert sorted(set(OWNER_OF) - declared) == []      # and nothing looked up is undeclared


@pytest.mark.parametrize("record", record_types(), ids=lambda r: r.kind.value)
def test_every_record_type_names_a_real_table(record):
    assert record.table in Base.metadata.tables
    if record.id_arg:                                   # whose record it is can be found
        assert owner_look_up(record.table) is not None


def test_a_table_that_belongs_to_no_chart_has_no_owner_look_up():
    with pytest.raises(LookupError, match="program_tracks"):
        owner_look_up("program_tracks")


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_an_owner_look_up_finds_whose_record_it_is(section, services, session_factory):
    """Run against a database: each section's look-up is a query that compiles and runs."""
    for record in section.records:
        if record.id_arg:
            with session_factory() as session:
                assert session.scalar(OWNER_OF[record.id_arg][1], {"id": 10 ** 9}) is None


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_a_section_s_calls_need_its_own_permissions(section):
    service_class = type(None)
    for name, cls in typing.get_type_hints(Services).items():
        if name == section.service:
            service_class = cls
    assert service_class is not type(None), f"Services has no {section.service}"
    needs = {REGISTRY[q] for q in _guarded_calls() if q.startswith(service_class.__name__ + ".")}
    floor = {Permission.VIEW_DEMOGRAPHICS, Permission.VIEW_STAFF}     # everyone has these
    also = {Permission(p) for p in section.also}
    assert needs and needs <= {Permission(section.view), Permission(section.edit), *also, *floor}


@pytest.mark.parametrize("role", list(Role))
def test_the_tabs_a_role_may_open_are_the_sections_its_permissions_show(role):
    granted = frozenset(str(p) for p in ROLE_PERMISSIONS[role])
    tabs = tabs_for(granted)
    clinical = Permission.VIEW_CLINICAL in ROLE_PERMISSIONS[role]
    assert ("intake" in tabs) is clinical and "face_sheet" in tabs


def test_every_section_names_real_permissions_and_unique_keys():
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)
    for s in SECTIONS:
        Permission(s.view), Permission(s.edit)          # a typo raises ValueError
        [Permission(p) for p in s.also]
    names = [c.name for c in print_commands()]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_every_section_s_tab_imports(section):
    from iopdesk.ui.chart.tabs import tab_class

    assert tab_class(section.key).__name__ == section.tab.partition(":")[2]
