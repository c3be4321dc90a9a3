"""The ``fupin-audit`` command: parse arguments, call the library, render, choose the exit code."""

from __future__ import annotations

import typer

from .check import check
from .diff import diff_command
from .rules import rules_app

app = typer.Typer(
    name="fupin-audit",
    help="核查建档立卡贫困户登记表：错退、应退未退、八类人员、数据错误等。",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.command(no_args_is_help=True)(check)
app.command("diff", no_args_is_help=True)(diff_command)
app.add_typer(rules_app, name="rules")


def main() -> None:
    app()
