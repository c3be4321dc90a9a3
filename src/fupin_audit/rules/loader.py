"""Read and validate a rules file before any data is read; every problem is reported at once."""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import RulesError
from . import bindcache
from .check import compile_problems, items_of, static_problems
from .model import IDENTIFIER, RESERVED_NAMES, Derived, Rule, RuleSet, error_text
from .refspec import ReferenceList

PACKAGED_NAME = "rules.yaml"


def default_rules_path() -> Path:
    """The packaged rules.yaml, else (editable install) the repository's top-level file."""
    packaged = importlib.resources.files("fupin_audit").joinpath(PACKAGED_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / PACKAGED_NAME


def load_rules(path: Path | None = None, *, thorough: bool = False) -> RuleSet:
    """Load and validate a rules file (None: the packaged default); raise RulesError listing every problem.

    ``thorough`` (``rules lint``) also binds the query that turns each rule's result into findings
    (``compile_problems``), which a run otherwise reports as a skipped rule, and gives the warnings
    (``RuleSet.warnings``)."""
    ruleset = parse_rules(path, thorough=thorough)
    bind_rules(ruleset, thorough=thorough)
    return ruleset


def parse_rules(path: Path | None = None, *, thorough: bool = False) -> RuleSet:
    """``load_rules`` up to binding the SQL (``bind_rules``): a file whose structure is valid is
    returned unbound, which takes a few milliseconds. A file with any other problem is bound here
    too, and the RulesError lists every problem at once."""
    path = default_rules_path() if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节起无法解码，可能是 GBK）：请另存为 UTF-8 编码后再用"
        raise RulesError(str(path), [problem]) from None
    except OSError as exc:
        raise RulesError(str(path), [f"无法读取规则文件：{exc.strerror or exc}"]) from None
    data = _parse_yaml(text, path)
    ruleset, problems = _validate(data, thorough)
    if problems:
        raise RulesError(str(path), problems)
    assert ruleset is not None
    ruleset._path = path
    return ruleset


def bind_rules(ruleset: RuleSet, *, thorough: bool = False) -> None:
    """Bind every derived view and rule of a parsed rule set against empty tables (``compile_problems``,
    ≈ 0.4 s); raise RulesError listing the ones DuckDB refuses. ``thorough`` also keeps the warnings
    in ``ruleset.warnings``. A rule set that bound cleanly before is not bound again (``bindcache``),
    unless ``thorough``."""
    key = bindcache.cache_key(ruleset)
    if not thorough and bindcache.is_bound(key):
        return
    warnings: list[str] = []
    problems = compile_problems(ruleset, findings_queries=thorough, warnings=warnings if thorough else None)
    if problems:
        raise RulesError(str(ruleset.path or default_rules_path()), problems)
    ruleset._warnings = warnings
    bindcache.remember(key)


def rules_file_sha256(path: Path) -> str:
    """SHA-256 of the rules file as read (for the report's 审计信息)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (≈ 10× faster than the pure-Python one)."""


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader, in C when available)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "位置不明"
        raise RulesError(str(path), [f"YAML 语法错误（{where}）：{exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise RulesError(str(path), [f"YAML 语法错误：{exc}"]) from None
    except ValueError as exc:  # e.g. a date such as 2020-13-01, which the YAML loader cannot build
        raise RulesError(str(path), [f"YAML 取值错误（日期等无法识别）：{exc}"]) from None


def _validate(data: Any, thorough: bool = False) -> tuple[RuleSet | None, list[str]]:
    """pydantic validation plus the checks it cannot express; the RuleSet only when structurally
    valid. The SQL is bound only when something else is wrong, so that every problem is listed."""
    if not isinstance(data, dict):
        return None, ["文件顶层应为映射（version、parameters、derived、rules 等键），实际为空或其他类型"]
    problems = static_problems(data)
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems[:0] = [p for err in exc.errors() for p in _describe_error(err, data)]
        partial = _valid_part(data)
        if partial is not None:
            problems.extend(compile_problems(partial, findings_queries=thorough))
        return None, problems
    if problems:
        problems.extend(compile_problems(ruleset, findings_queries=thorough))
    return ruleset, problems


def _valid_part(data: dict[str, Any]) -> RuleSet | None:
    """The file without its invalid views and rules (and the rules reading a dropped view), so that
    the SQL of the valid ones is still checked. None when the parameters themselves are invalid."""
    views = items_of(data, "derived")
    good_views = [v for v in views if _is_valid(Derived, v)]
    dropped = [v.get("name") for v in views if v not in good_views and isinstance(v, dict) and v.get("name")]
    lists = data.get("references")
    lists = lists if isinstance(lists, dict) else {}
    good_lists = {
        n: v for n, v in lists.items()
        if isinstance(n, str) and IDENTIFIER.match(n) and n not in RESERVED_NAMES and _is_valid(ReferenceList, v)
    }
    dropped += [n for n in lists if n not in good_lists]
    rules = items_of(data, "rules")
    good_rules = [
        r for r in rules
        if _is_valid(Rule, r) and not any(re.search(rf"\b{re.escape(str(n))}\b", r["sql"]) for n in dropped)
    ]
    try:
        return RuleSet.model_validate({**data, "derived": good_views, "rules": good_rules, "references": good_lists})
    except ValidationError:
        return None


def _is_valid(model: type[Rule] | type[Derived] | type[ReferenceList], item: object) -> bool:
    try:
        model.model_validate(item)
    except ValidationError:
        return False
    return True


def _describe_error(err: Any, data: dict[str, Any]) -> list[str]:
    loc = tuple(err["loc"])
    if loc == ("parameters",) and err["type"] == "value_error":
        return error_text(err).splitlines()  # each line already names its parameter
    return [f"{_where(loc, data)}：{error_text(err)}"]


def _where(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Name the rule (by id), view or parameter and the field of a pydantic error location."""
    if len(loc) >= 2 and loc[0] in ("rules", "derived") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) else {}
        key = "id" if loc[0] == "rules" else "name"
        label = item.get(key) if isinstance(item, dict) else None
        what = "规则" if loc[0] == "rules" else "派生视图"
        head = f"{what} {label}" if label else f"{what}（第 {loc[1] + 1} 条）"
        fields = [str(p) for p in loc[2:] if not isinstance(p, int) or p > 0]
        return f"{head} 字段 {'.'.join(fields)}" if fields else head
    if len(loc) >= 2 and loc[0] == "references":
        fields = [str(p) for p in loc[2:] if p != "[key]"]
        return f"对照名单 {loc[1]}" + (f" 字段 {'.'.join(fields)}" if fields else "")
    return f"字段 {'.'.join(str(p) for p in loc)}" if loc else "文件"
