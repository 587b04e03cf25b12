"""ICD-10-CM codes as the rest of the program sees them, and the pure rules of looking one up:
how a typed code is normalised, how typed words become a search, which codes come first.

The code table itself (a small SQLite file built from simple-icd-10-cm) lives in
iopdesk.services.icd10; nothing here touches a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from iopdesk.domain.dsm_terms import typed_words
from iopdesk.domain.errors import IOPDeskError
from iopdesk.domain.names import search_key

NOT_BUILT = "the ICD-10-CM code table is not built yet"
SEARCH_LIMIT_MAX = 200
MAX_WORDS = 12            # a longer paste searches its first words only

# A code typed with or without its dot: a letter, a digit, then up to five more characters
# (letters or digits), e.g. "F10", "f10.2", "F1020", "T40.1X1A", "F32.A".
_CODE_RE = re.compile(r"^([A-Za-z][0-9][0-9A-Za-z]?)(?:\.?([0-9A-Za-z]{0,4}))?$")
_WORD_SPLIT = re.compile(r"[\W_]+")


class CodeTableNotReady(IOPDeskError):
    """The ICD-10-CM code table has not been built (yet), or its build failed."""


@dataclass(frozen=True)
class IcdCode:
    code: str              # dotted, upper case: "F10.20"
    description: str       # "Alcohol dependence, uncomplicated"
    billable: bool = True  # a leaf of the classification (valid on a claim)

    @property
    def label(self) -> str:
        return f"{self.code} {self.description}"


def code_key(text: str) -> str:
    """The stored key of a code: upper case, no dot, no spaces (`"f10.20 "` -> `"F1020"`)."""
    return "".join(text.split()).replace(".", "").upper()


def dotted(key: str) -> str:
    """`"F1020"` -> `"F10.20"`: ICD-10-CM puts the dot after the third character."""
    key = code_key(key)
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


def looks_like_code(text: str) -> bool:
    """True for what can only be (the start of) a code: `F10`, `f10.2`, `F1020`, `T40.1X1A`."""
    return bool(_CODE_RE.match(text.strip()))


def search_words(text: str) -> list[str]:
    """The folded words of a word search (accents and case removed, abbreviations spelled out:
    domain.dsm_terms), in the order typed, each at most once."""
    return list(dict.fromkeys(typed_words(text)))[:MAX_WORDS]


def fts_query(words: list[str]) -> str:
    """An FTS5 query in which every word must match as a word prefix."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def indexed_text(description: str, terms: tuple[str, ...] = ()) -> str:
    """What a code is found by: its description and inclusion terms, folded like a search."""
    return search_key(" ".join((description, *terms)))


def search_order(key: str, description: str, billable: bool) -> tuple:
    """Position of a code in the table, the order a word search reads its matches in (it
    ranks the first of them: result_rank): billable codes first, chapter F (mental, behavioral
    and neurodevelopmental disorders, the program's own) before the others, then shorter (more
    general) descriptions, then the code."""
    return (not billable, not key.startswith("F"), len(description), key)


def _spaced(text: str) -> str:
    """`text` folded like a search, every run of non-word characters one space, with a space
    at each end: " alcohol dependence uncomplicated " (a word start is " " + the word)."""
    folded = text.lower() if text.isascii() else search_key(text)
    return f" {_WORD_SPLIT.sub(' ', folded)} "


@lru_cache(maxsize=4096)      # the same codes come back keystroke after keystroke
def _description_facts(description: str) -> tuple[str, int]:
    """(the description spaced, how particular it is: 0 plain … 3 complicated)."""
    spaced = _spaced(description)
    if " with " in spaced or " induced " in spaced:
        return spaced, 3
    if " remission " in spaced:
        return spaced, 2
    last = _spaced(description.rpartition(",")[2])
    return spaced, 0 if " uncomplicated " in last or " unspecified " in last else 1


def result_rank(words: list[str], key: str, description: str) -> tuple:
    """The order of a word search's results (`words` as search_words gives them): chapter F
    (the program's own) first; in it and after it, the codes whose description itself has a
    word starting with each word typed (not only an inclusion term); then the general before
    the particular — a plain description (ending ", uncomplicated" or ", unspecified…")
    before others, those before one "in remission", and one "with" a complication or naming
    an "-induced" disorder last — then shorter codes, shorter descriptions, and the code."""
    spaced, particular = _description_facts(description)
    at_starts = all(f" {word}" in spaced for word in words)
    return (not key.startswith("F"), not at_starts, particular, len(key), len(description),
            key)


def not_billable_message(code: IcdCode, example: IcdCode | None, count: int) -> str:
    head = f"{code.code} ({code.description}) is a heading, not a billable code"
    if example is None:
        return head
    more = f" — {count} billable codes start with {code.code}" if count > 1 else ""
    return f"{head}: choose a more specific code such as {example.label}{more}"
