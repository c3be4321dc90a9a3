"""The installed command as a separate process: ``main`` ends it without interpreter teardown, so
these check that nothing is lost by that — the exit code, everything printed, every file written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fupin_audit.cli.app import _exit_status

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as in cron
    return subprocess.run(
        [sys.executable, "-m", "fupin_audit", *args],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
    )


def test_findings_exit_code_json_and_files_are_complete(tmp_path: Path) -> None:
    log, found = tmp_path / "run.log", tmp_path / "findings.csv"
    done = run(
        "check", str(EXAMPLES / "zhuangtouyingzi.xlsx"), "--json", "--log", str(log),
        "--findings", str(found), "--report", str(tmp_path / "r.xlsx"), cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    printed = json.loads(done.stdout)  # the whole document reached the pipe
    expected = len((EXAMPLES / "zhuangtouyingzi.expected.csv").read_text(encoding="utf-8-sig").splitlines()) - 1
    assert len(printed["findings"]) == expected
    assert len(found.read_text(encoding="utf-8-sig").splitlines()) == expected + 1
    assert [line.split()[1] for line in log.read_text(encoding="utf-8").splitlines() if "\tphase=" in line] == [
        "phase=读取", "phase=校验", "phase=规则", "phase=写出"
    ]
    assert (tmp_path / "r.xlsx").stat().st_size > 0


def test_error_exit_code_and_message(tmp_path: Path) -> None:
    done = run("check", str(tmp_path / "missing.xlsx"), cwd=tmp_path)
    assert done.returncode == 2
    assert "missing.xlsx" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(("code", "status", "printed"), [(None, 0, ""), (0, 0, ""), (3, 3, ""), ("bye", 1, "bye\n")])
def test_exit_status_is_what_sys_exit_gives(
    code: object, status: int, printed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_status(code) == status
    assert capsys.readouterr().err == printed


@pytest.mark.parametrize("output", [["--json"], []])
def test_a_reader_that_left_gets_nothing_and_the_exit_code_is_kept(tmp_path: Path, output: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head` after its lines: every write to stdout fails with EPIPE
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fupin_audit", "check", str(EXAMPLES / "zhuangtouyingzi.xlsx"), "--no-report",
             *output],
            cwd=tmp_path, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1, done.stderr
    assert "内部错误" not in done.stderr and "Traceback" not in done.stderr


def test_sigterm_while_the_report_is_written_ends_like_ctrl_c_and_leaves_no_file(tmp_path: Path) -> None:
    """cron's or systemd's stop: the report being written and its row files are removed, exit 143."""
    script = """
import os, signal, sys, tempfile
import xlsxwriter.worksheet as ws
from fupin_audit.cli.app import main
rows_dirs = []
original = ws.Worksheet._opt_close
def close_then_stop(self):  # the first sheet's rows are written: stop the run now
    rows_dirs.append(os.path.dirname(self.row_data_filename))
    print(rows_dirs[0], file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)
    return original(self)
ws.Worksheet._opt_close = close_then_stop
sys.argv = ["fupin-audit", *sys.argv[1:]]
main()
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", script, "check", str(EXAMPLES / "zhuangtouyingzi.xlsx"), "--report", "r.xlsx", "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8",
    )
    assert done.returncode == 143, done.stderr
    assert "已中断" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither the report nor its temporary file
    rows_dir = Path(done.stderr.splitlines()[0])
    assert rows_dir.name.startswith("fupin-audit-") and not rows_dir.exists()


def test_ctrl_c_while_the_libraries_load_ends_quietly(tmp_path: Path) -> None:
    """The first second of every run loads pandas and DuckDB: a Ctrl-C then is 已中断 too, not a traceback."""
    script = """
import importlib.abc, os, signal, sys
class CtrlCAtPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "pandas":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, CtrlCAtPandas())
sys.argv = ["fupin-audit", *sys.argv[1:]]
from fupin_audit.cli.entry import main
main()
"""
    done = subprocess.run(
        [sys.executable, "-c", script, "check", str(EXAMPLES / "zhuangtouyingzi.xlsx"), "--report", "r.xlsx"],
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "已中断。\n", "")


SLOW_RULE = """
  - id: slow_cross_join
    title: 慢规则
    kind: data_error
    severity: low
    sql: |
      SELECT a.户编号, a._member
      FROM members a, members b, members c, members d, members e
      WHERE a.姓名 = b.姓名 || c.姓名 || d.姓名 || e.姓名
    message: 慢
    basis: 测试
"""


def _run_into_slow_rule(tmp_path: Path, rules_text: str) -> tuple[subprocess.Popen[str], Path]:
    """``fupin-audit check`` on the example with ``rules_text`` as its rules file and a ``--log``,
    returned a second after the rules phase began (the slow rule is running); and the log's path."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text, encoding="utf-8")
    log = tmp_path / "run.log"
    child = subprocess.Popen(
        [sys.executable, "-m", "fupin_audit", "check", str(EXAMPLES / "zhuangtouyingzi.xlsx"), "--rules", str(rules),
         "--no-report", "-q", "--log", str(log)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    deadline = time.monotonic() + 60
    while "phase=校验" not in (log.read_text(encoding="utf-8") if log.exists() else ""):  # the rules have started
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    time.sleep(1.0)
    return child, log


def test_two_sigterms_during_a_slow_rule_still_end_as_interrupted(tmp_path: Path) -> None:
    """``timeout`` signals the process and then its group, and an impatient user presses Ctrl-C twice:
    the second signal came while the interrupted queries were being waited for, the session was
    closed under them, and DuckDB's ResourceInUseException ended the run as an internal error."""
    default = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    child, _ = _run_into_slow_rule(tmp_path, default.replace("\nreferences:", SLOW_RULE + "\nreferences:", 1))
    child.send_signal(signal.SIGTERM)
    child.send_signal(signal.SIGTERM)  # at once, as timeout's two
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    assert "已中断" in err and "内部错误" not in err


def test_sigterm_during_a_slow_rule_leaves_a_log_naming_the_rule_that_was_running(tmp_path: Path) -> None:
    """cron's ``timeout`` stops a run that hangs in a runaway rule: the log says which rule it was."""
    default = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    child, log = _run_into_slow_rule(tmp_path, default.replace("\nrules:\n", "\nrules:\n" + SLOW_RULE, 1))  # the first rule
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in lines if "\tphase=" in line] == ["phase=读取", "phase=校验", "phase=规则"]
    stopped = [line.split("\t") for line in lines if line.endswith("\tstatus=interrupted")]
    assert "rule=slow_cross_join" in [fields[1] for fields in stopped]
    assert all(line.split("\t")[1].startswith(("phase=", "rule=")) for line in lines)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (every write fails with ENOSPC)")
@pytest.mark.parametrize(
    "args",
    [
        ["check", str(EXAMPLES / "clean_village.xlsx"), "--no-report", "--json"],
        ["check", str(EXAMPLES / "clean_village.xlsx"), "--no-report"],
        ["rules", "list"], ["rules", "show", "exit_income_below_line"], ["rules", "lint"],
    ],
)
def test_stdout_on_a_full_disk_is_exit_2_saying_so(tmp_path: Path, args: list[str]) -> None:
    # `check ... --json > out.json` (and `rules list > rules.txt`) on a full disk was exit 3,
    # "这是 fupin-audit 的缺陷 … 报告给维护者"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "fupin_audit", *args],
            cwd=tmp_path, env=env, stdout=full, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
    assert done.returncode == 2, done.stderr
    assert "无法写出标准输出" in done.stderr and "缺陷" not in done.stderr
