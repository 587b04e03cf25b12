"""`iopdesk print face-sheet|consent --participant CHART [--consent ID] --out FILE.pdf`: a
document of a participant's chart, written to a PDF file as the acting user (`--user`,
password from IOPDESK_PASSWORD or asked). The print and the file are both audited.

The file appears whole or not at all: the PDF goes to a temporary file beside it, the export
is recorded, and only then does the temporary file take the file's name. A file of protected
health information is created readable by its owner only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from iopdesk.cli.acting_user import CommandRefused, log_in, open_services
from iopdesk.cli.common import EXIT_OK, say
from iopdesk.config import Config

DOCUMENTS = {"face-sheet": ("face_sheet", "the participant's face sheet (demographics, "
                                          "contacts, coverage, consents in force)"),
             "consent": ("consent_form", "a consent to release information, prefilled from "
                                         "the consent on record")}


def register(commands, common: argparse.ArgumentParser) -> None:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                         help="who is printing (password: IOPDESK_PASSWORD, or asked)")
    options.add_argument("--participant", metavar="CHART", required=True,
                         help="the participant's chart number")
    options.add_argument("--out", metavar="FILE.pdf", required=True, type=Path,
                         help="the PDF file to write (replaced if it exists)")
    printing = commands.add_parser(
        "print", parents=[common], help="print a chart document to a PDF file",
        description="Write a document of a participant's chart to a PDF file. The print and "
                    "the file are recorded in the audit trail.")
    documents = printing.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    for name, (_kind, summary) in DOCUMENTS.items():
        command = documents.add_parser(name, parents=[common, options], help=summary)
        if name == "consent":
            command.add_argument("--consent", metavar="ID", type=int, required=True,
                                 help="the consent's number (shown on the face sheet)")
        command.set_defaults(handler=print_document)


def _check_destination(out: Path) -> Path:
    out = out.expanduser()
    if out.is_dir():
        raise CommandRefused(f"{out} is a folder; give the name of the PDF file to write")
    if not out.parent.is_dir():
        raise CommandRefused(f"the folder {out.parent} does not exist; nothing was written")
    return out


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
    kind = DOCUMENTS[args.document][0]
    out = _check_destination(args.out)
    with open_services(config) as services:
        actor = log_in(services, getattr(args, "user", None))
        participant_id = find_participant(services, actor, args.participant)
        if kind == "face_sheet":
            pdf = services.documents.face_sheet(actor, participant_id)
        else:
            pdf = services.documents.consent_form(actor, args.consent,
                                                  participant_id=participant_id)
        write_recorded(out, pdf, lambda: services.documents.record_export(
            actor, kind, participant_id, str(out)))
    say(f"Wrote {out} ({len(pdf):,} bytes).")
    return EXIT_OK


def write_recorded(out: Path, data: bytes, record) -> None:
    """Write `data` to `out` atomically, calling `record()` once the bytes are safely on
    disk and before the file takes its name: a failed record leaves no file behind."""
    try:
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.",
                                             suffix=".part")
    except OSError as exc:
        raise CommandRefused(f"cannot write in {out.parent}: {exc.strerror or exc}; "
                             "nothing was written") from None
    try:
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise CommandRefused(f"could not write {out}: {exc.strerror or exc}; nothing "
                                 "was written") from None
        record()
        try:
            os.replace(temporary, out)
        except OSError as exc:
            raise CommandRefused(f"could not write {out}: {exc.strerror or exc}; nothing "
                                 "was written (the attempt is in the audit trail)") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
