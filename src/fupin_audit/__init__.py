"""fupin-audit: audit 建档立卡 poverty-household registries."""

__version__ = "0.1.0"
"""The package's version, read by the build from this line (pyproject.toml ``tool.hatch.version``):
looking it up in the installed metadata cost every command ≈ 50 ms."""

from .api import audit  # noqa: E402  (the API needs __version__)
from .result import AuditResult  # noqa: E402

__all__ = ["AuditResult", "__version__", "audit"]
