"""ICD-10-CM codes as the rest of the program sees them, and the pure rules of looking one up:
how a typed code is normalised, how typed words become a search, which codes come first.

The code table itself (a small SQLite file built from simple-icd-10-cm) lives in
iopdesk.services.icd10; nothing here touches a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from iopdesk.domain.errors import IOPDeskError
from iopdesk.domain.names import search_key

NOT_BUILT = "the ICD-10-CM code table is not built yet"
SEARCH_LIMIT_MAX = 200
MAX_WORDS = 12            # a longer paste searches its first words only

# A code typed with or without its dot: a letter, a digit, then up to five more characters
# (letters or digits), e.g. "F10", "f10.2", "F1020", "T40.1X1A", "F32.A".
_CODE_RE = re.compile(r"^([A-Za-z][0-9][0-9A-Za-z]?)(?:\.?([0-9A-Za-z]{0,4}))?$")
_WORD_SPLIT = re.compile(r"[\W_]+")

# Abbreviations clinicians type that ICD-10-CM descriptions spell out.
ABBREVIATIONS: dict[str, str] = {
    "ptsd": "post traumatic stress",
    "adhd": "attention deficit hyperactivity",
    "ocd": "obsessive compulsive",
    "gad": "generalized anxiety",
    "mdd": "major depressive",
}


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
    """The folded words of a word search (accents and case removed, abbreviations spelled out),
    in the order typed, each at most once."""
    words: list[str] = []
    for word in _WORD_SPLIT.split(search_key(text)):
        for part in ABBREVIATIONS.get(word, word).split():
            if part and part not in words:
                words.append(part)
    return words[:MAX_WORDS]


def fts_query(words: list[str]) -> str:
    """An FTS5 query in which every word must match as a word prefix."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def indexed_text(description: str, terms: tuple[str, ...] = ()) -> str:
    """What a code is found by: its description and inclusion terms, folded like a search."""
    return search_key(" ".join((description, *terms)))


def search_order(key: str, description: str, billable: bool) -> tuple:
    """Position of a code in the table, which is also the order of word-search results:
    billable codes first, chapter F (mental, behavioral and neurodevelopmental disorders, the
    program's own) before the others, then shorter (more general) descriptions, then the code."""
    return (not billable, not key.startswith("F"), len(description), key)


def not_billable_message(code: IcdCode, example: IcdCode | None, count: int) -> str:
    head = f"{code.code} ({code.description}) is a heading, not a billable code"
    if example is None:
        return head
    more = f" — {count} billable codes start with {code.code}" if count > 1 else ""
    return f"{head}: choose a more specific code such as {example.label}{more}"
