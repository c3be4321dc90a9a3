"""The one place where errors become messages and exit codes (DESIGN.md exit codes).

2: nothing audited (bad arguments, unreadable input, missing columns, invalid rules) — one or two
plain lines on stderr. 3: an internal error (a bug) — a traceback only with --debug, and never with
local variables, since the data is personal.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ..atomic import WRITE_FAILURES
from ..errors import FupinAuditError, OutputError
from ..masking import mask_in
from .exitcodes import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NOT_AUDITED,
    EXIT_TERMINATED,
    INTERRUPTED,
)

QUERY_INTERRUPTED = "Query interrupted"
"""DuckDB's RuntimeError when Ctrl-C reaches a query running on the main thread."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so that every cleanup Ctrl-C runs runs too."""


@contextmanager
def user_errors(debug: bool, mask_ids: bool = False) -> Iterator[None]:
    """Errors as messages and exit codes; with ``mask_ids`` an ID in a message (a file's name) is masked."""
    try:
        yield
    except typer.Exit:
        raise
    except FupinAuditError as error:
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(f"错误：{mask_in(str(error)) if mask_ids else error}", file=sys.stderr)
        raise typer.Exit(EXIT_NOT_AUDITED) from None
    except KeyboardInterrupt as stop:
        print(INTERRUPTED, file=sys.stderr)
        raise typer.Exit(EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED) from None
    except Exception as error:  # a bug: say so plainly, details only on request
        if isinstance(error, RuntimeError) and str(error) == QUERY_INTERRUPTED:  # Ctrl-C during a DuckDB query
            print(INTERRUPTED, file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(
            f"内部错误（{type(error).__name__}）：这是 fupin-audit 的缺陷，不是您的数据的问题。"
            "请加 --debug 重新运行并把错误信息（不含数据）报告给维护者。",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


@contextmanager
def reader_may_leave() -> Iterator[None]:
    """Writing results to stdout: a reader that stops early (``| head``) closes the pipe; what is left
    is dropped silently and the command still ends with its own exit code (it was exit 3, an internal error)."""
    try:
        yield
        sys.stdout.flush()  # a failure shows here, not in the final flush that ends the process quietly
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the final flush writes nowhere
    except OSError as error:  # stdout redirected to a full disk (``--json > out.json``): not a bug, exit 2
        if error.errno not in WRITE_FAILURES:
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise OutputError(
            f"无法写出标准输出（{error.strerror}）：输出不完整。请检查标准输出重定向到的磁盘的空间和写入权限。"
        ) from None
