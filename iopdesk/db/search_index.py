"""The participant search index: an SQLite FTS5 trigram table that no ORM model maps (on
PostgreSQL, the narrow table `participant_search_keys` with pg_trgm GIN indexes, revision 0011).

Revision 0004 creates it over the folded search keys (see iopdesk.domain.names.search_key), the
chart number and the phone digits, with triggers that keep it in step with `participants`
(whoever writes: the services, the demo's bulk inserts, a restore). It answers "contains"
searches ("uyen" finds Nguyễn) without reading every row. PostgreSQL's twin is
`participant_search_keys` (revision 0011), kept by a trigger too; its name starts like the
FTS table's shadow tables, so the filter below leaves it out of model comparisons as well.

Alembic's model comparison must not take its tables for stray ones: `include_name` is the
filter that the migration environment and the drift test both use.
"""

from __future__ import annotations

TABLE = "participant_search"
COLUMNS = ("last_name_key", "first_name_key", "preferred_name_key", "chart_number",
           "phone_digits")
TRIGGERS = ("participant_search_insert", "participant_search_delete",
            "participant_search_update")
TRIGRAM_PREFIX = "ix_participants_trgm_"     # PostgreSQL's indexes of the same search


def is_search_index(name: str) -> bool:
    """The FTS table or one of its shadow tables (participant_search_data, _idx, …)."""
    return name == TABLE or name.startswith(f"{TABLE}_")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name` hook: leave the search index out of model comparisons."""
    if name is None:
        return True
    if type_ == "index" and name.startswith(TRIGRAM_PREFIX):
        return False
    return not (type_ == "table" and is_search_index(name))
