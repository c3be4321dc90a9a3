"""Built-in data checks: ID numbers, pandera column checks, household structure, duplicates."""

from .check import check_registry, start_checks

__all__ = ["check_registry", "start_checks"]
