"""fupin-audit's per-user folders, placed by the XDG base directory variables."""

from __future__ import annotations

import os
from pathlib import Path


def user_dir(variable: str, fallback: str) -> Path:
    """``$<variable>/fupin-audit``; ``~/<fallback>/fupin-audit`` when the variable is unset or not an
    absolute path (as the XDG specification says to treat a relative one)."""
    value = os.environ.get(variable, "")
    base = Path(value) if value and os.path.isabs(value) else Path.home() / fallback
    return base / "fupin-audit"
