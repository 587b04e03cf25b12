"""Scoring of the standard measures (DOMAIN.md, Measures; INSTRUMENTS.md): pure arithmetic.

`score(instrument, items)` checks the answers (one per item, each a whole number in the item's
range) and returns the total, its severity band and the flags a clinician must see (a PHQ-9
whose item 9 is above 0 carries `SUICIDE_RISK`). `total` and `band` are the two halves.

- PHQ-9: 9 items 0–3, total 0–27: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately
  severe, 20–27 severe. Item 9 above 0: the suicide-risk flag.
- GAD-7: 7 items 0–3, total 0–21: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.
- AUDIT-C: 3 items 0–4, total 0–12: a positive screen at 4 or more, for women at 3 or more.
- DAST-10: 10 answers, 1 for Yes and 0 for No; each Yes scores a point except item 3 ("able to
  stop when you want"), which scores for No. Total 0–10: 0 none, 1–2 low, 3–5 moderate,
  6–8 substantial, 9–10 severe.

The BAM has no total (it is read as three sub-scores) and is not scored here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from iopdesk.domain.enums import Instrument
from iopdesk.domain.errors import ValidationError

SUICIDE_RISK = "suicide_risk"      # the flag of a PHQ-9 whose item 9 is above 0
PHQ9_SUICIDE_ITEM = 9              # "Thoughts that you would be better off dead ..."


@dataclass(frozen=True)
class Scale:
    """How one instrument is scored: its items' range and its bands (highest total, name)."""

    name: str                                   # as printed: "PHQ-9"
    items: int
    highest_answer: int
    bands: tuple[tuple[int, str], ...]          # ascending; the last one tops the total
    reversed_items: tuple[int, ...] = ()        # 1-based; they score `highest_answer - answer`

    @property
    def highest_total(self) -> int:
        return self.bands[-1][0]


SCALES: dict[Instrument, Scale] = {
    Instrument.PHQ9: Scale("PHQ-9", 9, 3, ((4, "minimal"), (9, "mild"), (14, "moderate"),
                                           (19, "moderately severe"), (27, "severe"))),
    Instrument.GAD7: Scale("GAD-7", 7, 3, ((4, "minimal"), (9, "mild"), (14, "moderate"),
                                           (21, "severe"))),
    # AUDIT-C's band depends on the person (see `band`); these are the men's cut-offs.
    Instrument.AUDITC: Scale("AUDIT-C", 3, 4, ((3, "negative screen"), (12, "positive screen"))),
    Instrument.DAST10: Scale("DAST-10", 10, 1, ((0, "none"), (2, "low"), (5, "moderate"),
                                                (8, "substantial"), (10, "severe")),
                             reversed_items=(3,)),
}
AUDITC_POSITIVE_MEN, AUDITC_POSITIVE_WOMEN = 4, 3


@dataclass(frozen=True)
class Score:
    total: int
    band: str
    flags: tuple[str, ...] = ()


def scale(instrument: Instrument | str) -> Scale:
    """The scoring of `instrument`; ValueError for one with no total (the BAM) or unknown."""
    try:
        return SCALES[Instrument(instrument)]
    except (KeyError, ValueError):
        raise ValueError(f"{instrument!r} has no total score") from None


def check_items(instrument: Instrument | str, items: Sequence[int] | None) -> list[int]:
    """The answers as a list; ValidationError unless there is one whole number in range for
    each item."""
    rules = scale(instrument)
    if items is None or isinstance(items, str | bytes):
        raise ValidationError({"items": f"{rules.name} needs its {rules.items} answers"})
    answers = list(items)
    if len(answers) != rules.items:
        raise ValidationError({"items": f"{rules.name} has {rules.items} items; "
                                        f"{len(answers)} answers were given"})
    for number, answer in enumerate(answers, 1):
        if answer is None:
            raise ValidationError({"items": f"{rules.name} item {number} is not answered"})
        if (isinstance(answer, bool) or not isinstance(answer, int)
                or not 0 <= answer <= rules.highest_answer):
            raise ValidationError({"items": f"{rules.name} item {number} is answered 0 to "
                                            f"{rules.highest_answer}, not {answer!r}"})
    return answers


def total(instrument: Instrument | str, items: Sequence[int] | None) -> int:
    """The total score of checked answers (reverse-scored items counted the other way)."""
    rules = scale(instrument)
    answers = check_items(instrument, items)
    return sum(rules.highest_answer - answer if number in rules.reversed_items else answer
               for number, answer in enumerate(answers, 1))


def band(instrument: Instrument | str, total_score: int, *, female: bool = False) -> str:
    """The severity band (or screen result) of a total; `female` matters only to AUDIT-C."""
    rules = scale(instrument)
    if (isinstance(total_score, bool) or not isinstance(total_score, int)
            or not 0 <= total_score <= rules.highest_total):
        raise ValidationError({"total": f"a {rules.name} total is 0 to {rules.highest_total}, "
                                        f"not {total_score!r}"})
    if Instrument(instrument) is Instrument.AUDITC:
        cut = AUDITC_POSITIVE_WOMEN if female else AUDITC_POSITIVE_MEN
        return "positive screen" if total_score >= cut else "negative screen"
    return next(name for top, name in rules.bands if total_score <= top)


def suicide_item_positive(items: Sequence[int] | None) -> bool:
    """Whether a PHQ-9's item 9 is above 0 (the answers checked first)."""
    return check_items(Instrument.PHQ9, items)[PHQ9_SUICIDE_ITEM - 1] > 0


def flags(instrument: Instrument | str, items: Sequence[int] | None) -> tuple[str, ...]:
    """What must reach the clinician: `SUICIDE_RISK` for a PHQ-9 with item 9 above 0."""
    answers = check_items(instrument, items)
    if Instrument(instrument) is Instrument.PHQ9 and suicide_item_positive(answers):
        return (SUICIDE_RISK,)
    return ()


def score(instrument: Instrument | str, items: Sequence[int] | None, *,
          female: bool = False) -> Score:
    """Total, band and flags of one administration; ValidationError for bad answers."""
    points = total(instrument, items)
    return Score(points, band(instrument, points, female=female), flags(instrument, items))
