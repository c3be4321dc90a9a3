"""The rule set (rules.yaml) and the DuckDB engine that runs it over a registry."""

from .asof import resolve_as_of
from .catalog import describe_rule, rules_table
from .engine import RuleRun, run_rules
from .loader import default_rules_path, load_rules
from .model import Derived, Rule, RuleSet, YearTable

__all__ = [
    "Derived", "Rule", "RuleRun", "RuleSet", "YearTable", "default_rules_path", "describe_rule",
    "load_rules", "resolve_as_of", "rules_table", "run_rules",
]
