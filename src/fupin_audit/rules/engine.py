"""Run a rule set over a registry in a locked DuckDB session; each row a rule returns is a finding."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .. import findings
from ..kinds import KIND_CODES
from ..progress import Observer, RuleObserver
from ..registry import Registry
from ..result import SkippedRule
from .check import select_problem
from .model import Rule, RuleSet, YearTable
from .params import report_parameters, year_table_year
from .render import KIND_COLUMN, LOCATOR_TABLES, MEMBER_NAME_COLUMN, findings_sql
from .sandbox import Session, open_session, strip_sql
from .timelimit import RuleTimedOut, TimeLimit, check_rule_timeout, timeout_reason

DISABLED = "规则文件中已停用（enabled: false）"
"""The reason given for a rule the rules file turns off."""

RULE_THREADS = min(2, os.cpu_count() or 1)
"""Rules run at once, each on its own cursor: one rule's query leaves DuckDB's threads idle between its
steps and while Python turns its result into findings (500k members: 1.41 → 1.04 s on 2 cores)."""


@dataclass
class RuleRun:
    """What running the rules produced: findings (findings.COLUMNS, in rule order: ``findings.combine``
    sorts them with the other findings), rules not run and why, parameters."""

    findings: pd.DataFrame
    skipped: list[SkippedRule] = field(default_factory=list)
    parameters: dict[str, object] = field(default_factory=dict)


def missing_requirements(rule: Rule, present: Mapping[str, set[str]]) -> list[str]:
    """``requires`` items none of whose alternatives the input has (as written in the rules file)."""
    missing = []
    for item, options in zip(rule.requires, rule.requirement_options(), strict=True):
        if not any(column in present.get(table, set()) for table, column in options):
            missing.append(item.replace(" ", ""))
    return missing


def missing_year(rule: Rule, ruleset: RuleSet, year: int) -> str:
    """Why ``rule`` cannot run for the reference ``year``: a year table it requires gives no value for
    that year ("" when every one does)."""
    for name in rule.requires_years:
        table = ruleset.parameters.get(name)
        if isinstance(table, YearTable) and year_table_year(table, year) is None:
            listed = sorted(table.values)
            span = f"{listed[0]}–{listed[-1]}" if len(listed) > 1 else str(listed[0])
            return f"参数 {name} 没有基准年度 {year} 年的取值（只列出 {span} 年）：如适用，请按本地文件在规则文件中补充"
    return ""


def _missing_reason(missing: list[str], present: Mapping[str, set[str]]) -> tuple[str, tuple[str, ...]]:
    """Why a rule was skipped, and the input columns it missed (reference lists not given are named
    as such, not as missing columns)."""
    lists = sorted({o.split(".", 1)[0] for item in missing for o in item.split("|")} - set(present))
    if not lists:
        return f"输入缺少列 {'、'.join(missing)}", tuple(missing)
    columns = tuple(m for m in missing if not any(o.split(".", 1)[0] in lists for o in m.split("|")))
    reason = f"未提供对照名单 {'、'.join(lists)}（用 {'、'.join(f'--ref {t}=文件' for t in lists)} 提供）"
    return reason + (f"；输入缺少列 {'、'.join(columns)}" if columns else ""), columns


def _failure_reason(rule: Rule, exc: duckdb.Error, failed_views: Mapping[str, str]) -> str:
    used = [v for v in failed_views if re.search(rf"\b{re.escape(v)}\b", rule.sql)]
    if used:
        return "；".join(f"所用派生视图 {v} 创建失败：{_without_values(failed_views[v])}" for v in used)
    text = _without_values(str(exc).splitlines()[0])
    if isinstance(exc, duckdb.PermissionException):
        return f"规则 {rule.id} 试图访问文件或网络，已被禁止（规则只能查询登记表和对照名单）：{text}"
    return f"规则 {rule.id} 的 SQL 执行失败：{text}"


def _without_values(text: str) -> str:
    """A run-time error with the values it quotes left out (``Could not convert string '…' to INT64``):
    they are registry data (an ID, a name), and the reason reaches every output, masked or not."""
    return re.sub(r"'[^']*'", "'…'", text)


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule) -> pd.DataFrame:
    """One rule's findings; raises duckdb.Error when its SQL fails."""
    sql = strip_sql(rule.sql)
    relation = con.sql(sql)
    types = {c: str(t) for c, t in zip(relation.columns, relation.types, strict=True)}
    if "户编号" not in types:
        raise duckdb.BinderException("规则 SQL 的结果没有 户编号 列")
    absent = [p for p in rule.placeholders() if p not in types]
    if absent:
        raise duckdb.BinderException(f"消息模板中的 {'、'.join(absent)} 不是 SQL 结果的列")
    table = con.sql(findings_sql(sql, rule.message, types)).to_arrow_table()
    frame = table.to_pandas()
    frame["evidence"] = findings.finite_evidence(frame["evidence"])
    blank = int((frame["household_id"].fillna("").str.strip() == "").sum())
    if blank:  # a finding no one could find: no household, no location, no row to open
        raise duckdb.InvalidInputException(
            f"结果有 {blank} 行的 户编号 为空：每条问题须指明所属的户，才能定位到登记表的行；"
            "请检查 SQL（如 LEFT JOIN 没有匹配到户的行），或加条件 户编号 IS NOT NULL"
        )
    unlocated = _outside_registry(con, frame) if rule.scope == "check" else 0
    if unlocated:  # a diff rule may name a household gone from the newer snapshot (diff/locate.py finds it)
        raise duckdb.InvalidInputException(
            f"结果有 {unlocated} 行的 户编号 不在登记表中，问题无法定位到登记表的行；"
            "请检查 SQL 是否从对照名单或其他表取了 户编号（应取 households 或 members 的 户编号）"
        )
    if MEMBER_NAME_COLUMN in frame.columns:
        frame = findings.with_person_names(frame, frame.pop(MEMBER_NAME_COLUMN))
    frame["rule_id"] = rule.id
    frame["kind"] = frame.pop(KIND_COLUMN).fillna(rule.kind) if KIND_COLUMN in frame.columns else rule.kind
    unknown = sorted(set(frame["kind"].unique()) - set(KIND_CODES))
    if unknown:
        raise duckdb.InvalidInputException(
            f"结果列 {KIND_COLUMN} 的值 {'、'.join(unknown)} 不是已知的问题类型（可选：{', '.join(KIND_CODES)}）"
        )
    frame["severity"] = rule.severity
    return frame


def _outside_registry(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Findings whose 户编号 is neither a household's nor a member's (a member without a household row,
    orphan_member, is in the registry: its findings stand)."""
    unlocated = frame["household_id"][frame["source"].fillna("") == ""]
    if unlocated.empty:
        return 0
    known = {row[0] for row in con.execute("SELECT DISTINCT 户编号 FROM members WHERE list_contains(?, 户编号)",
                                            [sorted(set(unlocated))]).fetchall()}
    return int((~unlocated.isin(known)).sum())


Outcome = pd.DataFrame | duckdb.Error | RuleTimedOut


def _run_limited(cursor: duckdb.DuckDBPyConnection, rule: Rule, seconds: float | None) -> Outcome:
    """``run_rule``, its query interrupted after ``seconds``: its findings, its error, or RuleTimedOut."""
    with TimeLimit(cursor, seconds) as limit:
        try:
            return run_rule(cursor, rule)
        except duckdb.Error as exc:
            if seconds is not None and limit.expired and isinstance(exc, duckdb.InterruptException):
                return RuleTimedOut(seconds)
            return exc


def _status(outcome: Outcome, stopping: threading.Event) -> str:
    if isinstance(outcome, pd.DataFrame):
        return "ok"
    if isinstance(outcome, RuleTimedOut):
        return "timeout"
    return "interrupted" if stopping.is_set() and isinstance(outcome, duckdb.InterruptException) else "failed"


def run_all(
    session: Session,
    rules: Sequence[Rule],
    threads: int = RULE_THREADS,
    *,
    timeout: float | None = None,
    observer: RuleObserver | None = None,
) -> list[Outcome]:
    """Each rule's findings, or the DuckDB error it failed with, or RuleTimedOut when its query ran
    past ``timeout`` seconds (it is interrupted; the other rules go on), in the order given;
    ``threads`` cursors take the rules in turn. ``observer`` hears of each rule's start and end.
    Interrupted (Ctrl-C), no further rule starts and the running queries are interrupted (the
    observer hears of them as interrupted)."""
    results: list[Outcome | None] = [None] * len(rules)
    turns = iter(range(len(rules)))
    taking = threading.Lock()
    stopping = threading.Event()
    cursors: list[duckdb.DuckDBPyConnection] = []

    def work() -> None:
        cursor = session.cursor()
        with taking:
            cursors.append(cursor)
        try:
            while True:
                with taking:
                    i = next(turns, None)
                    if i is not None and observer is not None:  # under the lock: started in rule order
                        observer.rule_started(rules[i].id)
                if i is None:
                    return
                begun = time.perf_counter()
                outcome = results[i] = _run_limited(cursor, rules[i], timeout)
                if observer is not None:
                    found = len(outcome) if isinstance(outcome, pd.DataFrame) else 0
                    observer.rule_ended(rules[i].id, _status(outcome, stopping), time.perf_counter() - begun, found)
        finally:
            with taking:
                cursors.remove(cursor)
            cursor.close()

    count = max(1, threads)
    with ThreadPoolExecutor(max_workers=count) as pool:
        workers = [pool.submit(work) for _ in range(count)]
        try:
            done, running = wait(workers, return_when=FIRST_EXCEPTION)
            for worker in [*done, *running]:  # a failed worker's error first, not after a running one
                worker.result()
        except BaseException:  # Ctrl-C, or a bug in one worker: stop the others too
            stopping.set()
            with taking:
                for _ in turns:  # hand out no further rule
                    pass
                for cursor in cursors:
                    cursor.interrupt()
            _outlast_interrupts(workers)
            raise
    return [r for r in results if r is not None]


def _outlast_interrupts(workers: Sequence[Future[None]]) -> None:
    """Wait for the interrupted workers to leave their queries, through any further Ctrl-C or SIGTERM
    (a second press; ``timeout`` signals the process and then its group): the session can only be
    closed once no cursor is inside a query (DuckDB refuses: ResourceInUseException, an exit 3)."""
    while True:
        try:
            wait(workers)
            return
        except KeyboardInterrupt:
            continue


def run_rules(
    ruleset: RuleSet,
    registry: Registry,
    as_of: dt.date,
    references: Mapping[str, pd.DataFrame] | None = None,
    *,
    scope: str = "check",
    rule_timeout: float | None = None,
    observer: Observer | None = None,
) -> RuleRun:
    """Run every enabled rule of ``scope``; a rule lacking columns or failing is skipped and the others
    still run. ``diff`` passes the DIFF_TABLES (model.py) among ``references``. A rule whose query
    runs longer than ``rule_timeout`` seconds (default: no limit) is interrupted and skipped as
    failed. An ``observer`` with ``RuleObserver``'s methods hears of each rule."""
    check_rule_timeout(rule_timeout)
    watcher = observer if isinstance(observer, RuleObserver) else None
    session = open_session(ruleset, as_of, registry.households, registry.members, references, timeout=rule_timeout)
    present = session.present
    try:
        for statement in LOCATOR_TABLES:
            session.con.execute(statement)
        skipped: dict[str, SkippedRule] = {}
        runnable: list[Rule] = []
        for rule in ruleset.enabled_rules(scope):
            missing = missing_requirements(rule, present)
            problem = None if missing else select_problem(rule.sql)
            no_year = missing_year(rule, ruleset, as_of.year)
            if missing:
                reason, columns = _missing_reason(missing, present)
                skipped[rule.id] = SkippedRule(rule.id, rule.title, reason, columns)
            elif no_year:
                skipped[rule.id] = SkippedRule(rule.id, rule.title, no_year)
            elif problem:
                skipped[rule.id] = SkippedRule(rule.id, rule.title, f"规则 {rule.id} 的 SQL 不可执行：{problem}", failed=True)
            else:
                runnable.append(rule)
        # a rule turned off in the rules file is listed too: else the report reads as a full audit
        disabled = [SkippedRule(rule.id, rule.title, DISABLED) for rule in ruleset.rules if not rule.enabled and rule.scope == scope]
        if watcher is not None:
            for left_out in [*skipped.values(), *disabled]:
                watcher.rule_ended(left_out.rule_id, "failed" if left_out.failed else "skipped")
        frames: list[pd.DataFrame] = []
        for rule, outcome in zip(runnable, run_all(session, runnable, timeout=rule_timeout, observer=watcher), strict=True):
            if isinstance(outcome, RuleTimedOut):
                skipped[rule.id] = SkippedRule(rule.id, rule.title, timeout_reason(rule.id, outcome.seconds), failed=True)
            elif isinstance(outcome, duckdb.Error):
                skipped[rule.id] = SkippedRule(rule.id, rule.title, _failure_reason(rule, outcome, session.failed), failed=True)
            else:
                frames.append(outcome)
    finally:
        session.close()
    in_order = [skipped[rule.id] for rule in ruleset.enabled_rules(scope) if rule.id in skipped] + disabled
    found = findings.normalize(pd.concat(frames, ignore_index=True)) if frames else findings.empty()
    return RuleRun(found, in_order, report_parameters(ruleset, as_of))
