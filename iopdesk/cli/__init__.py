"""The `iopdesk` command: the app by default, sub-commands for scripted work.

`main.py` assembles the parser from the command modules listed there; each module has a
`register(commands, common)` that adds its sub-command with a `handler(config, args)`.
"""

from iopdesk.cli.main import main

__all__ = ["main"]
