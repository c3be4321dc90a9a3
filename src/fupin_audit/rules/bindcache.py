"""Rule sets already bound cleanly, remembered per user so that an audit does not bind them again.

Binding every derived view and rule against empty tables (``check.compile_problems``) takes 0.3–0.5 s
of CPU at the start of each audit, while the registry is parsed on both cores; a county run from
cron uses the same rules every night. A rule set that bound without a problem is remembered as an
empty file named by a SHA-256 over what binding depends on: the validated rule set (its JSON),
fupin-audit's own source files and the DuckDB version. A change to any of them is a new name, so
the set is bound again. Nothing of the rules or the data is written, only that name.

The files are kept in ``$XDG_CACHE_HOME/fupin-audit/bound-rules`` (``~/.cache`` when XDG_CACHE_HOME is
unset or not absolute), folder mode 0700. The cache is only ever a shortcut: a folder that cannot be
read or written means binding as before, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

import duckdb

from ..userdirs import user_dir
from .model import RuleSet

KEEP = 64
"""Rule sets remembered at most; those used longest ago are forgotten first."""


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/fupin-audit/bound-rules``; ``~/.cache`` when XDG_CACHE_HOME is unset or not absolute."""
    return user_dir("XDG_CACHE_HOME", ".cache") / "bound-rules"


def is_bound(key: str) -> bool:
    """Whether the rule set of ``key`` (``cache_key``) bound cleanly before (its file is then touched:
    the rule sets used longest ago are the ones forgotten)."""
    try:
        os.utime(cache_dir() / key)
    except OSError:
        return False
    return True


def remember(key: str) -> None:
    """Note that the rule set of ``key`` bound cleanly (best effort: nothing is raised)."""
    folder = cache_dir()
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (folder / key).touch()
        known = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)
        for stale in known[:-KEEP]:
            stale.unlink(missing_ok=True)


def cache_key(ruleset: RuleSet) -> str:
    """The rule set's name in the cache: with this fupin-audit and this DuckDB."""
    digest = hashlib.sha256(ruleset.model_dump_json().encode("utf-8"))
    digest.update(b"\0" + duckdb.__version__.encode("ascii") + b"\0" + _source_digest())
    return digest.hexdigest()


@functools.cache
def _source_digest() -> bytes:
    """SHA-256 over fupin-audit's Python files (names and contents): the catalogue, the macros and
    the session binding is done in are all defined there."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()
