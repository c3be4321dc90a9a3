"""A rule set that bound cleanly is not bound again (rules/bindcache.py); anything else still is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fupin_audit.errors import RulesError
from fupin_audit.rules import bindcache, check, loader
from fupin_audit.rules.loader import bind_rules, parse_rules

RULES = """version: 1
parameters:
  poverty_line: {source: 测试, values: {2020: 4000}}
rules:
  - id: low_income
    title: 收入低
    kind: wrongful_exit
    severity: high
    sql: SELECT 户编号, 人均纯收入 FROM households WHERE 人均纯收入 < poverty_line(2020)
    message: 收入{人均纯收入}元
    basis: 测试
"""


@pytest.fixture
def binds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rule sets' first rules each time the SQL is really bound."""
    calls: list[str] = []
    real = check.compile_problems

    def counted(ruleset, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(ruleset.rules[0].sql)
        return real(ruleset, **kwargs)

    monkeypatch.setattr(loader, "compile_problems", counted)
    return calls


def write(folder: Path, text: str) -> Path:
    path = folder / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rule_set_bound_cleanly_is_not_bound_again(tmp_path, binds):
    path = write(tmp_path, RULES)
    bind_rules(parse_rules(path))
    bind_rules(parse_rules(path))
    assert len(binds) == 1
    assert [p.name for p in bindcache.cache_dir().iterdir()] == [bindcache.cache_key(parse_rules(path))]
    assert bindcache.cache_dir().is_relative_to(Path(os.environ["XDG_CACHE_HOME"]))
    assert bindcache.cache_dir().stat().st_mode & 0o777 == 0o700


def test_a_changed_rule_is_bound_again_and_its_error_reported(tmp_path, binds):
    bind_rules(parse_rules(write(tmp_path, RULES)))
    changed = write(tmp_path, RULES.replace("人均纯收入 FROM", "不存在的列 FROM"))
    with pytest.raises(RulesError) as refused:
        bind_rules(parse_rules(changed))
    assert "不存在的列" in refused.value.problems[0]
    with pytest.raises(RulesError):  # a rule set with a problem is never remembered
        bind_rules(parse_rules(changed))
    assert len(binds) == 3


def test_a_parameter_change_is_a_new_rule_set(tmp_path, binds):
    bind_rules(parse_rules(write(tmp_path, RULES)))
    bind_rules(parse_rules(write(tmp_path, RULES.replace("4000", "4100"))))
    assert len(binds) == 2


def test_another_duckdb_binds_again(tmp_path, binds, monkeypatch):
    path = write(tmp_path, RULES)
    bind_rules(parse_rules(path))
    monkeypatch.setattr(bindcache.duckdb, "__version__", "99.0.0")
    bind_rules(parse_rules(path))
    assert len(binds) == 2


def test_lint_always_binds_to_give_its_warnings(tmp_path, binds):
    path = write(tmp_path, RULES)
    bind_rules(parse_rules(path))
    bind_rules(parse_rules(path), thorough=True)
    assert len(binds) == 2


def test_a_cache_folder_that_cannot_be_written_only_means_binding(tmp_path, binds, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = write(tmp_path, RULES)
    bind_rules(parse_rules(path))
    bind_rules(parse_rules(path))
    assert len(binds) == 2


def test_only_the_rule_sets_used_last_are_kept(tmp_path, binds, monkeypatch):
    monkeypatch.setattr(bindcache, "KEEP", 2)
    sets = [parse_rules(write(tmp_path, RULES.replace("4000", str(line)))) for line in (4000, 4100, 4200)]
    for age, ruleset in enumerate(sets[:2]):
        bind_rules(ruleset)
        os.utime(bindcache.cache_dir() / bindcache.cache_key(ruleset), (1_000 + age, 1_000 + age))
    bind_rules(sets[0])  # used again: now the newest
    bind_rules(sets[2])  # the third: 4100, used longest ago, is forgotten
    assert sorted(p.name for p in bindcache.cache_dir().iterdir()) == sorted(bindcache.cache_key(r) for r in (sets[0], sets[2]))
    assert len(binds) == 3
