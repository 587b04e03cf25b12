"""Every public service method either declares the permission it needs or is listed, with a
reason, as one that runs without an acting user."""

from __future__ import annotations

import inspect
import typing

from iopdesk.services import Services
from iopdesk.services.permissions import REGISTRY, UNGUARDED


def _public_methods() -> set[str]:
    names = set()
    for cls in typing.get_type_hints(Services).values():
        for name, _member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                names.add(f"{cls.__name__}.{name}")
    return names


def test_every_public_service_method_is_guarded_or_listed_as_unguarded():
    public = _public_methods()
    assert public, "no service methods found"
    unaccounted = public - set(REGISTRY) - set(UNGUARDED)
    assert unaccounted == set(), "guard these with @requires or list them in UNGUARDED"
    assert set(REGISTRY) & set(UNGUARDED) == set()
    assert set(UNGUARDED) <= public, "UNGUARDED names a method that no longer exists"
