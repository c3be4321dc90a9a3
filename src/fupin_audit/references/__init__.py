"""Reference lists (八类人员): reading and checking them, and what the report shows of their matches."""

from .read import ReferenceData, parse_ref_options, read_references, reference_paths
from .report import INVALID_SHEET, match_sheets, reference_summary

__all__ = [
    "INVALID_SHEET", "ReferenceData", "match_sheets", "parse_ref_options", "read_references",
    "reference_paths", "reference_summary",
]
