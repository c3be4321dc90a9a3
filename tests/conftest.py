"""Every test runs with its own, empty config and cache folders and without FUPIN_AUDIT_ID_KEY: a
masked output creates its id key there (idkey.py), never in the real home, and no test depends on a
real key or on rule sets an earlier test bound (rules/bindcache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_id_key(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("FUPIN_AUDIT_ID_KEY", raising=False)
    return config
