"""The demo practice's public accounts: shown on its log-in window (DESIGN §8) and made by the
demo seed tool (iopdesk.demo). Fictional, and public on purpose: the demo holds no real data.
Here, in the domain, so that the log-in window need not import the seed tool."""

from __future__ import annotations

from iopdesk.domain.enums import Role

DEMO_PASSWORD = "iopdesk-demo"
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("admin", "Morgan Ellis", (Role.ADMIN,)),
    ("frontdesk", "Rosa Delgado", (Role.FRONT_DESK,)),
    ("clinician", "Dana Whitfield", (Role.CLINICIAN,)),
    ("supervisor", "Samuel Okafor", (Role.CLINICIAN, Role.SUPERVISOR)),
    ("associate", "Jamie Tran", (Role.CLINICIAN,)),   # needs co-signature by "supervisor"
)
