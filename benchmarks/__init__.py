"""The performance suite: `python -m benchmarks` measures IOPDesk against its floors.

A floor is the same work done by the bare library (the `sqlite3` module), so the ratio shows what
IOPDesk's layers cost. The data is the large demo practice (ten years, 20 000 participants, about
two million attendance rows), built once into `benchmarks/.data/` and reused.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def interleaved(ours: Callable[[], object], floor: Callable[[], object],
                runs: int) -> tuple[list[float], list[float]]:
    """`runs` timings (seconds) of each, taken in turn so that the machine's moods fall on
    both alike: (IOPDesk's, the floor's)."""
    ours_times: list[float] = []
    floor_times: list[float] = []
    for _ in range(runs):
        for fn, times in ((ours, ours_times), (floor, floor_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return ours_times, floor_times
