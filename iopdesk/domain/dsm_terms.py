"""What clinicians type, in ICD-10-CM's words: the abbreviations of a diagnosis search spelled
out, and the DSM-5-TR substance use disorders ("opioid use disorder, severe", "AUD mild",
"cannabis use disorder in sustained remission") as the ICD-10-CM codes DSM-5-TR gives them.

ICD-10-CM words these disorders as abuse (mild) and dependence (moderate or severe), so a search
for the clinician's words alone finds them only through inclusion terms, and in no useful
order. `use_disorder_codes` names the codes of what was typed, best first; the code table
(iopdesk.services.icd10) puts them before its word matches. Pure: no file, no table. Every code
here is a billable code of the classification the table is built from (a test checks it
against the real table); the correspondences are DSM-5-TR's coding notes, which the
classification's own inclusion terms repeat ("Alcohol use disorder, moderate" under F10.20).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from iopdesk.domain.names import search_key

_WORD_SPLIT = re.compile(r"[\W_]+")

# Abbreviations clinicians type that ICD-10-CM descriptions spell out: whole words, any case.
# Only the common and unambiguous ones: not SUD (no single disorder), CUD (cannabis or
# cocaine), ASD (autism spectrum or acute stress), BPD (borderline or bipolar), PDD
# (persistent depressive or pervasive developmental), SAD, BED or ADD (ordinary words too).
ABBREVIATIONS: dict[str, str] = {
    "adhd": "attention-deficit hyperactivity disorder",
    "aud": "alcohol use disorder",
    "dmdd": "disruptive mood dysregulation disorder",
    "gad": "generalized anxiety disorder",
    "mdd": "major depressive disorder",
    "ocd": "obsessive-compulsive disorder",
    "odd": "oppositional defiant disorder",
    "oud": "opioid use disorder",
    "pmdd": "premenstrual dysphoric disorder",
    "ptsd": "post-traumatic stress disorder",
}


def fold_words(text: str) -> list[str]:
    """`text` as folded words (accents and case removed), split at anything not a letter or
    digit, in the order typed."""
    return [word for word in _WORD_SPLIT.split(search_key(text)) if word]


_EXPANDED = {abbreviation: tuple(fold_words(words))
             for abbreviation, words in ABBREVIATIONS.items()}


def typed_words(text: str) -> list[str]:
    """The folded words of `text` with every abbreviation spelled out ("OUD severe" ->
    opioid, use, disorder, severe), in the order typed, repeats kept."""
    return [part for word in fold_words(text) for part in _EXPANDED.get(word, (word,))]


# ------------------------------------------------------------------ substance use disorders
@dataclass(frozen=True)
class UseDisorderCodes:
    """The ICD-10-CM codes of one DSM-5-TR substance use disorder, by current severity and
    remission ("in early remission" and "in sustained remission" are coded alike)."""

    name: str                                      # as DSM-5-TR names it
    mild: tuple[str, ...]
    moderate_or_severe: tuple[str, ...]
    mild_in_remission: tuple[str, ...]
    moderate_or_severe_in_remission: tuple[str, ...]

    def codes(self, severities: frozenset[str], remission: bool) -> tuple[str, ...]:
        """The codes for the severities given (every severity when none is), mild first."""
        chosen = severities or SEVERITIES
        found: list[str] = []
        if "mild" in chosen:
            found += self.mild_in_remission if remission else self.mild
        if chosen & {"moderate", "severe"}:
            found += (self.moderate_or_severe_in_remission if remission
                      else self.moderate_or_severe)
        return tuple(dict.fromkeys(found))

    def all_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.mild, *self.moderate_or_severe,
                                    *self.mild_in_remission,
                                    *self.moderate_or_severe_in_remission)))


def _coded(name: str, category: str) -> UseDisorderCodes:
    """The usual pattern: mild is abuse (.10; .11 in remission), moderate or severe is
    dependence (.20; .21 in remission)."""
    return UseDisorderCodes(name, (f"{category}.10",), (f"{category}.20",),
                            (f"{category}.11",), (f"{category}.21",))


# Keyed by the substance's word in this module's grammar.
USE_DISORDERS: dict[str, UseDisorderCodes] = {
    "alcohol": _coded("Alcohol use disorder", "F10"),
    "opioid": _coded("Opioid use disorder", "F11"),
    "cannabis": _coded("Cannabis use disorder", "F12"),
    "sedative": _coded("Sedative, hypnotic, or anxiolytic use disorder", "F13"),
    "cocaine": _coded("Stimulant use disorder, cocaine", "F14"),
    "stimulant": _coded("Stimulant use disorder, amphetamine-type substance or other or "
                        "unspecified stimulant", "F15"),
    "hallucinogen": _coded("Other hallucinogen use disorder; phencyclidine use disorder", "F16"),
    # DSM-5-TR codes mild tobacco use disorder Z72.0 (tobacco use); ICD-10-CM lists
    # "Tobacco use disorder, mild" under F17.200 and "..., mild, in early (sustained)
    # remission" under F17.201, so both are offered for mild, DSM-5-TR's first.
    "tobacco": UseDisorderCodes("Tobacco use disorder", ("Z72.0", "F17.200"), ("F17.200",),
                                ("F17.201",), ("F17.201",)),
    "inhalant": _coded("Inhalant use disorder", "F18"),
    "other": _coded("Other (or unknown) substance use disorder", "F19"),
}

# The words that name a substance (folded), and the disorder each names.
SUBSTANCE_WORDS: dict[str, str] = {
    "alcohol": "alcohol",
    "opioid": "opioid", "opioids": "opioid", "opiate": "opioid", "opiates": "opioid",
    "cannabis": "cannabis", "marijuana": "cannabis",
    "sedative": "sedative", "sedatives": "sedative", "hypnotic": "sedative",
    "hypnotics": "sedative", "anxiolytic": "sedative", "anxiolytics": "sedative",
    "benzodiazepine": "sedative", "benzodiazepines": "sedative",
    "cocaine": "cocaine",
    "stimulant": "stimulant", "stimulants": "stimulant", "amphetamine": "stimulant",
    "amphetamines": "stimulant", "methamphetamine": "stimulant",
    "hallucinogen": "hallucinogen", "hallucinogens": "hallucinogen",
    "phencyclidine": "hallucinogen",
    "tobacco": "tobacco", "nicotine": "tobacco",
    "inhalant": "inhalant", "inhalants": "inhalant",
}
SEVERITIES = frozenset({"mild", "moderate", "severe"})
_OTHER = frozenset({"other", "unknown"})          # "other (or unknown) substance"
_REMISSION = frozenset({"remission", "early", "sustained"})
_FILLERS = frozenset({"in", "or", "and", "type", "substance", "unspecified", "disorder",
                      "disorders"})
_USE = "use"

# Every word of the grammar and what kind of word it is.
_KINDS: dict[str, str] = {
    **{word: "substance" for word in SUBSTANCE_WORDS}, **{word: "other" for word in _OTHER},
    **{word: "severity" for word in SEVERITIES}, **{word: "remission" for word in _REMISSION},
    **{word: "filler" for word in _FILLERS}, _USE: "use",
}
_SORTED_WORDS = sorted(_KINDS)


def _completions(prefix: str, substance_named: bool) -> list[str]:
    """The grammar's words that start with `prefix` (a word still being typed); once a
    substance is named, not the other substances."""
    return [word for word in _SORTED_WORDS if word.startswith(prefix)
            and not (substance_named and _KINDS[word] == "substance")]


def use_disorder_codes(text: str) -> tuple[str, ...]:
    """The ICD-10-CM codes (dotted) of the DSM-5-TR substance use disorder `text` names, best
    first; () when it names none.

    `text` names one when every word is a word of the disorder's name: a substance
    ("alcohol", "opioid", "amphetamine-type substance", "other (or unknown) substance"),
    "use", optionally "disorder", a severity (mild, moderate, severe) and "in early / in
    sustained remission", in any order ("severe opioid use disorder"), abbreviations spelled
    out ("OUD severe"). The last word may be unfinished ("alcohol use disorder, mod"): it
    counts as the word it starts, and is left out while it could still be words of different
    kinds. No severity gives every severity's codes, mild first; no remission, the codes of
    current use. Anything else in `text` ("with withdrawal") names no code here.
    """
    words = typed_words(text)
    if not words:
        return ()
    substances: list[str] = []
    severities: set[str] = set()
    other = remission = use = False

    def take(word: str) -> None:
        nonlocal other, remission, use
        kind = _KINDS[word]
        if kind == "substance":
            substance = SUBSTANCE_WORDS[word]
            if substance not in substances:
                substances.append(substance)
        elif kind == "other":
            other = True
        elif kind == "severity":
            severities.add(word)
        elif kind == "remission":
            remission = True
        elif kind == "use":
            use = True

    *complete, last = words
    for word in complete:
        if word not in _KINDS:
            return ()
        take(word)
    if last in _KINDS:
        take(last)
    else:
        candidates = _completions(last, bool(substances))
        if not candidates:
            return ()
        if len({_KINDS[word] for word in candidates}) == 1:
            for word in candidates:
                take(word)
    if not use:
        return ()
    if not substances and other:
        substances.append("other")      # "other (or unknown) substance", none named
    found: list[str] = []
    for substance in substances:
        found += USE_DISORDERS[substance].codes(frozenset(severities), remission)
    return tuple(dict.fromkeys(found))
