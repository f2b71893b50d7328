"""`python -m ecomintel …` — the same as the `ecomintel` console script."""

import sys

from ecomintel.cli import main

sys.exit(main())
