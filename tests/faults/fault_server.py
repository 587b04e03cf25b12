"""A fork server for the fault tests: one Python process that imports IOPDesk once, then forks
a fresh process for each job, which the test may kill with SIGKILL at any moment.

Why: starting Python and importing the services takes one to two seconds here, and the fault
suite kills hundreds of writers. A forked child is a real process of its own (its own
connections, files and memory, killed by the kernel like any other), started in a
millisecond. It opens the database itself after the fork: the server never holds one.

The server reads a JSON list of jobs a line on stdin — [{"job": name, "args": {...}, "out":
path, "err": path}, ...] — forks one process for each (they run at the same time), answers
{"pids": [...]} at once, then {"pid": n, "exit": code} or {"pid": n, "signal": number} as
each is gone. A child's stdout and stderr are the files named, flushed at every line, so
what it printed before a kill is all there.

Run as `python fault_server.py` (the test side is `ForkServer` below).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


# -- the server side -------------------------------------------------------------------------

def _child(request: dict) -> None:
    """In the forked process: stdout/stderr to the files asked for, run the job, exit."""
    code = 1                       # an uncaught exception ends Python with 1, as here
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, name in ((1, request["out"]), (2, request["err"])):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        import fault_jobs

        code = fault_jobs.JOBS[request["job"]](**request.get("args", {}))
    except SystemExit as exc:
        if isinstance(exc.code, str):           # sys.exit("message"), as Python shows it
            sys.stderr.write(exc.code + "\n")
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 0)


def _answer(message: dict) -> None:
    sys.__stdout__.write(json.dumps(message) + "\n")
    sys.__stdout__.flush()


def serve() -> None:
    import fault_jobs  # everything a job needs is imported once, before any fork

    fault_jobs.preload(sys.argv[1] if len(sys.argv) > 1 else "")
    _answer({"ready": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        pids = []
        for request in json.loads(line):          # a batch of jobs runs at the same time
            pid = os.fork()
            if pid == 0:
                _child(request)
            pids.append(pid)
        _answer({"pids": pids})
        for _ in pids:
            pid, status = os.wait()
            if os.WIFSIGNALED(status):
                _answer({"pid": pid, "signal": os.WTERMSIG(status)})
            else:
                _answer({"pid": pid, "exit": os.WEXITSTATUS(status)})


# -- the test side ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """How a job ended, and what it wrote."""

    killed: bool
    exit_code: int | None
    out: str
    err: str


class ForkServer:
    """The server process, and the jobs run (and killed) through it."""

    def __init__(self, workdir: Path, template: Path | None = None):
        """`template`: a migrated, empty database the server warms up on (a copy of it)."""
        self.workdir = workdir
        self.runs = 0
        paths = [str(HERE), str(HERE.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        command = [sys.executable, "-u", str(HERE / "fault_server.py"), str(template or "")]
        with open(workdir / "server.err", "wb") as errors:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=errors, env=env,
                                            bufsize=0)
        self._stdout = self.process.stdout.fileno()
        self._pending = b""
        ready = self._read(timeout=120)
        assert "ready" in ready, ready

    def _read(self, timeout: float) -> dict:
        """The server's next answer (its pipe read unbuffered, so select tells the truth)."""
        end = time.monotonic() + timeout
        while b"\n" not in self._pending:
            readable, _, _ = select.select([self._stdout], [], [],
                                           max(0.0, end - time.monotonic()))
            if not readable:
                raise TimeoutError(f"the fork server said nothing for {timeout} s "
                                   f"(see {self.workdir / 'server.err'})")
            chunk = os.read(self._stdout, 65536)
            if not chunk:
                raise RuntimeError("the fork server is gone: "
                                   + (self.workdir / "server.err").read_text()[-2000:])
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def _has_answer(self, timeout: float) -> bool:
        if b"\n" in self._pending:
            return True
        readable, _, _ = select.select([self._stdout], [], [], max(0.0, timeout))
        return bool(readable)

    def start(self, *jobs: tuple[str, dict]) -> list[tuple[int, Path, Path]]:
        """Start the jobs (name, arguments) at once; their pids and output files."""
        requests, files = [], []
        for job, args in jobs:
            self.runs += 1
            out = self.workdir / f"{job}-{self.runs}.out"
            err = self.workdir / f"{job}-{self.runs}.err"
            requests.append({"job": job, "args": args, "out": str(out), "err": str(err)})
            files.append((out, err))
        self.process.stdin.write(json.dumps(requests).encode() + b"\n")
        self.process.stdin.flush()
        answer = self._read(timeout=30)
        while "pids" not in answer:        # the end of a job a failed test did not wait for
            answer = self._read(timeout=120)
        pids = answer["pids"]
        return [(pid, out, err) for pid, (out, err) in zip(pids, files)]

    def finish(self, started: list[tuple[int, Path, Path]], *, kill_after: float | None = None,
               timeout: float = 120) -> list[Outcome]:
        """Wait for the jobs; with `kill_after` (seconds), SIGKILL those still running then."""
        ended: dict[int, dict] = {}
        if kill_after is not None:
            end = time.monotonic() + kill_after
            while len(ended) < len(started):
                if not self._has_answer(end - time.monotonic()):
                    break
                done = self._read(timeout=1)
                ended[done["pid"]] = done
            for pid, _, _ in started:
                if pid not in ended:
                    os.kill(pid, signal.SIGKILL)
        while len(ended) < len(started):
            done = self._read(timeout=timeout)
            ended[done["pid"]] = done
        return [Outcome(killed="signal" in ended[pid], exit_code=ended[pid].get("exit"),
                        out=out.read_text(encoding="utf-8") if out.exists() else "",
                        err=err.read_text(encoding="utf-8") if err.exists() else "")
                for pid, out, err in started]

    def run(self, job: str, *, kill_after: float | None = None, timeout: float = 120,
            **args) -> Outcome:
        """One job, killed after `kill_after` seconds if it still runs then."""
        [outcome] = self.finish(self.start((job, args)), kill_after=kill_after, timeout=timeout)
        return outcome

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


if __name__ == "__main__":
    serve()
