"""``fupin-audit rules list|show|lint``: read the rule set without any data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from ..errors import UsageError
from ..kinds import BY_CODE, SEVERITY_TITLES
from ..rules import describe_rule, load_rules
from .boundary import reader_may_leave, user_errors
from .options import DebugOption, RulesOption

rules_app = typer.Typer(help="查看和检查规则文件。", no_args_is_help=True)


@rules_app.command("list")
def list_rules(rules: RulesOption = None, debug: DebugOption = False) -> None:
    """列出规则：编号、问题类型、严重程度、标题。"""
    with user_errors(debug):
        ruleset = load_rules(rules)
        # titles wrap character by character: Chinese has no spaces to wrap at (each line was cut with …)
        table = Table(Column("编号", no_wrap=True), Column("问题类型", overflow="fold"), "严重程度",
                      Column("标题", overflow="fold"), "启用")
        for rule in ruleset.rules:
            table.add_row(
                rule.id,
                f"{BY_CODE[rule.kind].title} {rule.kind}",
                SEVERITY_TITLES[rule.severity],
                rule.title,
                "是" if rule.enabled else "否",
            )
        with reader_may_leave():
            Console().print(table)


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="规则编号。")],
    rules: RulesOption = None,
    debug: DebugOption = False,
) -> None:
    """显示一条规则的 SQL、参数和政策依据。"""
    with user_errors(debug):
        ruleset = load_rules(rules)
        with reader_may_leave():
            Console().print(describe_rule(ruleset, rule_id), markup=False, highlight=False)


@rules_app.command("lint")
def lint_rules(
    file: Annotated[Path | None, typer.Argument(help="规则文件（默认：内置 rules.yaml）。", dir_okay=False)] = None,
    rules: RulesOption = None,
    debug: DebugOption = False,
) -> None:
    """不读数据，检查规则文件；全部问题一次列出。退出码 0 表示无误，2 表示有错。"""
    with user_errors(debug):
        if file is not None and rules is not None and file != rules:
            raise UsageError(f"给了两个规则文件（{file} 和 --rules {rules}），只能检查一个。")
        ruleset = load_rules(file or rules, thorough=True)
        for warning in ruleset.warnings:
            print(f"警告：{warning}", file=sys.stderr)
        noted = f"，{len(ruleset.warnings)} 处警告（写在标准错误输出）" if ruleset.warnings else ""
        with reader_may_leave():
            print(f"{ruleset.path}：{len(ruleset.rules)} 条规则，无错误{noted}。")
