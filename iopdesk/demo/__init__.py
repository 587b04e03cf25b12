"""The demo practice: a seed tool that fills an empty database with a fictional IOP.

It sits above the services (DESIGN §4): it may use iopdesk.services, iopdesk.domain and
iopdesk.db, and only the entry points (cli, ui) use it. `practice` builds; `people`,
`clinical` (with `course` and `records`), `groups`, `attendance` and `authorizations` write the
history; `data` holds the fixed content; `base` the sink.
"""

from iopdesk.demo.practice import DEMO_ACCOUNTS, DEMO_PASSWORD, SIZES, DemoSummary, build_demo

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "SIZES", "DemoSummary", "build_demo"]
