"""`python -m bench --sections N [--backend sqlite|postgres] [--json PATH] [--results PATH]
[--no-load] [--no-peers]`: one benchmark run, from the project root with the project's
virtual environment (options: `python -m bench --help`; the design: bench/run.py)."""

import sys

from .run import main

sys.exit(main())
