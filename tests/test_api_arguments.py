"""What a script calling the library relies on: ``audit``/``diff`` arguments of the wrong kind are refused
with the tool's own errors (plain Chinese, exit 2 on the command line), not a bare TypeError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fupin_audit import audit
from fupin_audit.diff import diff
from fupin_audit.errors import UsageError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zhuangtouyingzi.xlsx"


@pytest.mark.parametrize("as_of", [dt.datetime(2020, 12, 31, 8, 30), "2020-12-31", " 2020-12-31 "])
def test_audit_takes_a_datetime_or_iso_text_as_its_reference_date(as_of):
    # a datetime is a date to the type checker; it raised TypeError (can't compare datetime.datetime to
    # datetime.date) after the whole registry had been read, and ISO text raised TypeError too
    result = audit(EXAMPLE, as_of=as_of)
    assert result.as_of == dt.date(2020, 12, 31)
    assert type(result.as_of) is dt.date


@pytest.mark.parametrize("as_of", ["2020-13-01", "31.12.2020", 20201231, "1900-01-01"])
def test_a_bad_reference_date_is_a_usage_error_before_anything_is_read(as_of):
    with pytest.raises(UsageError, match="as_of"):  # not the missing file: the date is refused first
        audit("/no/such/registry.xlsx", as_of=as_of)


def test_diff_refuses_a_bad_reference_date_before_reading_either_snapshot():
    with pytest.raises(UsageError, match="as_of"):
        diff("/no/such/2019.xlsx", "/no/such/2020.xlsx", old_as_of="2019-02-30")


@pytest.mark.parametrize("seconds", ["600", True])
def test_a_rule_timeout_that_is_no_number_is_a_usage_error(seconds):
    with pytest.raises(UsageError, match="rule_timeout"):
        audit("/no/such/registry.xlsx", rule_timeout=seconds)


@pytest.mark.parametrize("references", [[EXAMPLE.parent / "references" / "payroll.csv"], "payroll.csv"])
def test_reference_lists_given_without_names_are_a_usage_error(references):
    """A list of paths raised AttributeError ('list' object has no attribute 'items')."""
    with pytest.raises(UsageError, match="references=\\{'payroll'"):
        audit(EXAMPLE, references=references)
