"""Text that cannot mislead: what `text_problem` refuses anywhere in a field, with a message
that names the character by its code point and Unicode name and says where it is ("Last name
contains a text-direction control (U+202E RIGHT-TO-LEFT OVERRIDE) at position 4"):

- control characters: C0 (U+0000–U+001F: NUL, ESC and so terminal escape sequences, TAB,
  line feed…), DEL (U+007F) and C1 (U+0080–U+009F). Single-line fields refuse line breaks and
  tabs too; multi-line fields (notes, purpose) keep line feed, carriage return and tab and
  refuse the rest. U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR are refused everywhere
  (Enter makes a new line in a multi-line field). A single-line field may arrive with a line
  break or tab before or after its text (a paste from a spreadsheet cell): those are white
  space around the text and are trimmed with it; inside the text they are refused. Other
  controls that Python counts as white space (U+001C–U+001F, U+0085) are refused even at the
  ends: `str.split()` would otherwise drop them without a word, so text is checked as typed,
  before it is cleaned.
- direction controls: the embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
  which reorder what is shown ("Trojan Source"), and the invisible direction marks LRM, RLM
  and ALM (U+200E, U+200F, U+061C). Right-to-left names need none of them: Hebrew and Arabic
  letters carry their own direction, which Qt (the Unicode Bidirectional Algorithm) and the PDF
  documents (bidi.py, a simplified form of it) follow. A mark is invisible, so two names that
  look the same would differ ("Cohen" and "Cohen" + RLM), and it moves the neutral characters
  (brackets, hyphens) around it.
- every other format character (Unicode category Cf: ZERO WIDTH SPACE, WORD JOINER, the byte
  order mark U+FEFF, SOFT HYPHEN, invisible operators, interlinear annotation…), except the
  two joiners ZWJ (U+200D) and ZWNJ (U+200C) when they stand between two characters, where
  scripts and emoji need them (Persian plurals: نامه + ZWNJ + ها; Sinhala and Devanagari
  conjuncts; the family emoji: 👩 + ZWJ + 👩 + ZWJ + 👧); and the tag characters
  (U+E0020–U+E007F) only inside the emoji flag of a subdivision (🏴 + tags + CANCEL TAG:
  England, Scotland, Wales).
- characters that show nothing though they are letters or symbols: the Hangul fillers
  (U+115F, U+1160, U+3164, U+FFA0), BRAILLE PATTERN BLANK (U+2800), COMBINING GRAPHEME JOINER
  (U+034F) and the Khmer inherent vowels (U+17B4, U+17B5), which Unicode says not to use.
- U+FFFC OBJECT REPLACEMENT CHARACTER and U+FFFD REPLACEMENT CHARACTER: what a program puts
  where a character was lost; the text was damaged in copying and should be typed again.
- code points that are not characters: unassigned in the Unicode version Python knows
  (`unicodedata.unidata_version`; a character newer than that — a new emoji — is refused until
  Python knows it, as nobody can tell what it would do), private use (Co: no font agrees on
  what it looks like), lone surrogates (Cs) and the noncharacters (U+FDD0–U+FDEF, U+xFFFE,
  U+xFFFF).
- combining marks (Mn, Mc, Me) with nothing to combine with: at the start of the text, after a
  space or line break, or after a refused character; and more than MAX_MARKS marks stacked on
  one character (the "Zalgo" text that spills over the lines around it). Text made only of
  invisible or combining characters is told as "has nothing visible". A variation selector
  (U+FE00–U+FE0F, U+E0100–U+E01EF) is a combining mark: after a character it passes, as emoji
  need it; it cannot reorder or hide anything.

Welcome as typed: every script, with its diacritics and combining vowel signs ("Nguyễn",
"Wiśniewski", "Østergaard", "Zoë", "محمد", "דוד", "José María", "O'Brien-Smith", CJK,
Devanagari), emoji with their variation selectors, skin tones and ZWJ sequences. Runs of white
space (any Unicode space) fold to one space in single-line fields; multi-line fields keep their
lines and lose only the white space around them. Position numbers count characters (code
points) from 1 in the text as typed, before it was cleaned; in a multi-line field they give the
line and the position in that line. A text longer than its field allows is told so first (it is
not read character by character); the first misleading character is named, not all of them.
Text is not normalized (NFC): "Zoë" typed with a combining diaeresis is kept so; search keys
(names.search_key) fold both forms alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TypeVar

TEXT_MAX = 200
MAX_MARKS = 8           # combining marks on one character (Vietnamese: 2, Tibetan stacks: ~6)

T = TypeVar("T")

# ---- naming a character ----------------------------------------------------------------------

# The Unicode name aliases of the control characters, which have no name of their own.
_C0_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
    "ENQUIRY", "ACKNOWLEDGE", "ALERT", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
    "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
    "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE")
_C1_NAMES = (
    "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX",
    "NEXT LINE", "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION", "LINE TABULATION SET", "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING", "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE",
    "CANCEL CHARACTER", "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA",
    "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND")


def character_name(c: str) -> str:
    """"U+001B ESCAPE", "U+202E RIGHT-TO-LEFT OVERRIDE", "U+E000" (no name): how a message
    names a character a person cannot see."""
    code = ord(c)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DELETE"
    elif 0x80 <= code < 0xA0:
        name = _C1_NAMES[code - 0x80]
    else:
        name = unicodedata.name(c, "")
    return f"U+{code:04X} {name}".rstrip()


# ---- what may be in a text -------------------------------------------------------------------

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
_JOINERS = frozenset("\u200c\u200d")
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
_REPLACEMENTS = frozenset("\ufffc\ufffd")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_MULTILINE_OK = frozenset("\n\r\t")
_LINES_AWAY = str.maketrans("", "", "\n\r\t")
_EMOJI_TAG_SEQUENCE = re.compile("\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _is_visible(c: str) -> bool:
    """A letter, digit, punctuation mark or symbol that shows something."""
    return unicodedata.category(c)[0] in "LNPS" and c not in _INVISIBLE


def _is_mark(c: str) -> bool:
    return unicodedata.category(c)[0] == "M"


def _trimmed(c: str) -> bool:
    """White space that may surround a single-line text and is dropped with it."""
    return c in "\t\n\r" or unicodedata.category(c) == "Zs"


def _refusal(c: str, multiline: bool) -> str | None:
    """What kind of character `c` is when it may not be in a text at all, else None."""
    category = unicodedata.category(c)
    if category == "Cc":
        if multiline and c in _MULTILINE_OK:
            return None
        if not multiline and c in _LINE_BREAKS:
            return "a line break"
        return "a tab" if c == "\t" and not multiline else "a control character"
    if category in ("Zl", "Zp"):
        return "a line break" if not multiline else "a line separator other than Enter"
    if c in _BIDI_CONTROLS:
        return "a text-direction control"
    if c in _DIRECTION_MARKS:
        return "an invisible direction mark"
    if category == "Cf":
        return None if c in _JOINERS else "an invisible formatting character"
    if category == "Cs":
        return "a lone surrogate"
    if category == "Co":
        return "a private-use character"
    if category == "Cn":
        if _is_noncharacter(ord(c)):
            return "a noncharacter"
        return f"a code point unassigned in Unicode {unicodedata.unidata_version}"
    if c in _INVISIBLE:
        return "an invisible character"
    if c in _REPLACEMENTS:
        return "a stand-in for a lost character"
    return None


def _where(value: str, index: int, multiline: bool) -> str:
    if multiline and "\n" in value[:index]:
        line_start = value.rfind("\n", 0, index) + 1
        return f"line {value.count(chr(10), 0, index) + 1}, position {index - line_start + 1}"
    return f"position {index + 1}"


def text_problem(value: str, label: str, *, multiline: bool = False) -> str | None:
    """The message for a text that could mislead whoever reads it, else None (see the module's
    description for what is refused). `value` is the text as typed, before cleaning; `label`
    starts the message ("First name contains …")."""
    if value.isascii() and (value.translate(_LINES_AWAY) if multiline else value).isprintable():
        return None             # the usual case, at C speed: letters, digits, punctuation
    end = len(value)
    start = 0
    if not multiline:
        while start < end and _trimmed(value[start]):
            start += 1
        while end > start and _trimmed(value[end - 1]):
            end -= 1
    tags = {i for m in _EMOJI_TAG_SEQUENCE.finditer(value, start, end)
            for i in range(m.start() + 1, m.end())}
    marks = 0                   # combining marks on the current character
    base = False                # the character before can carry a combining mark
    for i in range(start, end):
        c = value[i]
        kind = None if i in tags else _refusal(c, multiline)
        if kind is None and _is_mark(c):
            marks += 1
            if not base:
                kind = "a combining mark with no letter to combine with"
            elif marks > MAX_MARKS:
                kind = f"more than {MAX_MARKS} combining marks on one character"
        elif kind is None and c in _JOINERS:
            following = value[i + 1] if i + 1 < end else ""
            if not base or not following or not _is_visible(following):
                kind = "an invisible joiner that does not stand between two characters"
            base, marks = False, 0
        elif kind is None:
            base, marks = _is_visible(c) or i in tags, 0
        if kind is not None:
            where = _where(value, i, multiline)
            if not any(_is_visible(x) for x in value[start:end]) and (
                    c in _JOINERS or c in _INVISIBLE or _is_mark(c)
                    or unicodedata.category(c) == "Cf" and c not in _BIDI_CONTROLS):
                return (f"{label} has nothing visible: it is made of invisible or combining "
                        f"characters ({character_name(c)} at {where})")
            return f"{label} contains {kind} ({character_name(c)}) at {where}"
    return None


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Single-line text: runs of white space folded to one space; multi-line: only trimmed.
    (Check it with `text_problem` first: `str.split` also drops some controls.)"""
    return value.strip() if multiline else " ".join(value.split())


@dataclass(frozen=True)
class TextRule:
    """How one free-text field is checked: its label in messages, its longest length after
    cleaning (None: another check counts it), whether it is required and may hold lines."""

    label: str
    limit: int | None = TEXT_MAX
    required: bool = False
    multiline: bool = False
    too_long: str = ""          # the message when it is too long, when not the usual one


def check_texts(data: T, rules: Mapping[str, TextRule], errors: dict[str, str]) -> T:
    """`data` (a dataclass) with every text field checked by its rule and cleaned; a problem
    goes into `errors` under the field's name (a field already in `errors` is not checked
    again). Every text field needs a rule: a free-text field nobody checks is a bug."""
    texts = {f.name: getattr(data, f.name) for f in fields(data)  # type: ignore[arg-type]
             if isinstance(getattr(data, f.name), str)}
    if missing := sorted(texts.keys() - rules.keys()):
        raise TypeError(f"{type(data).__name__}: no text rule for {', '.join(missing)}")
    cleaned: dict[str, str] = {}
    for name, value in texts.items():
        rule = rules[name]
        cleaned[name] = text = clean_text(value, multiline=rule.multiline)
        if name in errors:
            continue
        if rule.limit is not None and len(text) > rule.limit:      # before reading it all
            errors[name] = rule.too_long or (f"{rule.label} is longer than {rule.limit:,} "
                                             f"characters ({len(text):,})")
        elif problem := text_problem(value, rule.label, multiline=rule.multiline):
            errors[name] = problem
        elif not text and rule.required:
            errors[name] = f"{rule.label} is required"
    return replace(data, **cleaned)  # type: ignore[type-var]
