"""`python -m workers.worker`: an RQ worker (with RQ's scheduler) on settings.rq_queue — the same as
`ecomintel worker`.

Thin on purpose: the worker itself (connection, queue, options) lives in `ecomintel.worker_runtime` and the
jobs are plain functions in `ecomintel` run through `ecomintel.jobs.execute`; this file only turns the command
line into a call. The scheduler is on so retries with a delay (and, later, `enqueue_in` syncs) are moved
back onto the queue when due.
"""

from __future__ import annotations

import argparse
import sys

from ecomintel.config import load_settings
from ecomintel.errors import EcomintelError
from ecomintel.worker_runtime import add_arguments, run_from_args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.worker", description=(__doc__ or "").splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        run_from_args(args, load_settings())
    except EcomintelError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
