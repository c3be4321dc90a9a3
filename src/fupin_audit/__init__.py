"""fupin-audit: audit 建档立卡 poverty-household registries."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fupin-audit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

from .api import audit  # noqa: E402  (the API needs __version__)
from .result import AuditResult  # noqa: E402

__all__ = ["AuditResult", "__version__", "audit"]
