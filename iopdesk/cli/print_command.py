"""`iopdesk print face-sheet|consent|intake --participant CHART [--consent ID] --out FILE.pdf`:
a document of a participant's chart (the sub-commands are the `PrintCommand`s the chart's
sections declare, domain.areas), written to a PDF file as the acting user (`--user`, password
from IOPDESK_PASSWORD or asked). The print and the file are both audited.
`iopdesk print sign-in-sheet --meeting ID [--out FILE.pdf]`: a group meeting's sign-in sheet,
the same way (by default to sign-in-sheet-ID.pdf in the current folder).

The file appears whole or not at all: the PDF goes to a temporary file beside it, the export
is recorded, and only then does the temporary file take the file's name. A file of protected
health information is created readable by its owner only. An existing file is replaced only
with `--force`, and never when it is read-only for the user, a link or not a plain file
(iopdesk.services.files); a refusal comes before logging in, so nothing is printed or audited.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from iopdesk.cli.acting_user import CommandRefused, log_in, open_services
from iopdesk.cli.common import EXIT_OK, say
from iopdesk.config import Config
from iopdesk.domain.areas import print_commands
from iopdesk.domain.errors import DestinationExists, FileNotWritten
from iopdesk.services.files import check_destination, write_private_file

# `iopdesk print NAME`: the sub-commands the chart's sections declare (domain.areas).
COMMANDS = {command.name: command for command in print_commands()}
SIGN_IN_SHEET = "sign-in-sheet"


def register(commands, common: argparse.ArgumentParser) -> None:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                         help="who is printing (password: IOPDESK_PASSWORD, or asked)")
    options.add_argument("--participant", metavar="CHART", required=True,
                         help="the participant's chart number")
    options.add_argument("--out", metavar="FILE.pdf", required=True, type=Path,
                         help="the PDF file to write (an existing file is kept unless "
                              "--force is given)")
    options.add_argument("--force", action="store_true",
                         help="replace FILE.pdf if it exists (never a read-only file)")
    printing = commands.add_parser(
        "print", parents=[common], help="print a chart document or a sign-in sheet to a PDF file",
        description="Write a document of a participant's chart, or a group meeting's sign-in "
                    "sheet, to a PDF file. The print and the file are recorded in the audit "
                    "trail.")
    documents = printing.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    for declared in print_commands():
        command = documents.add_parser(declared.name, parents=[common, options],
                                       help=declared.summary)
        if declared.record_id:
            command.add_argument(f"--{declared.record_id}", metavar="ID", type=int,
                                 required=True, help=f"the {declared.record_id}'s number "
                                                     "(shown on the face sheet)")
        command.set_defaults(handler=print_document)
    sheet = documents.add_parser(
        SIGN_IN_SHEET, parents=[common], help="a group meeting's sign-in sheet",
        description="Write a group meeting's sign-in sheet (who is expected, times already "
                    "recorded, lines for walk-ins) to a PDF file.")
    sheet.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                       help="who is printing (password: IOPDESK_PASSWORD, or asked)")
    sheet.add_argument("--meeting", metavar="ID", default="",
                       help="the meeting's number (shown on the schedule)")
    sheet.add_argument("--out", metavar="FILE.pdf", type=Path, default=None,
                       help="the PDF file to write (default: sign-in-sheet-ID.pdf here; an "
                            "existing file is kept unless --force is given)")
    sheet.add_argument("--force", action="store_true",
                       help="replace FILE.pdf if it exists (never a read-only file)")
    sheet.set_defaults(handler=print_sign_in_sheet)


def _exists(out: Path) -> str:
    return f"{out} exists; add --force to replace it"


def checked_destination(out: Path, force: bool) -> Path:
    try:
        return check_destination(out, overwrite=force)
    except DestinationExists:
        raise CommandRefused(_exists(out)) from None


def find_participant(services, actor, chart: str) -> int:
    """The id of the participant whose chart number is exactly `chart`."""
    wanted = chart.strip()
    if not wanted:
        raise CommandRefused("give the participant's chart number with --participant")
    after = None
    while True:
        page = services.participants.search(actor, wanted, after=after, limit=500)
        for row in page.rows:
            if row.chart_number.casefold() == wanted.casefold():
                return row.id
        if page.next_after is None:
            raise CommandRefused(f"there is no participant with chart number {wanted}")
        after = page.next_after


def print_document(config: Config, args: argparse.Namespace) -> int:
    command = COMMANDS[args.document]
    kind = command.document
    out = checked_destination(args.out, args.force)
    with open_services(config) as services:
        actor = log_in(services, getattr(args, "user", None))
        participant_id = find_participant(services, actor, args.participant)
        record_id = getattr(args, command.record_id) if command.record_id else None
        pdf = services.documents.render(actor, kind, participant_id, record_id)
        write_recorded(out, pdf, lambda: services.documents.record_export(
            actor, kind, participant_id, str(out)), force=args.force)
    say(f"Wrote {out} ({len(pdf):,} bytes).")
    return EXIT_OK


def whole_number(text: str, option: str, what: str) -> int:
    """`text` as a positive whole number, or a one-line refusal naming `option`."""
    text = (text or "").strip()
    if not text:
        raise CommandRefused(f"give {what} with {option}")
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise CommandRefused(f"{option} {text}: {what} is a whole number, like 42")
    return int(text)


def print_sign_in_sheet(config: Config, args: argparse.Namespace) -> int:
    from iopdesk.services.documents import SIGN_IN_SHEET as KIND

    meeting_id = whole_number(args.meeting, "--meeting", "the meeting's number")
    out = checked_destination(args.out or Path(f"sign-in-sheet-{meeting_id}.pdf"), args.force)
    with open_services(config) as services:
        actor = log_in(services, getattr(args, "user", None))
        pdf = services.documents.sign_in_sheet(actor, meeting_id)
        write_recorded(out, pdf, lambda: services.documents.record_export(
            actor, KIND, None, str(out)), force=args.force)
    say(f"Wrote {out} ({len(pdf):,} bytes).")
    return EXIT_OK


def write_recorded(out: Path, data: bytes, record, *, force: bool) -> None:
    """Write `data` to `out` atomically, calling `record()` once the bytes are safely on
    disk and before the file takes its name: a failed record leaves no file behind."""
    recorded = False

    def record_once() -> None:
        nonlocal recorded
        record()
        recorded = True

    try:
        write_private_file(out, data, overwrite=force, before_replace=record_once)
    except DestinationExists:
        raise CommandRefused(_exists(out) + (" (the attempt is in the audit trail)"
                                             if recorded else "")) from None
    except FileNotWritten as exc:
        if recorded:
            raise CommandRefused(f"{exc} (the attempt is in the audit trail)") from None
        raise
