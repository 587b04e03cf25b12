"""Right-to-left text (Hebrew, Arabic) inside our left-to-right documents.

A PDF holds glyphs in the order they are drawn, left to right; readers and text extractors
turn right-to-left runs back into reading order. So a Hebrew or Arabic name is drawn with
its right-to-left runs reversed: a simplified Unicode Bidirectional Algorithm for a
left-to-right paragraph (no explicit embeddings), enough for names, addresses and short
phrases. Arabic letters are not shaped (no joining forms: ReportLab has no shaper without
extra libraries), so they print in the right order but as separate letters. A right-to-left
passage long enough to wrap shows its lines in reverse order.
"""

from __future__ import annotations

from unicodedata import bidirectional

_RTL = frozenset({"R", "AL"})
_NUMBER = frozenset({"EN", "AN"})
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def has_rtl(text: str) -> bool:
    return any(bidirectional(c) in _RTL for c in text)


def _levels(text: str) -> list[int]:
    """Embedding level of each character: 0 left-to-right, 1 right-to-left, 2 a number
    inside right-to-left text (digits keep their order)."""
    kinds: list[str] = []
    for c in text:
        kind = bidirectional(c)
        if kind == "NSM":                       # a combining mark goes with its base
            kind = kinds[-1] if kinds else "L"
        kinds.append("R" if kind in _RTL else kind)
    levels = [0] * len(text)
    last_strong = "L"
    for i, kind in enumerate(kinds):
        if kind == "L":
            last_strong = "L"
        elif kind == "R":
            last_strong = "R"
            levels[i] = 1
        elif kind in _NUMBER:
            levels[i] = 2 if last_strong == "R" else 0
    # Neutrals between two right-to-left strong characters (numbers count as such) are
    # right-to-left; every other neutral takes the paragraph's direction.
    i = 0
    while i < len(text):
        if kinds[i] in ("L", "R", *_NUMBER):
            i += 1
            continue
        j = i
        while j < len(text) and kinds[j] not in ("L", "R", *_NUMBER):
            j += 1
        before = levels[i - 1] > 0 if i > 0 else False
        after = levels[j] > 0 if j < len(text) else False
        if before and after:
            for k in range(i, j):
                levels[k] = 1
        i = j
    return levels


def visual(text: str) -> str:
    """`text` in drawing order for a left-to-right line (unchanged when it has no RTL).
    A combining mark stays after its base letter."""
    if not has_rtl(text):
        return text
    levels = _levels(text)
    clusters: list[str] = []
    cluster_levels: list[int] = []
    for c, level in zip(text, levels, strict=True):
        if clusters and bidirectional(c) == "NSM":
            clusters[-1] += c
            continue
        clusters.append(c.translate(_MIRROR) if level % 2 else c)
        cluster_levels.append(level)
    for level in (2, 1):
        i = 0
        while i < len(clusters):
            if cluster_levels[i] < level:
                i += 1
                continue
            j = i
            while j < len(clusters) and cluster_levels[j] >= level:
                j += 1
            clusters[i:j] = clusters[i:j][::-1]
            cluster_levels[i:j] = cluster_levels[i:j][::-1]
            i = j
    return "".join(clusters)
