"""Verification never opens a network connection: not to the Internet, not even to loopback or DNS.

The session-wide guard (tests/guards.py) already fails any non-loopback connection; this test is
stricter: every socket connect, send and name lookup during a verification is recorded, and one
run covers every mechanism (OpenPGP via gpgv is a subprocess that never fetches keys: it is given
its only keyring).
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from otvet.model.updates import TrustKind, Verdict
from tests.updates.conftest import GnuPG, Minisign, sums_for, trust, verify
from tests.updates.pki import sign_detached
from tests.updates.test_cms import Pki
from tests.updates.test_dsse import _envelope, _public
from tests.updates.test_tuf import MemoryStates
from tests.updates.tufrepo import TufRepo


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:2]}")
            raise OSError(f"network access during verification: {name}")

        return blocked

    for method in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, method, refuse(method))
    for function in ("getaddrinfo", "gethostbyname", "create_connection"):
        monkeypatch.setattr(socket, function, refuse(function))
    return attempts


def test_every_mechanism_verifies_without_any_network(
    no_sockets: list[str],
    package: Path,
    tmp_path: Path,
    gnupg: GnuPG,
    minisign: Minisign,
    sigstore_asset: Callable[[str], Path],
) -> None:
    pki = Pki(tmp_path)
    fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    key = ed25519.Ed25519PrivateKey.generate()
    repo = TufRepo()
    repo.add_target(package.name, package.read_bytes())
    repo.release()
    material = trust(
        (TrustKind.OPENPGP, gnupg.export(fpr, tmp_path / "vendor.asc")),
        (TrustKind.MINISIGN, public),
        (TrustKind.PUBLIC_KEY, _public(tmp_path, key)),
        (TrustKind.TUF_ROOT, repo.first_root(tmp_path / "root.json")),
        (TrustKind.X509_ROOT, pki.root_file()),
    )
    report = verify(
        package,
        material,
        signatures=[
            gnupg.sign(package, fpr),
            minisign.sign(secret, sums),
            _envelope(tmp_path, key, {package.name: hashlib.sha256(package.read_bytes()).hexdigest()}),
            pki.write("pkg.p7s", sign_detached(package.read_bytes(), pki.signer, [pki.intermediate])),
        ],
        sums=[sums],
        tuf=repo.publish(tmp_path / "usb"),
        states=MemoryStates(),
    )
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    assert len(report.checks) == 6
    sigstore = verify(
        sigstore_asset("new_bundle.txt"),
        trust(
            (TrustKind.SIGSTORE_ROOT, sigstore_asset("trusted_root.json")),
            identity="aryadeeptade@gmail.com",
            issuer="https://github.com/login/oauth",
        ),
        signatures=[sigstore_asset("new_bundle.txt.sigstore.json")],
    )
    assert sigstore.verdict is Verdict.AUTHENTIC, sigstore.summary
    assert no_sockets == []
