"""Keyed finding ids (idkey.py): the key from FUPIN_AUDIT_ID_KEY or a private per-user key file."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest

from fupin_audit.errors import UsageError
from fupin_audit.idkey import existing_key, id_key, key_path, keyed_ids

TEAM_KEY = "a shared key of the county audit team"


def hmac16(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]


def test_keyed_ids_are_hmac_sha256_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_AUDIT_ID_KEY", TEAM_KEY)
    ids = ["0123456789abcdef", "fedcba9876543210", ""]
    assert keyed_ids(ids, id_key()) == [hmac16(TEAM_KEY, i) for i in ids]
    long_key = "k" * 100  # longer than SHA-256's block: hashed first, as HMAC does
    assert keyed_ids(ids, long_key.encode()) == [hmac16(long_key, i) for i in ids]


def test_the_key_file_is_created_once_readable_by_its_owner_only(private_id_key: Path) -> None:
    assert existing_key() is None and not key_path().exists()
    key = id_key()
    path = private_id_key / "fupin-audit" / "id-key"
    assert key_path() == path and path.is_file()
    assert len(key) == 64 and key == path.read_text(encoding="utf-8").strip().encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert id_key() == key == existing_key()  # the same key on every later run
    assert [p.name for p in path.parent.iterdir()] == ["id-key"]  # no temporary file left behind


def test_without_xdg_config_home_the_key_lives_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert key_path() == tmp_path / ".config" / "fupin-audit" / "id-key"


def test_the_variable_wins_over_the_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    file_key = id_key()
    monkeypatch.setenv("FUPIN_AUDIT_ID_KEY", TEAM_KEY)
    assert id_key() == TEAM_KEY.encode() != file_key


def test_a_short_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_AUDIT_ID_KEY", "abc")
    with pytest.raises(UsageError, match="FUPIN_AUDIT_ID_KEY"):
        id_key()


def test_a_key_file_that_cannot_be_created_asks_for_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    with pytest.raises(UsageError, match="请设置环境变量 FUPIN_AUDIT_ID_KEY"):
        id_key()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_config_folder_asks_for_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    try:
        with pytest.raises(UsageError, match="FUPIN_AUDIT_ID_KEY"):
            id_key()
    finally:
        tmp_path.chmod(0o700)
