"""Atomic output: write to a temporary file beside the target, then rename it over the target.

A reader never sees half a report, a failed run leaves the previous report in place, and an input
file can never be overwritten by an output (``protected``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .errors import InputError, UsageError
from .inputs import expand_paths


def refuse_input(path: Path, inputs: Iterable[str | Path]) -> None:
    """Raise ``UsageError`` when ``path`` (an output) is one of ``inputs``."""
    target = Path(path).resolve()
    for other in inputs:
        if Path(other).resolve() == target:
            raise UsageError(f"输出文件 {path} 与输入文件相同：输入文件不会被改写，请换一个输出文件名。")


def refuse_inputs_early(
    outputs: Iterable[Path | None],
    registry: Iterable[str | Path],
    rules: Path | None,
    references: Mapping[str, str | Path],
) -> None:
    """Before any work: refuse an output (report, findings, log) that is a registry file (folders and
    globs expanded), the rules file or a list. A registry argument that matches no file is left to
    the audit to report, after it has validated the rules file."""
    try:
        files = expand_paths(list(registry))
    except InputError:
        files = []
    others = [*([rules] if rules is not None else []), *references.values()]
    inputs = [*files, *(Path(p) for p in others if Path(p).is_file())]
    for output in outputs:
        if output is not None:
            refuse_input(output, inputs)


@contextlib.contextmanager
def atomic_write(path: Path, protected: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success rename it to ``path``, on failure remove it.

    The temporary file keeps ``path``'s suffix (writers that choose a format by suffix still work).
    A new file is readable by its owner only (it holds personal data); an existing file keeps its
    permissions. Raises ``UsageError`` when ``path`` is one of ``protected`` (the audited inputs) or
    its folder does not exist.
    """
    path = Path(path)
    target = path.resolve()
    refuse_input(path, protected)
    if not target.parent.is_dir():
        raise UsageError(f"输出文件夹 {path.parent} 不存在：请先建立该文件夹，或换一个输出路径。")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        if target.exists():
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
