"""`iopdesk report hours --week DATE [--track T] [--format csv|pdf] --out FILE`: the week's
attendance and hours report (every participant with an episode open in the week holding DATE,
of one track when `--track` names one, by name or number), written as the acting user
(`--user`). The report and the file are both audited, and the file is written whole or not at
all, readable by its owner only (see print_command). Bad input (a date, a missing --out, a
file that cannot be written) is refused in one line before logging in, and nothing is written.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from iopdesk.cli.acting_user import CommandRefused, log_in, open_services
from iopdesk.cli.common import EXIT_OK, say
from iopdesk.cli.print_command import checked_destination, write_recorded
from iopdesk.config import Config

FORMATS = ("csv", "pdf")


def register(commands, common: argparse.ArgumentParser) -> None:
    reporting = commands.add_parser(
        "report", parents=[common], help="write a report of the practice to a file",
        description="Write a report of the practice to a file. The report and the file are "
                    "recorded in the audit trail.")
    reports = reporting.add_subparsers(dest="report", metavar="REPORT", required=True)
    hours = reports.add_parser(
        "hours", parents=[common], help="the week's attendance and hours against each "
                                        "track's minimum",
        description="Write the attendance and hours of the week holding DATE (every "
                    "participant with an episode open in it) as CSV or PDF.")
    hours.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                       help="who is reporting (password: IOPDESK_PASSWORD, or asked)")
    hours.add_argument("--week", metavar="DATE", default="",
                       help="any day of the week, as YYYY-MM-DD")
    hours.add_argument("--track", metavar="T", default="",
                       help="only this track (its name or number); default: all tracks")
    hours.add_argument("--format", default="", metavar="csv|pdf",
                       help="csv or pdf (default: from FILE's ending, else csv)")
    hours.add_argument("--out", metavar="FILE", type=Path, default=None,
                       help="the file to write (an existing file is kept unless --force)")
    hours.add_argument("--force", action="store_true",
                       help="replace FILE if it exists (never a read-only file)")
    hours.set_defaults(handler=report_hours)


def week_of(text: str) -> date:
    """`--week` as a date, or a one-line refusal."""
    text = (text or "").strip()
    if not text:
        raise CommandRefused("give a day of the week with --week YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandRefused(f"--week {text}: not a date; write it as YYYY-MM-DD, like "
                             "2026-11-16") from None


def format_of(text: str, out: Path) -> str:
    """`--format`, or the one FILE's ending says (.pdf), else csv."""
    text = (text or "").strip().lower()
    if not text:
        return "pdf" if out.suffix.lower() == ".pdf" else "csv"
    if text not in FORMATS:
        raise CommandRefused(f"--format {text}: choose {' or '.join(FORMATS)}")
    return text


def find_track(services, actor, wanted: str) -> int | None:
    """The id of the track named `wanted` (case and spacing aside) or numbered so; None
    for every track."""
    wanted = " ".join((wanted or "").split())
    if not wanted:
        return None
    tracks = services.staff.tracks(actor)
    for track in tracks:
        if track.name.casefold() == wanted.casefold() or str(track.id) == wanted:
            return track.id
    names = ", ".join(f"“{t.name}”" for t in tracks) or "none"
    raise CommandRefused(f"there is no track {wanted}; the tracks are {names}")


def report_hours(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.services.documents import HOURS_REPORT

    day = week_of(args.week)
    if args.out is None:
        raise CommandRefused("give the file to write with --out FILE")
    kind = format_of(args.format, args.out)
    out = checked_destination(args.out, args.force)
    with open_services(config) as services:
        actor = log_in(services, getattr(args, "user", None))
        track_id = find_track(services, actor, args.track)
        data = services.documents.hours_report(actor, day, track_id, format=kind)
        write_recorded(out, data, lambda: services.documents.record_export(
            actor, HOURS_REPORT, None, str(out)), force=args.force)
    say(f"Wrote {out} ({len(data):,} bytes).")
    return EXIT_OK
