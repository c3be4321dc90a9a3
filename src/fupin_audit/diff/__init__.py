"""Compare two snapshots of a registry (动态调整): match households and people, classify every
change, and run the ``scope: diff`` rules of rules.yaml over the changes."""

from .api import diff
from .result import DiffResult

__all__ = ["DiffResult", "diff"]
