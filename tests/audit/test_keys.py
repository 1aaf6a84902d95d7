"""The audit signing key: created on first use, private, never a default, refused when exposed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from otvet.audit import AuditLog, key_path, load_or_create_key
from otvet.model import ConfigurationError


def test_key_is_created_once_with_owner_only_permissions(otvet_home: Path) -> None:
    path = key_path()
    assert not path.exists()
    first, created = load_or_create_key()
    assert created and path.parent == otvet_home
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second, created_again = load_or_create_key()
    assert not created_again
    assert first.public_key().public_bytes_raw() == second.public_key().public_bytes_raw()


def test_two_installations_never_share_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = []
    for name in ("a", "b"):
        monkeypatch.setenv("OTVET_HOME", str(tmp_path / name))
        keys.append(load_or_create_key()[0].public_key().public_bytes_raw())
    assert keys[0] != keys[1]


def test_a_key_readable_by_others_is_refused(otvet_home: Path) -> None:
    load_or_create_key()
    key_path().chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_or_create_key()


def test_a_symlinked_key_is_refused(
    otvet_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "elsewhere.pem"
    load_or_create_key(real)
    link = tmp_path / "link.pem"
    link.symlink_to(real)
    monkeypatch.setenv("OTVET_AUDIT_KEY", str(link))
    with pytest.raises(ConfigurationError, match="cannot open"):
        AuditLog.open()
