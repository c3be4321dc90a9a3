"""The README's opening commands are true: they name a bundled example and the test command CI runs."""

from __future__ import annotations

import re
import shlex
from importlib import metadata
from pathlib import Path

from typer.testing import CliRunner

import fupin_audit
from fupin_audit.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README must open with a bash block of set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_install_and_run_then_tests() -> None:
    first, second = opening_commands()
    assert first.startswith("pip install . && fupin-audit check examples/")
    assert second == 'pip install ".[dev]" && pytest'
    assert second in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readme_check_command_runs_on_the_bundled_example(tmp_path: Path) -> None:
    first = opening_commands()[0]
    arguments = shlex.split(first.split("&&", 1)[1])[1:]
    example = ROOT / arguments[1]
    assert example.is_file()
    result = CliRunner().invoke(app, ["check", str(example), "--report", str(tmp_path / "r.xlsx")])
    assert result.exit_code in (0, 1), result.stderr
    assert "核查摘要" in result.stdout and (tmp_path / "r.xlsx").exists()


def test_the_installed_version_is_the_one_the_reports_give() -> None:
    """The build reads the version from ``fupin_audit.__version__`` (what the reports' 审计信息 say)."""
    assert re.fullmatch(r"\d+\.\d+\.\d+", fupin_audit.__version__)
    assert metadata.version("fupin-audit") == fupin_audit.__version__
