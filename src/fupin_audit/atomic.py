"""Atomic output: write to a temporary file beside the target, then rename it over the target.

A reader never sees half a report, a failed run leaves the previous report in place, and an input
file can never be overwritten by an output (``protected``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import InputError, OutputError, UsageError
from .inputs import expand_paths


def refuse_input(path: Path, inputs: Iterable[str | Path]) -> None:
    """Raise ``UsageError`` when ``path`` (an output) is one of ``inputs``: the same path, or another
    name of the same file (a symbolic or hard link)."""
    target = Path(path).resolve()
    for other in inputs:
        if Path(other).resolve() == target or _same_file(Path(other), target):
            raise UsageError(f"输出文件 {path} 与输入文件相同：输入文件不会被改写，请换一个输出文件名。")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet)
        return False


def check_output_place(path: Path) -> None:
    """Raise ``UsageError`` when ``path`` cannot be an output file: a folder, or in a folder that does
    not exist or this user cannot write to."""
    target = Path(path).resolve()
    if target.is_dir():
        raise UsageError(f"输出路径 {path} 是一个文件夹：请给出文件名，例如 {Path(path) / '核查报告.xlsx'}。")
    if not target.parent.is_dir():
        raise UsageError(f"输出文件夹 {path.parent} 不存在：请先建立该文件夹，或换一个输出路径。")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise UsageError(f"没有权限在文件夹 {path.parent} 中写入文件：请换一个输出路径。")


def refuse_inputs_early(
    outputs: Iterable[Path | None],
    registry: Iterable[str | Path],
    rules: Path | None,
    references: Mapping[str, str | Path],
) -> None:
    """Before any work: refuse an output (report, findings, log) that is a registry file (folders and
    globs expanded), the rules file or a list, that another output names too, or that cannot be
    written (``check_output_place``). A registry argument that matches no file is left to the audit
    to report, after it has validated the rules file."""
    try:
        files = expand_paths(list(registry))
    except InputError:
        files = []
    others = [*([rules] if rules is not None else []), *references.values()]
    inputs = [*files, *(Path(p) for p in others if Path(p).is_file())]
    chosen: list[Path] = []
    for output in (o for o in outputs if o is not None):
        refuse_input(output, inputs)
        if any(Path(output).resolve() == Path(earlier).resolve() for earlier in chosen):
            raise UsageError(f"两个输出（报告、问题清单、日志）都是 {output}：请给每个输出一个不同的文件名。")
        check_output_place(output)
        chosen.append(output)


@contextlib.contextmanager
def atomic_write(path: Path, protected: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success rename it to ``path``, on failure remove it.

    The temporary file keeps ``path``'s suffix (writers that choose a format by suffix still work).
    A new file is readable by its owner only (it holds personal data); an existing file keeps its
    permissions. Raises ``UsageError`` when ``path`` is one of ``protected`` (the audited inputs) or
    cannot be written (``check_output_place``, or the folder refuses a new file).
    """
    path = Path(path)
    target = path.resolve()
    refuse_input(path, protected)
    check_output_place(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=target.parent)
    except OSError as exc:
        raise UsageError(f"无法在文件夹 {path.parent} 中写入文件（{exc.strerror}）：请换一个输出路径。") from None
    os.close(fd)
    temporary = Path(name)
    existed = target.exists()
    try:
        if existed:
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        yield temporary
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if exc.errno not in WRITE_FAILURES:
            raise
        raise OutputError(
            f"写出 {path} 时出错（{exc.strerror}）{'，原有的同名文件未改动' if existed else ''}：请检查磁盘空间"
            "（包括临时文件夹）和写入权限，或换一个输出路径。"
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM})
"""Errors of the place an output is written to, not of fupin-audit: a full disk while the findings or the
report were written was an internal error (exit 3, "a bug … report it"); it is exit 2 with what to check."""
