"""The terminal summary: counts and facts of the run, no personal data, plain text off a terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from fupin_audit import findings
from fupin_audit.report.terminal import render_summary
from test_report_fixtures import ID_A, make_result, sample_findings


def render(result: object, report: Path | None = None, found: Path | None = None) -> str:
    console = Console(record=True, width=120, force_terminal=False, color_system=None)
    render_summary(result, report, found, console)  # type: ignore[arg-type]
    return console.export_text()


def test_summary_shows_inputs_date_counts_and_outputs(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    text = render(result, tmp_path / "报告.xlsx", tmp_path / "f.csv")
    assert "2020-12-31" in text and "登记表年度" in text
    assert "120" in text and "117" in text and "空行 2" in text and "合计行 1" in text
    assert "问题 4 条" in text
    for title, code in [("错退", "wrongful_exit"), ("人员重复", "duplicate_person"), ("数据错误", "data_error")]:
        assert title in text and code in text
    assert "甲县/乙镇/丙村" in text
    assert "exit_without_signature" in text and "签字确认" in text
    assert str(tmp_path / "报告.xlsx") in text and str(tmp_path / "f.csv") in text
    assert "\x1b[" not in text


def test_summary_holds_no_names_or_ids(tmp_path: Path) -> None:
    text = render(make_result(tmp_path))
    for name in ["张三", "王五", "李四"]:
        assert name not in text
    assert ID_A[:10] not in text


def test_summary_with_no_findings_and_markup_in_names(tmp_path: Path) -> None:
    assert "未发现问题" in render(make_result(tmp_path, findings.empty()))
    found = sample_findings()
    found["village"] = "[bold]村[/bold]"
    text = render(make_result(tmp_path, found))
    assert "[bold]村[/bold]" in text


def test_long_notes_wrap_whole_in_a_narrow_terminal(tmp_path: Path) -> None:
    """Chinese notes have no spaces to wrap at: each wrapped line was cut with …, and a reason such as
    a long list of missing columns could not be read."""
    import dataclasses

    from fupin_audit.io.table import DuplicateColumn
    from fupin_audit.result import SkippedRule

    result = make_result(tmp_path)
    duplicate = DuplicateColumn("证件号码", "证件号码", "身份证号码", 85, 1)
    reason = "输入缺少列 households.帮扶责任人|households.帮扶责任人证件号码、members.在校生状况|members.是否义务教育阶段适龄儿童少年失学辍学"
    result = dataclasses.replace(
        result,
        inputs=[dataclasses.replace(result.inputs[0], duplicate_columns=(duplicate,))],
        skipped_rules=[SkippedRule("favoritism_helper", "帮扶责任人是本户成员的亲属", reason)],
    )
    console = Console(record=True, width=80, force_terminal=False, color_system=None)
    render_summary(result, None, None, console)
    text = console.export_text()
    assert "…" not in text

    def column(title: str, index: int) -> str:
        """The text of one column of the table whose title starts with ``title``, wrapped lines joined."""
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(title))
        cells = []
        for line in lines[start + 4:]:  # title, top border, header, rule
            if not line.startswith("│"):
                break
            cells.append(line.split("│")[index].strip())
        return "".join(cells)

    assert column("输入文件", 7) == "重复的列" + duplicate.note().replace(" ", "")
    assert column("未执行的规则", 1) == reason.replace(" ", "")
