"""Is the audit trail still protected? The triggers that make it append-only, checked by name,
table, verb and body, so a dropped or emptied trigger is a failure, never "schema ok".

On PostgreSQL the same guards are triggers too (revision 0009, with TRUNCATE guarded as
well), checked by name, table and being enabled; their bodies are plpgsql functions that only
the schema's owner may replace.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guard:
    name: str
    table: str
    verb: str
    revision: str          # the schema revision that adds it
    protects: str          # what an attacker could do without it


GUARDS: tuple[Guard, ...] = (
    Guard("audit_events_no_update", "audit_events", "UPDATE", "0002",
          "audit events could be edited in place"),
    Guard("audit_events_no_delete", "audit_events", "DELETE", "0002",
          "audit events could be deleted"),
    Guard("audit_chain_head_no_delete", "audit_chain_head", "DELETE", "0005",
          "the end of the audit chain could be deleted"),
    Guard("audit_chain_head_no_insert", "audit_chain_head", "INSERT", "0005",
          "a second end of the audit chain could be added"),
    Guard("audit_chain_head_no_rewind", "audit_chain_head", "UPDATE", "0005",
          "the end of the audit chain could be rewound"),
)

TRIGGER_QUERY = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"


def _squeeze(sql: str | None) -> str:
    return " ".join((sql or "").split()).upper()


def protection_problems(triggers, revision: str | None) -> list[str]:
    """What is wrong with the triggers `(name, table, sql)` of a database at `revision`: one
    sentence each; empty when every guard of that revision is in place."""
    found = {name: (table, _squeeze(sql)) for name, table, sql in triggers}
    problems = []
    for guard in GUARDS:
        if revision is None or revision < guard.revision:
            continue
        if guard.name not in found:
            problems.append(f"the append-only trigger {guard.name} was dropped: "
                            f"{guard.protects} without a trace")
            continue
        table, sql = found[guard.name]
        if (table != guard.table or f"BEFORE {guard.verb} ON {guard.table.upper()}" not in sql
                or "RAISE(ABORT" not in sql):
            problems.append(f"the append-only trigger {guard.name} was replaced by one that "
                            f"does not refuse: {guard.protects}")
    return problems


# PostgreSQL (revision 0009): trigger name -> table, each enabled ("D": disabled).
PG_GUARDS: dict[str, tuple[str, str]] = {
    "audit_events_no_update": ("audit_events", "audit events could be edited in place"),
    "audit_events_no_delete": ("audit_events", "audit events could be deleted"),
    "audit_events_no_truncate": ("audit_events", "every audit event could be deleted at once"),
    "audit_chain_head_no_delete": ("audit_chain_head",
                                   "the end of the audit chain could be deleted"),
    "audit_chain_head_no_truncate": ("audit_chain_head",
                                     "the end of the audit chain could be deleted"),
    "audit_chain_head_no_insert": ("audit_chain_head",
                                   "a second end of the audit chain could be added"),
    "audit_chain_head_no_rewind": ("audit_chain_head",
                                   "the end of the audit chain could be rewound"),
}
PG_GUARDS_REVISION = "0009"
PG_TRIGGER_QUERY = ("SELECT t.tgname, c.relname, t.tgenabled FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")


def pg_protection_problems(triggers, revision: str | None) -> list[str]:
    """What is wrong with the triggers `(name, table, enabled)` of a PostgreSQL database at
    `revision`: one sentence each; empty when every guard is in place and enabled."""
    if revision is None or revision < PG_GUARDS_REVISION:
        return []
    found = {name: (table, enabled) for name, table, enabled in triggers}
    problems = []
    for name, (table, protects) in PG_GUARDS.items():
        if name not in found:
            problems.append(f"the append-only trigger {name} was dropped: {protects} without "
                            "a trace")
        elif found[name][0] != table or found[name][1] == "D":
            problems.append(f"the append-only trigger {name} was switched off or moved: "
                            f"{protects}")
    return problems
