"""fupin-audit: audit 建档立卡 poverty-household registries."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
"""The package's version, read by the build from this line (pyproject.toml ``tool.hatch.version``):
looking it up in the installed metadata cost every command ≈ 50 ms."""

if TYPE_CHECKING:
    from .api import audit
    from .result import AuditResult

__all__ = ["AuditResult", "__version__", "audit"]


def __getattr__(name: str) -> object:
    """``audit`` and ``AuditResult``, imported on first use: importing the package itself loads no
    library, so the command line's entry point (``cli.entry``) can end quietly on a Ctrl-C that comes
    while pandas and DuckDB load."""
    if name == "audit":
        from .api import audit

        return audit
    if name == "AuditResult":
        from .result import AuditResult

        return AuditResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
