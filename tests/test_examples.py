"""The bundled examples: each registry must produce exactly the findings its expected file lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fupin_audit import audit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = sorted(p for p in EXAMPLES.glob("*.expected.csv") if not p.name.endswith("_refs.expected.csv"))
"""*_refs.expected.csv: findings added by reference lists (tests/test_references_example.py)."""


def registry_for(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.csv")
    matches = [p for p in EXAMPLES.glob(f"{stem}.*") if p != expected]
    assert len(matches) == 1, f"{expected.name}: expected one registry named {stem}.*, found {matches}"
    return matches[0]


def keys(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    frame = frame.fillna("")
    return set(zip(frame["rule_id"], frame["household_id"], frame["person_id"], strict=True))


def test_there_are_examples() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize("expected", CASES, ids=[c.name for c in CASES])
def test_example_produces_exactly_its_expected_findings(expected: Path) -> None:
    want = keys(pd.read_csv(expected, dtype=str, encoding="utf-8-sig", keep_default_na=False))
    result = audit(registry_for(expected))
    got = keys(result.findings)
    assert got - want == set(), "unexpected findings"
    assert want - got == set(), "missing findings"
