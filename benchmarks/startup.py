"""The start-up rows: whole processes, each timed from its launch (or from the verified password)
to the first paint of a window, against a bare PySide6 process doing the least that shows the
same kind of window. The child is benchmarks/startup_probe.py (its docstring says what each mode
does), offscreen, on a small demo practice made once per benchmark run in a temporary folder.

Unlike the other rows, nothing is warm here but the operating system's page cache and Python's
bytecode cache: the interpreter's start, every import and Qt's own start-up are in the figures.
The bytecode is cached as an installed app has it, in the temporary folder (PYTHONPYCACHEPREFIX,
even where PYTHONDONTWRITEBYTECODE is set), by one unmeasured launch of each kind.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

PROBE = Path(__file__).resolve().with_name("startup_probe.py")
CHILD_TIMEOUT = 120         # seconds: a child that shows nothing by then is killed
LOGIN_CASE = "log-in window shown, from launch (floor: an empty QMainWindow)"
LOGIN_DIALOG_CASE = ("log-in window shown, from launch (floor: a dialog with two line edits "
                     "and a button box)")
MAIN_CASE = ("main window shown, from the verified password "
             "(floor: a QMainWindow with a 50-row QTableView)")


@contextmanager
def demo_practice(say: Callable[[str], None]) -> Iterator[dict[str, str]]:
    """The environment of a child that opens a fresh small demo practice in a temporary folder
    (its data, configuration and Qt settings all there), removed afterwards."""
    from iopdesk.cli import demo_command
    from iopdesk.config import load_config

    with tempfile.TemporaryDirectory(prefix="iopdesk-startup-") as folder:
        root = Path(folder)
        env = {key: value for key, value in os.environ.items()
               if key != "PYTHONDONTWRITEBYTECODE"}
        env.update({"QT_QPA_PLATFORM": "offscreen",
                    "PYTHONPYCACHEPREFIX": str(root / "pycache"),
                    "IOPDESK_DATA_DIR": str(root / "data"),
                    "IOPDESK_CONFIG_DIR": str(root / "config"),
                    "IOPDESK_DATABASE_URL": str(root / "data" / "demo.sqlite3"),
                    "IOPDESK_WORKSTATION": "benchmark",
                    "XDG_CONFIG_HOME": str(root / "xdg-config")})   # QSettings: not the user's
        say(f"Building a small demo practice in {root} for the start-up rows…")
        with redirect_stdout(sys.stderr):          # its progress is not the results
            demo_command.build(load_config(env=env), seed=1, size="small", as_of=None)
        yield env


def launch(mode: str, env: dict[str, str]) -> float:
    """One child: seconds from its launch to its marker line, or the seconds it reports."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, str(PROBE), mode], env=env, text=True,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=errors)
        timer = threading.Timer(CHILD_TIMEOUT, child.kill)
        timer.start()
        try:
            value = None
            for line in child.stdout:
                if line.startswith("STARTUP "):
                    arrived = time.perf_counter()
                    value = line.split()[2]
                    break
            child.stdout.read()
            code = child.wait()
        finally:
            timer.cancel()
            if child.poll() is None:
                child.kill()
                child.wait()
        if value is None or code != 0:
            errors.seek(0)
            raise RuntimeError(f"startup_probe.py {mode} failed (exit code {code}):\n"
                               + errors.read().decode(errors="replace")[-4000:])
    return arrived - started if value == "-" else float(value)


def medians(modes: tuple[str, ...], env: dict[str, str], runs: int) -> list[float]:
    """The median of `runs` launches of each mode, interleaved, after one unmeasured launch
    of each (which also writes its bytecode)."""
    for mode in modes:
        launch(mode, env)
    times: list[list[float]] = [[] for _ in modes]
    for _ in range(runs):
        for mode, seconds in zip(modes, times, strict=True):
            seconds.append(launch(mode, env))
    return [statistics.median(seconds) for seconds in times]


def startup_rows(runs: int, say: Callable[[str], None]) -> list[tuple[str, float, float, int]]:
    """(case, IOPDesk median, floor median, runs): the log-in window against an empty window
    and against a bare dialog like it, and the main window."""
    with demo_practice(say) as env:
        say(f"Start-up: log-in window, {runs} launches of each kind…")
        login, empty, dialog = medians(("login", "login-floor", "dialog-floor"), env, runs)
        say(f"Start-up: main window, {runs} launches of each kind…")
        main, table = medians(("main", "main-floor"), env, runs)
    return [(LOGIN_CASE, login, empty, runs), (LOGIN_DIALOG_CASE, login, dialog, runs),
            (MAIN_CASE, main, table, runs)]
