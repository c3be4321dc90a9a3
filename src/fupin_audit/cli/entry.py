"""The ``fupin-audit`` command's entry point: loading the libraries (pandas, pyarrow, DuckDB) takes
about a second, and a Ctrl-C during it ends the run as a Ctrl-C later does (已中断, exit 130), not with
Python's traceback. Meanwhile the Parquet files the command line names are decoded on the other core
(``io.prefetch``)."""

from __future__ import annotations

import os
import sys

from ..io import prefetch
from .exitcodes import EXIT_INTERRUPTED, INTERRUPTED

SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits for it (Python's default: 0.005). The
audit's threads parse, render and compress in Arrow and ISA-L, taking the GIL back between calls,
while another thread runs Python; at the default each such return could wait 5 ms. 500k county,
sixteen alternating pairs against the default: faster in twelve, by 0.16 and 0.23 s at the median of
each eight (and 0.2 ms no faster than 0.5)."""


def main() -> None:
    # numpy's OpenBLAS starts a thread per core that spins after any BLAS call, taking CPU from the
    # audit's own threads (≈ 1% of a county audit's CPU); nothing here is linear algebra
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.setswitchinterval(SWITCH_INTERVAL)  # the command's own process: the library leaves it alone
    try:
        prefetch.start(prefetch.command_files(sys.argv[1:]))
        from .app import main as run_command
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    run_command()
