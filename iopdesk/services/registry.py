"""Finding participants: the statements behind the registry's search and duplicate check.

The search answers in two parts, both in name order and keyset-paged:

1. prefix: what was typed starts a name (last, first or preferred; accents and case folded),
   the chart number or the phone number, or it is the date of birth: a range scan of an
   index on the folded keys per keystroke.
2. contains (SQLite: the FTS5 trigram index of revision 0004; PostgreSQL: LIKE '%…%' on the
   pg_trgm indexes of the narrow key table of revision 0011): the other participants in whose
   names, chart or phone number every typed word of three or more characters appears
   anywhere ("uyen" finds Nguyễn, "3344" the phone ending in 3344). It
   follows the prefix rows, on the page where they run out, so the likeliest person is first
   and the list never shows a row twice.

A `Page.next_after` of the prefix part is `(last_key, first_key, id)`; one of the contains
part starts with CONTAINS_MARK: `("contains",)` for its start, then `("contains", last_key,
first_key, id)`.

Each keystroke runs a statement built once per shape (how many words, which filters…) with
bound parameters, so what varies per keystroke is only the values: building SQLAlchemy
expressions anew costs more than SQLite's answer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (Integer, Select, String, and_, any_, bindparam, column, func,
                        false, literal_column, not_, or_, select, table, tuple_, union)
from sqlalchemy.orm import aliased

from iopdesk.db.models import Participant as ParticipantRowModel
from iopdesk.db.models import ProgramTrack
from iopdesk.db.search_index import TABLE as SEARCH_TABLE
from iopdesk.domain.errors import ValidationError
from iopdesk.domain.names import digits_only, prefix_upper_bound, search_key
from iopdesk.domain.readmodels import ParticipantRow
from iopdesk.domain.validation import ParticipantInput, parse_date, phone_digits

CONTAINS_MIN = 3              # trigrams: a shorter word cannot be looked up "inside" names
CONTAINS_MARK = "contains"
FIRST_PAGE_FLAG = 11          # first_page_plan's rows: the column saying "a prefix row"
DUPLICATES_MAX = 20
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}/\d{1,2}/\d{4}$")
_NUMBER_LIKE = re.compile(r"[\d\s()+.-]+")
_SEARCH_INDEX = table(SEARCH_TABLE, column("rowid"))
# PostgreSQL's narrow table of the search's keys (revision 0011), kept by a trigger
_KEYS = table("participant_search_keys", column("id", Integer()),
              *(column(name, String()) for name in (
                  "last_name_key", "first_name_key", "preferred_name_key", "chart_number",
                  "phone_digits", "current_status", "words", "numbers")),
              column("current_track_id", Integer()), column("primary_clinician_id", Integer()))
_P = ParticipantRowModel
_NAME_KEYS = (_P.last_name_key, _P.first_name_key, _P.preferred_name_key)


# ---- what was typed --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Typed:
    """The text, read once: its kind and the values the statements are given."""

    kind: str                       # "all", "date", "nothing", "number", "words"
    words: tuple[str, ...] = ()     # folded names
    chart: str = ""                 # a chart-number prefix, as typed
    digits: str = ""                # phone digits, three or more
    born: date | None = None

    @property
    def shape(self) -> tuple:
        return (self.kind, len(self.words), bool(self.chart), bool(self.digits))

    def prefix_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.born is not None:
            params["born"] = self.born
        for name, value in (("c", self.chart), ("d", self.digits)):
            if value:
                params[f"{name}_lo"], params[f"{name}_hi"] = value, prefix_upper_bound(value)
        for i, word in enumerate(self.words):
            params[f"w{i}_lo"], params[f"w{i}_hi"] = word, prefix_upper_bound(word)
        return params

    def contains_terms(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """(the words looked up inside, the positions of those too short for that, which
        still start a name); ((), ()) when no word qualifies."""
        if self.kind == "number":
            return ((self.digits,), ()) if len(self.digits) >= CONTAINS_MIN else ((), ())
        if self.kind != "words":
            return (), ()
        terms = tuple(w for w in self.words if len(w) >= CONTAINS_MIN)
        short = tuple(i for i, w in enumerate(self.words) if len(w) < CONTAINS_MIN)
        return (terms, short) if terms else ((), ())


@functools.lru_cache(maxsize=256)
def _read(text: str) -> _Typed:
    typed = text.strip()
    if not typed:
        return _Typed("all")
    if _DATE_LIKE.match(typed):
        try:
            return _Typed("date", born=parse_date(typed))
        except ValidationError:
            return _Typed("nothing")   # an impossible date matches no one
    digits = digits_only(typed)
    if digits and _NUMBER_LIKE.fullmatch(typed):
        return _Typed("number", chart=typed.replace(" ", ""),
                      digits=digits if len(digits) >= 3 else "")
    words = tuple(search_key(typed.replace(",", " ")).split())
    if not words:
        return _Typed("all")
    chart = typed if len(words) == 1 and re.fullmatch(r"[A-Za-z0-9-]+", typed) else ""
    return _Typed("words", words=words, chart=chart)


# ---- conditions, with bound parameters named as in _Typed.prefix_params ---------------------

def _range(col, name: str):
    return and_(col >= bindparam(f"{name}_lo", type_=String()),
                col < bindparam(f"{name}_hi", type_=String()))


def _name_prefix(name: str, p=_P):
    return or_(*(_range(getattr(p, col.key), name) for col in _NAME_KEYS))


def _prefix_condition(shape: tuple, p=_P):
    """What the prefix part finds, over `p` (the participants or an alias of them)."""
    kind, words, chart, digits = shape
    if kind == "all":
        return None
    if kind == "nothing":
        return p.id.is_(None)
    if kind == "date":
        return p.date_of_birth == bindparam("born")
    if kind == "number":
        return or_(_range(p.chart_number, "c"), *([_range(p.phone_digits, "d")] if digits
                                                  else []))
    per_word = [_name_prefix(f"w{i}", p) for i in range(words)]
    if chart:
        per_word[0] = or_(per_word[0], _range(p.chart_number, "c"))
    return and_(*per_word)


def _contains_condition(short: tuple[int, ...]):
    """SQLite: every term inside a name, chart or phone (the FTS5 index), and each short word
    starting a name."""
    found = _P.id.in_(select(_SEARCH_INDEX.c.rowid).where(
        literal_column(SEARCH_TABLE).op("MATCH")(bindparam("match", type_=String()))))
    return and_(found, *(_name_prefix(f"w{i}") for i in short))


def _pg_hits(shape: tuple, terms: int, short: tuple[int, ...], filters: tuple[bool, ...], *,
             prefix_first: bool):
    """PostgreSQL: the rows in which every term appears (and each short word starts a name),
    as (id, last key, first key, is_prefix), from the narrow table of revision 0011: one
    scan of the trigram index of its `words` (names and chart) or `numbers` (chart and
    phone), all terms at once, the keys read from rows under half the width of a participant's,
    and LIKE, as the keys are folded already (ILIKE lower-cased every row it rechecked).
    Without `prefix_first` the rows the prefix part lists are left out (is_prefix is then
    false); with it they are kept and flagged, for a first page that answers both parts."""
    keys = _KEYS.c
    inside = keys.numbers if shape[0] == "number" else keys.words
    prefix = _prefix_condition(shape, keys)
    conditions = [inside.like(bindparam(f"t{i}", type_=String()), escape="\\")
                  for i in range(terms)]
    conditions += [_name_prefix(f"w{i}", keys) for i in short]
    if prefix_first:
        flag = func.coalesce(prefix, false())
    else:
        flag = false()
        if prefix is not None:
            conditions.append(not_(prefix))              # listed by the prefix part
    query = select(keys.id, keys.last_name_key, keys.first_name_key,
                   flag.label("is_prefix")).where(*conditions)
    return _filtered(query, (*filters[:4], False), keys).subquery()


def _pg_page_ids(hits, filters: tuple[bool, ...]):
    """`_P.id` among the page's ids of `hits`: prefix rows first, then in name order. (Fetching
    every match by primary key before sorting cost two to three times as much on the large
    demo; one OR over the columns let the planner walk the last-name index in name order
    testing every row, 40 ms for "ker", or read the whole table on a small one.)"""
    ids = select(hits.c.id).order_by(hits.c.is_prefix.desc(), hits.c.last_name_key,
                                     hits.c.first_name_key, hits.c.id)
    if filters[4]:
        ids = ids.limit(bindparam("limit", type_=Integer()))
    return _P.id == any_(func.array(ids.scalar_subquery()))


def _match_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---- statements ------------------------------------------------------------------------------

def _listing() -> Select:
    return (select(_P.id, _P.chart_number, _P.last_name, _P.first_name, _P.preferred_name,
                   _P.date_of_birth, _P.phone, _P.current_status, ProgramTrack.name.label(
                       "track_name"), _P.last_name_key, _P.first_name_key)
            .outerjoin(ProgramTrack, ProgramTrack.id == _P.current_track_id)
            .order_by(_P.last_name_key, _P.first_name_key, _P.id))


def _filtered(query: Select, filters: tuple[bool, ...], p=_P) -> Select:
    """The list's filters, keyset page and limit on `query` (over `p`, the participants or
    an alias of them)."""
    status, track, clinician, after, limit = filters
    if status:
        query = query.where(p.current_status == bindparam("status"))
    if track:
        query = query.where(p.current_track_id == bindparam("track_id"))
    if clinician:
        query = query.where(p.primary_clinician_id == bindparam("clinician_id"))
    if after:
        query = query.where(tuple_(p.last_name_key, p.first_name_key, p.id) > tuple_(
            bindparam("after_last", type_=String()), bindparam("after_first", type_=String()),
            bindparam("after_id", type_=Integer())))
    if limit:
        query = query.limit(bindparam("limit", type_=Integer()))
    return query


@functools.lru_cache(maxsize=512)
def _prefix_statement(shape: tuple, filters: tuple[bool, ...],
                      dialect_name: str = "sqlite") -> Select:
    query = _listing()
    if dialect_name != "sqlite" and shape[0] == "words" and shape[1] == 1:
        return _filtered(query.where(_one_word_pages(shape, filters)), filters)
    condition = _prefix_condition(shape)
    if condition is not None:
        query = query.where(condition)
    return _filtered(query, filters)


def _one_word_pages(shape: tuple, filters: tuple[bool, ...]):
    """PostgreSQL, one word typed (the first keystrokes): each column's matches ordered by
    name and cut to a page on their own, from that column's index, then merged, and the rows
    read by primary key. As one OR over the columns, the planner walked the last-name index
    in name order filtering every row for a word that starts many first names but few last
    names ("re": 75 ms at worst on the large demo, against 8 ms this way)."""
    inner = aliased(_P)
    conditions = [_range(getattr(inner, col.key), "w0") for col in _NAME_KEYS]
    if shape[2]:
        conditions.append(_range(inner.chart_number, "c"))
    pages = []
    for condition in conditions:
        page = select(inner.id, inner.last_name_key, inner.first_name_key).where(condition)
        page = _filtered(page.order_by(inner.last_name_key, inner.first_name_key, inner.id),
                         filters, inner).subquery()
        pages.append(select(page.c.id, page.c.last_name_key, page.c.first_name_key))
    merged = union(*pages).subquery()
    ids = select(merged.c.id).order_by(merged.c.last_name_key, merged.c.first_name_key,
                                       merged.c.id)
    if filters[4]:
        ids = ids.limit(bindparam("limit", type_=Integer()))
    return _P.id == any_(func.array(ids.scalar_subquery()))


@functools.lru_cache(maxsize=512)
def _contains_statement(shape: tuple, terms: int, short: tuple[int, ...], dialect_name: str,
                        filters: tuple[bool, ...]) -> Select:
    if dialect_name != "sqlite":
        hits = _pg_hits(shape, terms, short, filters, prefix_first=False)
        return _listing().where(_pg_page_ids(hits, filters))
    query = _listing().where(_contains_condition(short))
    prefix = _prefix_condition(shape)
    if prefix is not None:   # the rows the prefix part lists already
        query = query.where(not_(prefix))
    return _filtered(query, filters)


@functools.lru_cache(maxsize=512)
def _first_page_statement(shape: tuple, terms: int, short: tuple[int, ...],
                          filters: tuple[bool, ...]) -> Select:
    hits = _pg_hits(shape, terms, short, filters, prefix_first=True)
    flag = func.coalesce(_prefix_condition(shape), false())
    return (_listing().add_columns(flag.label("is_prefix")).where(_pg_page_ids(hits, filters))
            .order_by(None).order_by(flag.desc(), _P.last_name_key, _P.first_name_key, _P.id))


def _filter_params(status, track_id, primary_clinician_id, after, limit) -> tuple[tuple, dict]:
    params: dict[str, Any] = {}
    if status is not None:
        params["status"] = status
    if track_id is not None:
        params["track_id"] = track_id
    if primary_clinician_id is not None:
        params["clinician_id"] = primary_clinician_id
    if after:
        params["after_last"], params["after_first"], params["after_id"] = after
    if limit is not None:
        params["limit"] = limit
    shape = (status is not None, track_id is not None, primary_clinician_id is not None,
             bool(after), limit is not None)
    return shape, params


def prefix_plan(text: str, *, status=None, track_id: int | None = None,
                primary_clinician_id: int | None = None, after: tuple | None = None,
                limit: int | None = None,
                dialect_name: str = "sqlite") -> tuple[Select, dict[str, Any]]:
    """The prefix part's statement and its parameters."""
    typed = _read(text)
    shape, params = _filter_params(status, track_id, primary_clinician_id, after, limit)
    return (_prefix_statement(typed.shape, shape, dialect_name),
            {**typed.prefix_params(), **params})


def contains_plan(text: str, *, status=None, track_id: int | None = None,
                  primary_clinician_id: int | None = None, after: tuple | None = None,
                  limit: int | None = None,
                  dialect_name: str = "sqlite") -> tuple[Select, dict[str, Any]] | None:
    """The contains part's statement and parameters; None if no word is long enough.
    `after` is a key of this part, without CONTAINS_MARK."""
    typed = _read(text)
    terms, short = typed.contains_terms()
    if not terms:
        return None
    shape, params = _filter_params(status, track_id, primary_clinician_id, after, limit)
    statement = _contains_statement(typed.shape, len(terms), short, dialect_name, shape)
    params.update(typed.prefix_params())
    if dialect_name == "sqlite":
        match = " AND ".join(_match_phrase(t) for t in terms)
        params["match"] = (f"{{chart_number phone_digits}} : ({match})"
                           if typed.kind == "number" else match)
    else:
        params.update({f"t{i}": _like_pattern(t) for i, t in enumerate(terms)})
    return statement, params


def first_page_plan(text: str, *, status=None, track_id: int | None = None,
                    primary_clinician_id: int | None = None, limit: int | None = None,
                    dialect_name: str = "sqlite") -> tuple[Select, dict[str, Any]] | None:
    """PostgreSQL, the first page of words of which one is long enough to look inside names:
    both parts in one statement, the prefix rows first and flagged (column `is_prefix`,
    FIRST_PAGE_FLAG). The trigram scan finds the prefix rows too (a word that starts a name
    is inside it), so the page is the one the two parts give, for one statement instead of
    two per keystroke. None where that does not hold: SQLite, a number (a chart number typed
    with its dashes need not contain the digits), a date, or only short words."""
    if dialect_name == "sqlite":
        return None
    typed = _read(text)
    terms, short = typed.contains_terms()
    if typed.kind != "words" or not terms:
        return None
    shape, params = _filter_params(status, track_id, primary_clinician_id, None, limit)
    params.update(typed.prefix_params())
    params.update({f"t{i}": _like_pattern(t) for i, t in enumerate(terms)})
    return _first_page_statement(typed.shape, len(terms), short, shape), params


def search_condition(text: str):
    """The prefix part's WHERE clause for `text`, values bound (None: everyone)."""
    typed = _read(text)
    condition = _prefix_condition(typed.shape)
    return None if condition is None else condition.params(typed.prefix_params())


def search_query(text: str, status=None, track_id: int | None = None,
                 after: tuple | None = None, *,
                 primary_clinician_id: int | None = None) -> Select:
    """The prefix part of the participant list, values bound (the benchmarks' floor)."""
    statement, params = prefix_plan(text, status=status, track_id=track_id, after=after,
                                    primary_clinician_id=primary_clinician_id)
    return statement.params(params)


def contains_query(text: str, status=None, track_id: int | None = None,
                   after: tuple | None = None, *, primary_clinician_id: int | None = None,
                   dialect_name: str = "sqlite") -> Select | None:
    """The contains part, values bound; None if the text has no word long enough."""
    plan = contains_plan(text, status=status, track_id=track_id, after=after,
                         primary_clinician_id=primary_clinician_id, dialect_name=dialect_name)
    return None if plan is None else plan[0].params(plan[1])


# ---- duplicates ------------------------------------------------------------------------------

def duplicates_query(data: ParticipantInput, exclude_id: int | None = None) -> Select | None:
    """Participants with the same folded first and last name and birth date, or the same
    phone number (two index look-ups); None when the input gives neither to compare."""
    conditions = []
    first, last = search_key(data.first_name), search_key(data.last_name)
    if first and last and data.date_of_birth is not None:
        conditions.append(and_(_P.last_name_key == last, _P.first_name_key == first,
                               _P.date_of_birth == data.date_of_birth))
    phone = phone_digits(data.phone)     # an extension is no part of it
    if phone:
        conditions.append(_P.phone_digits == phone)
    if not conditions:
        return None
    query = _listing().where(or_(*conditions)).limit(DUPLICATES_MAX)
    if exclude_id is not None:
        query = query.where(_P.id != exclude_id)
    return query


# ---- rows ------------------------------------------------------------------------------------

def participant_row(r: Any) -> ParticipantRow:
    """A list line from a row of `_listing()` (positional: a hundred of them per keystroke)."""
    return ParticipantRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "")


def row_key(r: Any) -> tuple[str, str, int]:
    """The keyset position of a listed row."""
    return (r[9], r[10], r[0])
