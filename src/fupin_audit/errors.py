"""Errors that stop an audit before it starts. The command line turns each into one plain message and exit 2.

Problems inside the data are never exceptions: they become ``data_error`` findings.
"""

from __future__ import annotations

import re


class FupinAuditError(Exception):
    """Base of every error the tool reports to the user in plain words (exit code 2)."""


class InputError(FupinAuditError):
    """A file cannot be read: missing, damaged, encrypted, empty, undecodable."""


class UnreadableFilesError(InputError):
    """Several files of one audit cannot be read: each is named with its reason, so that a county
    folder's bad files are all fixed in one round (``errors``: one ``InputError`` per file)."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} 个文件无法读取（请逐一修复后重新运行，或加 --keep-going 跳过它们、核查其余文件）：\n"
            + "\n".join(f"  - {error}" for error in errors)
        )


class MissingColumnsError(InputError):
    """A table lacks a column the audit cannot run without."""

    def __init__(self, where: str, missing: list[str], seen: list[str], candidates: dict[str, list[str]]):
        self.where = where
        self.missing = missing
        self.seen = seen
        self.candidates = candidates
        data_like = any(_LONG_NUMBER.search(cell) for cell in seen)
        hints = "" if data_like else "; ".join(
            f"{name} 的相近列：{'、'.join(found)}" for name, found in candidates.items() if found
        )
        shown = (
            "像是一行数据而不是表头（有长串数字），内容不列出；请确认文件有表头行"
            if data_like
            else "、".join(seen) or "（无）"
        )
        message = (
            f"{where}：缺少必需的列 {'、'.join(missing)}。读到的表头：{shown}。"
            + (f"{hints}。" if hints else "")
            + "请改表头为标准名称，或检查表头所在行。"
        )
        super().__init__(message)


_LONG_NUMBER = re.compile(r"[0-9０-９]{6}")
"""No header holds six digits in a row; a data row does (an ID number, a 户编号, a phone number).
Such a "header" is not quoted: errors reach stderr, logs and reports, and must carry no personal data."""


class RulesError(FupinAuditError):
    """The rules file is invalid; ``problems`` lists every problem found, each naming the rule and field."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"规则文件 {path} 有 {len(problems)} 处错误：\n" + "\n".join(f"  - {p}" for p in problems))


class OutputError(FupinAuditError):
    """An output could not be written to the end: the disk or quota full, a read-only or failing file
    system (the environment, not a bug: exit 2, not 3). The earlier file of that name, if any, is kept."""


class UsageError(FupinAuditError):
    """Bad arguments: an unknown reference list name, a malformed date, an unsupported output type."""
