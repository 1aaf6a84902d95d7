"""Real signing tools for update-verification tests: gpg, minisign, trust material, verification runs."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.model.updates import ExpiredCertificatePolicy, RevocationMode, TrustKind, VerificationReport
from otvet.updates.interface import TrustMaterial
from otvet.updates.trust import material_of, read_entry
from otvet.updates.verify import TufStates, VerificationRequest, verify_package

NOW = datetime.now(UTC).replace(microsecond=0)


def _run(
    *command: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    completed = subprocess.run(list(command), capture_output=True, check=False, cwd=cwd, env=env, timeout=120)
    if completed.returncode != 0:
        raise AssertionError(f"{command[0]} failed: {completed.stderr.decode(errors='replace')}")
    return completed


class GnuPG:
    """gpg in a private, short-lived GNUPGHOME (short path: the agent socket must fit in 108 bytes)."""

    def __init__(self) -> None:
        if shutil.which("gpg") is None:
            pytest.skip("gpg is not installed (scripts/system-deps.sh installs gnupg)")
        self.home = Path(tempfile.mkdtemp(prefix="g", dir="/tmp"))
        self.home.chmod(0o700)

    def gpg(self, *args: str, faked: str | None = None) -> subprocess.CompletedProcess[bytes]:
        extra = ["--faked-system-time", f"{faked}!"] if faked else []
        return _run(
            "gpg", "--homedir", str(self.home), "--batch", "--yes", "--pinentry-mode", "loopback",
            "--passphrase", "", *extra, *args,
        )  # fmt: skip

    def generate(self, uid: str, *, expire: str = "2y", faked: str | None = None) -> str:
        self.gpg("--quick-gen-key", uid, "ed25519", "sign", expire, faked=faked)
        listing = self.gpg("--with-colons", "--list-keys", uid).stdout.decode()
        return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))

    def export(self, fingerprint: str, target: Path, *, armor: bool = True) -> Path:
        target.write_bytes(self.gpg(*(["--armor"] if armor else []), "--export", fingerprint).stdout)
        return target

    def sign(self, path: Path, fingerprint: str, *, armor: bool = True, faked: str | None = None) -> Path:
        target = path.with_name(path.name + (".asc" if armor else ".sig"))
        self.gpg(
            "--local-user",
            fingerprint,
            *(["--armor"] if armor else []),
            "--output",
            str(target),
            "--detach-sign",
            str(path),
            faked=faked,
        )
        return target

    def clearsign(self, path: Path, fingerprint: str) -> Path:
        target = path.with_name(path.name + ".asc")
        self.gpg("--local-user", fingerprint, "--output", str(target), "--clearsign", str(path))
        return target

    def revoke(self, fingerprint: str) -> None:
        certificate = self.home / "openpgp-revocs.d" / f"{fingerprint}.rev"
        text = certificate.read_text(encoding="utf-8").replace(":-----BEGIN", "-----BEGIN")
        cleaned = self.home / "revoke.asc"
        cleaned.write_text(text, encoding="utf-8")
        self.gpg("--import", str(cleaned))

    def close(self) -> None:
        gpgconf = shutil.which("gpgconf")
        if gpgconf:  # stop the agent this home started (only ours: it is bound to this home directory)
            subprocess.run(
                [gpgconf, "--homedir", str(self.home), "--kill", "all"], capture_output=True, check=False
            )
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture
def gnupg() -> Iterator[GnuPG]:
    tool = GnuPG()
    yield tool
    tool.close()


class Minisign:
    """The minisign binary with password-less throwaway keys."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("minisign") is None:
            pytest.skip("minisign is not installed (scripts/system-deps.sh installs it)")
        self.directory = directory

    def generate(self, name: str) -> tuple[Path, Path]:
        public, secret = self.directory / f"{name}.pub", self.directory / f"{name}.key"
        _run("minisign", "-G", "-W", "-f", "-p", str(public), "-s", str(secret))
        return public, secret

    def sign(self, secret: Path, path: Path, *, comment: str | None = None, legacy: bool = False) -> Path:
        extra = (["-t", comment] if comment else []) + (["-l"] if legacy else [])
        _run("minisign", "-S", "-W", "-s", str(secret), "-m", str(path), *extra)
        return path.with_name(path.name + ".minisig")


@pytest.fixture
def minisign(tmp_path: Path) -> Minisign:
    keys = tmp_path / "minisign-keys"
    keys.mkdir()
    return Minisign(keys)


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A firmware-like update package."""
    path = tmp_path / "ka9-5.4.2.bin"
    path.write_bytes(b"KA9\x00" + bytes(range(256)) * 64)
    return path


def sums_for(*files: Path, name: str = "SHA256SUMS") -> Path:
    """A GNU coreutils style SHA256SUMS next to the first file."""
    import hashlib

    target = files[0].with_name(name)
    target.write_text(
        "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in files), encoding="utf-8"
    )
    return target


def trust(*items: tuple[TrustKind, Path], **kwargs: str) -> TrustMaterial:
    """Trust material from files, as the trust store would hold it."""
    return material_of([read_entry(kind, path, added_by="test", **kwargs) for kind, path in items])


def verify(
    package: Path,
    material: TrustMaterial,
    *,
    signatures: Sequence[Path] = (),
    sums: Sequence[Path] = (),
    digests: Sequence[tuple[str, str]] = (),
    tuf: Path | None = None,
    target: str | None = None,
    at: datetime | None = None,
    expired: ExpiredCertificatePolicy = ExpiredCertificatePolicy.REJECT,
    revocation: RevocationMode = RevocationMode.HARD_FAIL,
    states: TufStates | None = None,
) -> VerificationReport:
    request = VerificationRequest(
        package=package,
        signatures=tuple(signatures),
        sums=tuple(sums),
        digests=tuple(digests),
        tuf=tuf,
        tuf_target=target,
        expired_certificates=expired,
        revocation=revocation,
    )
    return verify_package(request, material, at=at or datetime.now(UTC), tuf_states=states)


@pytest.fixture(scope="session")
def sigstore_asset(asset: Callable[[str], Path]) -> Callable[[str], Path]:
    return lambda name: asset(f"updates/sigstore/{name}")
