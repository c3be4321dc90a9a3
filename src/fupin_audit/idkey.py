"""Keyed finding ids for ``--mask-ids`` outputs.

A plain ``finding_id`` is SHA-256 over rule, household and the person's ID number: with the ID
masked to ``150426********1083`` only the birth date is unknown, and trying every date recovers the
ID from the plain id in a second. Masked outputs therefore show a keyed id instead: the first 16 hex
digits of HMAC-SHA256(key, plain id). The key is ``FUPIN_AUDIT_ID_KEY`` when set (the same value on
every machine that shares findings files), else a random key kept in a per-user file
(``$XDG_CONFIG_HOME/fupin-audit/id-key``, readable by its owner only), created on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import UsageError
from .userdirs import user_dir

KEY_VARIABLE = "FUPIN_AUDIT_ID_KEY"
MIN_KEY_LENGTH = 16
"""Characters a key needs at least: a short key could be found by trying keys and birth dates together."""
ID_LENGTH = 16
_BLOCK = 64  # SHA-256's block size (HMAC pads the key to it)
_SET_KEY_HINT = f"请设置环境变量 {KEY_VARIABLE}（例如用 python -c \"import secrets; print(secrets.token_hex(32))\" 生成的随机值）"


def key_path() -> Path:
    """``$XDG_CONFIG_HOME/fupin-audit/id-key``; ``~/.config`` when XDG_CONFIG_HOME is unset or not absolute."""
    return user_dir("XDG_CONFIG_HOME", ".config") / "id-key"


def existing_key() -> bytes | None:
    """The key from ``FUPIN_AUDIT_ID_KEY`` or the key file; None when neither exists (no file is created)."""
    variable = os.environ.get(KEY_VARIABLE)
    if variable is not None:
        return _checked(variable.strip(), f"环境变量 {KEY_VARIABLE} 的值")
    path = key_path()
    if not path.exists():
        return None
    return _read(path)


def id_key() -> bytes:
    """The key for keyed ids: ``existing_key``, else a new random key written to ``key_path`` (mode
    0600, its folder 0700). Raises ``UsageError`` when the key file cannot be read or created."""
    key = existing_key()
    if key is not None:
        return key
    path = key_path()
    try:
        _create(path, secrets.token_hex(32))
    except OSError as error:
        raise UsageError(
            f"无法创建问题编号密钥文件 {path}（{error.strerror or type(error).__name__}）：{_SET_KEY_HINT}，"
            "共用问题清单的各台电脑设成同一个值。"
        ) from None
    return _read(path)


def keyed_ids(ids: Iterable[str], key: bytes) -> list[str]:
    """The first 16 hex digits of HMAC-SHA256(key, id) of each id. HMAC's two hashes are prepared
    once and copied per id (``hmac.new`` per id took twice as long for 280,000 ids)."""
    padded = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded)).copy

    def one(value: str) -> str:
        first = inner()
        first.update(value.encode("utf-8"))
        second = outer()
        second.update(first.digest())
        return second.hexdigest()[:ID_LENGTH]

    return [one(value) for value in ids]


def _checked(text: str, where: str) -> bytes:
    if len(text) < MIN_KEY_LENGTH:
        raise UsageError(f"{where}太短，不能作问题编号密钥（至少 {MIN_KEY_LENGTH} 个字符）：{_SET_KEY_HINT}。")
    return text.encode("utf-8")


def _read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "不是文本"
        raise UsageError(f"无法读取问题编号密钥文件 {path}（{reason}）：{_SET_KEY_HINT}。") from None
    return _checked(text.strip(), f"问题编号密钥文件 {path} 的内容")


def _create(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` unless it exists: written to a private temporary file first and
    linked into place, so a run started at the same moment reads one whole key, never half of one
    and never a second key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".id-key-")  # created 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(key + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another run made it first: that key is used
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
