"""Search keys for names: case- and accent-insensitive, the same in SQL and Python."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th", "Þ": "th",
    "ı": "i", "ħ": "h", "Ħ": "h",
})


@lru_cache(maxsize=8192)
def search_key(text: str) -> str:
    """Fold `text` for prefix search: `search_key("Nguyễn Łucja") == "nguyen lucja"`.
    Cached: lists sort hundreds of the same names by it on every reload."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix + "\U0010ffff"


def list_name(last: str, first: str, preferred: str) -> str:
    """How a person is listed: "Nguyễn, Lan Thị (Lan)" — the preferred name when it differs."""
    shown = f"{last}, {first}"
    if preferred and preferred != first:
        shown += f" ({preferred})"
    return shown


def digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
