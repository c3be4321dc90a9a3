"""``diff(old_paths, new_paths, ...) -> DiffResult``: audit both snapshots, match them, classify every
change and run the ``scope: diff`` rules over the changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import fields, findings
from ..api import run_audit
from ..errors import UsageError
from ..progress import Labeled, Observer, Silent
from ..rules import load_rules, run_rules
from ..rules.asof import given_as_of
from ..rules.difftables import empty_diff_tables, with_catalogue_columns
from ..rules.timelimit import check_rule_timeout
from .changes import Snapshot, build_changes
from .locate import locate
from .matching import match_households
from .overview import village_overview
from .result import DiffResult

Paths = str | Path | Iterable[str | Path]


def diff(
    old_paths: Paths,
    new_paths: Paths,
    *,
    rules: str | Path | None = None,
    references: Mapping[str, str | Path] | None = None,
    as_of: dt.date | str | None = None,
    old_as_of: dt.date | str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    rule_timeout: float | None = None,
    observer: Observer | None = None,
) -> DiffResult:
    """Compare an older and a newer snapshot of one registry (each one or several files).

    Both are audited like ``audit`` (the newer one with ``references``; ``as_of`` is the newer
    snapshot's reference date, ``old_as_of`` the older one's, each by default from its own 年度).
    The returned ``new.findings`` hold the newer snapshot's findings and the diff rules' findings.
    ``rule_timeout``: seconds each rule's query may run, in both audits and the diff rules (as ``audit``).
    ``observer`` hears of the older snapshot's phases as 上期读取, 上期校验, 上期规则, the newer one's as
    本期…, then 比对 (matching the households and the diff rules).
    """
    check_rule_timeout(rule_timeout)
    as_of, old_as_of = given_as_of(as_of), given_as_of(old_as_of)  # both refused before either snapshot is read
    started = dt.datetime.now()
    ruleset = load_rules(Path(rules) if rules is not None else None)
    # the rules file's as_of is the newer snapshot's: the older one's own 年度 gives its date
    observer = observer or Silent()
    old = run_audit(ruleset.model_copy(update={"as_of": None}), old_paths, started=started, as_of=old_as_of,
                    sheet=sheet, encoding=encoding, include_hidden=include_hidden, rule_timeout=rule_timeout,
                    observer=Labeled(observer, "上期")).result
    audited = run_audit(ruleset, new_paths, started=started, as_of=as_of, references=references, sheet=sheet,
                        encoding=encoding, include_hidden=include_hidden, rule_timeout=rule_timeout,
                        observer=Labeled(observer, "本期"))
    new = audited.result
    if old.as_of > new.as_of:
        raise UsageError(
            f"上期基准日期 {old.as_of.isoformat()} 晚于本期基准日期 {new.as_of.isoformat()}：两期文件是否写反了？"
            "请先写上期、后写本期（或用 --old、--new 指定），或用 --old-as-of、--as-of 给出两期的基准日期。"
        )
    observer.phase("比对")
    lists = {name: data.frame for name, data in audited.lists.items()}
    exit_statuses = _statuses(ruleset.parameters.get("exit_statuses"), fields.EXIT_STATUSES)
    poor_statuses = _statuses(ruleset.parameters.get("poor_statuses"), fields.POOR_STATUSES)
    pairs = match_households(old.registry.households, new.registry.households,
                             old.registry.members, new.registry.members)
    changes = build_changes(Snapshot(old.registry, old.as_of), Snapshot(new.registry, new.as_of), pairs,
                            lists.get("deaths"), exit_statuses, poor_statuses)
    empty = empty_diff_tables()
    tables = {
        **lists,
        "changes": changes,
        "old_households": with_catalogue_columns(old.registry.households, empty["old_households"]),
        "old_members": with_catalogue_columns(old.registry.members, empty["old_members"]),
    }
    run = run_rules(ruleset, new.registry, new.as_of, tables, scope="diff", rule_timeout=rule_timeout, observer=observer)
    found = locate(run.findings, changes, old, new)
    new.findings = findings.combine([new.findings, found])
    new.skipped_rules = [*new.skipped_rules, *run.skipped]
    return DiffResult(old=old, new=new, changes=changes, overview=village_overview(changes, old, new, found, exit_statuses))


def _statuses(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else default
