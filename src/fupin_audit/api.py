"""The Python API: ``audit(paths, ...) -> AuditResult``. Every command is a thin layer over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from . import __version__, findings
from .baseline import compare, mark_unchecked, read_findings
from .fields import HOUSEHOLD_KEY
from .inputs import expand_paths, sha256_of
from .progress import Observer, Silent
from .reading import read_registry_files
from .recheck import Coverage
from .references import match_sheets, reference_paths, reference_summary
from .references.read import PendingLists, ReferenceData
from .registry import build_registry
from .result import AuditResult
from .rules import resolve_as_of, rules_table, run_rules
from .rules.asof import given_as_of
from .rules.loader import bind_rules, default_rules_path, parse_rules, rules_file_sha256
from .rules.model import RuleSet
from .rules.timelimit import check_rule_timeout
from .schema import start_checks

T = TypeVar("T")


def audit(
    paths: str | Path | Iterable[str | Path],
    *,
    rules: str | Path | None = None,
    as_of: dt.date | str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    keep_going: bool = False,
    observer: Observer | None = None,
    references: Mapping[str, str | Path] | None = None,
    baseline: str | Path | None = None,
    rule_timeout: float | None = None,
) -> AuditResult:
    """Audit one registry, given as one or several files, folders or globs, read together.

    An invalid rules file raises ``RulesError`` before any data is read, or (SQL that DuckDB
    refuses) while the first files are read, before anything is built from them. Raises
    ``FupinAuditError`` subclasses for input that cannot be audited at all (unreadable file, missing
    required column, invalid rules); every problem inside the data becomes a finding. With ``keep_going`` a file that cannot be
    read is skipped and recorded in ``AuditResult.inputs`` (its ``error``). ``observer`` hears of
    each phase (读取; 校验, the ID checks; 规则, the rules with the other data checks beside them) and
    of each file read, and one with ``progress.RuleObserver``'s methods of each rule's start and end
    (from the threads running the rules). ``references`` maps reference-list names
    (payroll, cadres … as declared under ``references:`` in the rules file) to files; lists with a
    default ``path`` in the rules file are read too. An unknown name raises ``UsageError``.
    ``baseline`` is an earlier findings file (.csv/.parquet/.jsonl written by ``--findings``):
    each finding is then marked 新增 or 持续, and the earlier ones now gone are ``resolved`` (已整改, or
    未复核 when their check did not run this time or their file could not be read).
    ``rule_timeout``: seconds a rule's query may run (default: no limit); a rule that runs longer is
    interrupted and listed in ``skipped_rules`` as failed, and the other rules still run. Not a
    positive number: ``UsageError`` before anything is read.
    ``as_of``: the reference date (a ``datetime.date``, a ``datetime`` — its date — or ``YYYY-MM-DD``
    text); default as the command line's. Anything else, or a date before 2013 or after the end of
    next year, raises ``UsageError`` before anything is read.
    """
    started = dt.datetime.now()
    ruleset = parse_rules(Path(rules) if rules is not None else None)
    return run_audit(
        ruleset, paths, started=started, as_of=as_of, sheet=sheet, encoding=encoding,
        include_hidden=include_hidden, keep_going=keep_going, observer=observer, references=references,
        baseline=baseline, rule_timeout=rule_timeout, bound=False,
    ).result


@dataclass(frozen=True)
class Audited:
    """An audit and the reference lists it read (``diff`` runs its own rules over them)."""

    result: AuditResult
    lists: dict[str, ReferenceData]


def run_audit(
    ruleset: RuleSet,
    paths: str | Path | Iterable[str | Path],
    *,
    started: dt.datetime,
    as_of: dt.date | str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    include_hidden: bool = False,
    keep_going: bool = False,
    observer: Observer | None = None,
    references: Mapping[str, str | Path] | None = None,
    baseline: str | Path | None = None,
    rule_timeout: float | None = None,
    bound: bool = True,
) -> Audited:
    """``audit`` with a rule set already loaded (see ``audit``). ``bound`` false: the rule set is only
    parsed (``parse_rules``), and its SQL is bound here while the registry files are read."""
    check_rule_timeout(rule_timeout)
    given = given_as_of(as_of)
    rules_path = ruleset.path or default_rules_path()
    list_paths = reference_paths(ruleset, references)
    earlier = read_findings(Path(baseline)) if baseline is not None else None
    files = expand_paths(paths)
    observer = observer or Silent()
    observer.phase("读取", total=len(files))
    # The lists are read one at a time in a background thread while the registry is read, assembled
    # and checked: beside one parsing thread (an Excel registry) and the main thread, that keeps two
    # cores busy without slowing the registry's parse.
    pending = PendingLists(ruleset, list_paths, encoding=encoding, workers=1)
    try:
        tables, inputs = _beside(
            lambda: read_registry_files(
                files,
                sheet=sheet,
                encoding=encoding,
                include_hidden=include_hidden,
                keep_going=keep_going,
                progress=lambda _: observer.advance(),
            ),
            None if bound else lambda: bind_rules(ruleset),
        )
        registry = build_registry(tables)
        del tables  # the sheets as read: their household columns over every member row are not needed again
        reference_date, reference_source = resolve_as_of(given, ruleset, registry.households)
        pending.check(reference_date)
        observer.phase("校验")
        registry, check_findings = start_checks(registry, reference_date)
    except BaseException:
        pending.cancel()
        raise
    lists = pending.result()
    observer.phase("规则")
    # The data checks only read the registry: they run in a thread while DuckDB runs the rules, which
    # leaves a third of two cores idle (so their time shows in the 规则 phase).
    with ThreadPoolExecutor(max_workers=1) as beside:
        checking = beside.submit(check_findings)
        summary = beside.submit(reference_summary, lists, registry)
        table = beside.submit(rules_table, ruleset)
        run = run_rules(ruleset, registry, reference_date, {name: data.frame for name, data in lists.items()},
                        rule_timeout=rule_timeout, observer=observer)
    found = findings.combine([registry.problems, checking.result(), run.findings])
    resolved, resolved_keyed = findings.empty(), False
    if earlier is not None:
        found, resolved, resolved_keyed = compare(found, earlier)
        columns = [*registry.households.columns, *registry.members.columns]
        audited = pd.concat([registry.households[HOUSEHOLD_KEY], registry.members[HOUSEHOLD_KEY]]).dropna().unique()
        resolved = mark_unchecked(resolved, Coverage.of(ruleset, run.skipped, inputs, columns, audited))
    result = AuditResult(
        registry=registry,
        findings=found,
        as_of=reference_date,
        as_of_source=reference_source,
        inputs=inputs,
        rules_path=rules_path,
        rules_sha256=rules_file_sha256(rules_path),
        rules_table=table.result(),
        parameters=run.parameters,
        skipped_rules=run.skipped,
        references=summary.result(),
        reference_matches=match_sheets(found, ruleset, lists),
        reference_files=tuple(list_paths.values()),
        baseline_path=Path(baseline) if baseline is not None else None,
        baseline_sha256=sha256_of(Path(baseline)) if baseline is not None else "",
        resolved=resolved,
        resolved_keyed=resolved_keyed,
        started=started,
        version=__version__,
    )
    return Audited(result, lists)


def _beside(read: Callable[[], T], check: Callable[[], None] | None) -> T:
    """``read()``, with ``check()`` run on this thread meanwhile (binding the rules, ≈ 0.4 s, while the
    files are parsed). A failed check raises at once; the read is then left to end unseen in its thread."""
    if check is None:
        return read()
    pool = ThreadPoolExecutor(max_workers=1)
    reading = pool.submit(read)
    try:
        check()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    try:
        return reading.result()
    finally:
        pool.shutdown()
