"""What the demo's writers share: the build profile, the bulk-insert sink, the build context."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from iopdesk.db.models import Base

FLUSH_ROWS = 20_000


@dataclass(frozen=True)
class Profile:
    participants: int
    history_days: int
    all_tracks: bool
    detail_days: int | None      # group and therapy notes only this far back; None: all
    active: int | None           # open episodes at as_of (None: whatever the years give)



def _template(table) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if default is None or column.name in ("created_at", "updated_at", "occurred_at"):
            values[column.name] = None
        elif default.is_scalar:
            values[column.name] = default.arg
        else:
            values[column.name] = default.arg(None)   # dict / list
    return values


class Sink:
    """Rows waiting for a bulk insert, table by table (parents first); ids are given here."""

    def __init__(self, conn: Connection, say: Callable[[str], None]):
        self.conn, self.say = conn, say
        self.tables = list(Base.metadata.sorted_tables)
        self.buffers: dict[str, list[dict]] = {t.name: [] for t in self.tables}
        self.templates = {t.name: _template(t) for t in self.tables}
        self.buffered: dict[tuple[str, int], dict] = {}
        self.counts: Counter[str] = Counter()
        self.next_ids: dict[str, int] = {}
        for t in self.tables:
            if "id" in t.c and t.c.id.primary_key:
                self.next_ids[t.name] = (conn.scalar(select(func.max(t.c.id))) or 0) + 1
        self.pending = self.written = 0

    def new_id(self, model: type) -> int:
        name = model.__tablename__
        self.next_ids[name] += 1
        return self.next_ids[name] - 1

    def add(self, model: type, at: datetime | None, **values: Any) -> int:
        name = model.__tablename__
        row = dict(self.templates[name])
        if name in self.next_ids and "id" not in values:
            values["id"] = self.new_id(model)
        row.update(values)
        if "created_at" in row and row["created_at"] is None:
            row["created_at"] = at
            if "updated_at" in row and row["updated_at"] is None:
                row["updated_at"] = at
        self.buffers[name].append(row)
        if "id" in row:
            self.buffered[(name, row["id"])] = row
        self.pending += 1
        return row.get("id", 0)

    def update(self, model: type, row_id: int, **changes: Any) -> None:
        row = self.buffered.get((model.__tablename__, row_id))
        if row is not None:
            row.update(changes)
        else:
            table = model.__table__
            self.conn.execute(update(table).where(table.c.id == row_id).values(**changes))

    def maybe_flush(self) -> None:
        """Flush at a point where no row waits for a parent still to be added."""
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            rows = self.buffers[table.name]
            if rows:
                self.conn.execute(insert(table), rows)
                self.counts[table.name] += len(rows)
                rows.clear()
        before, self.written = self.written, self.written + self.pending
        if self.written // 250_000 > before // 250_000:
            self.say(f"{self.written:,} rows written")
        self.buffered.clear()
        self.pending = 0

    def advance_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids given here (SQLite needs nothing)."""
        if self.conn.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {name}")


def _zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/Los_Angeles")
    except Exception:  # noqa: BLE001 - no time-zone database (Windows without tzdata)
        return timezone(timedelta(hours=-8), "PST")


@dataclass
class Ctx:
    """What the writers of the history share: the sink, the clock of the build, the staff."""

    sink: Sink
    rng: random.Random
    as_of: date
    start: date
    detail_from: date
    staff_info: dict[int, tuple[str, str, bool]] = field(default_factory=dict)
    supervisor_id: int = 0
    frontdesk_id: int = 0
    zone: tzinfo = field(default_factory=_zone)
    _times: dict[tuple[date, int, int], datetime] = field(default_factory=dict)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """The UTC instant of a wall-clock time at the practice (Pacific time)."""
        key = (day, hour, minute)
        found = self._times.get(key)
        if found is None:
            found = datetime(day.year, day.month, day.day, hour, minute,
                             tzinfo=self.zone).astimezone(UTC)
            self._times[key] = found
        return found
