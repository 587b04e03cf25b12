"""`python -m iopdesk` is the `iopdesk` command."""

import sys

from iopdesk.cli import main

sys.exit(main())
