"""Benchmark update verification of a large package: hashing, minisign, signed hash list, OpenPGP.

    .venv/bin/python bench/verify_package.py [--megabytes 100]

Makes a random package and throwaway keys in a temporary directory (minisign and gpg binaries
when installed), then times ``verify_package`` per mechanism. Results go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from otvet.model.updates import TrustKind
from otvet.updates.trust import material_of, read_entry
from otvet.updates.verify import VerificationRequest, verify_package


def _run(*command: str) -> None:
    subprocess.run(list(command), check=True, capture_output=True, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="otvet-bench-verify-", dir="/tmp"))
    package = work / "firmware.bin"
    with package.open("wb") as handle:
        for _ in range(args.megabytes):
            handle.write(os.urandom(1024 * 1024))
    sums = work / "SHA256SUMS"
    sums.write_text(f"{hashlib.sha256(package.read_bytes()).hexdigest()}  {package.name}\n", encoding="utf-8")
    entries = []
    cases: list[tuple[str, VerificationRequest]] = [
        ("unsigned hash list (integrity only)", VerificationRequest(package=package, sums=(sums,)))
    ]
    if shutil.which("minisign"):
        _run("minisign", "-G", "-W", "-p", str(work / "m.pub"), "-s", str(work / "m.key"))
        _run("minisign", "-S", "-W", "-s", str(work / "m.key"), "-m", str(package))
        _run("minisign", "-S", "-W", "-s", str(work / "m.key"), "-m", str(sums))
        entries.append(read_entry(TrustKind.MINISIGN, work / "m.pub", added_by="bench"))
        cases.append(
            (
                "minisign over the package (BLAKE2b-512 prehash)",
                VerificationRequest(package=package, signatures=(work / "firmware.bin.minisig",)),
            )
        )
        cases.append(
            (
                "minisign over SHA256SUMS + hash list",
                VerificationRequest(package=package, signatures=(work / "SHA256SUMS.minisig",), sums=(sums,)),
            )
        )
    if shutil.which("gpg") and shutil.which("gpgv"):
        home = work / "g"
        home.mkdir(mode=0o700)
        gpg = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
        _run(*gpg, "--quick-gen-key", "Bench <bench@example.org>", "ed25519", "sign", "1y")
        _run(*gpg, "--armor", "--output", str(work / "k.asc"), "--export", "bench@example.org")
        _run(*gpg, "--armor", "--output", str(work / "firmware.bin.asc"), "--detach-sign", str(package))
        entries.append(read_entry(TrustKind.OPENPGP, work / "k.asc", added_by="bench"))
        cases.append(
            (
                "OpenPGP detached (gpgv)",
                VerificationRequest(package=package, signatures=(work / "firmware.bin.asc",)),
            )
        )
        gpgconf = shutil.which("gpgconf")
        if gpgconf:  # stop the agent of this throwaway home
            subprocess.run(
                [gpgconf, "--homedir", str(home), "--kill", "all"], check=False, capture_output=True
            )
    material = material_of(entries)
    print(f"package: {args.megabytes} MiB")
    for label, request in cases:
        start = time.perf_counter()
        report = verify_package(request, material, at=datetime.now(UTC))
        print(f"{label}: {time.perf_counter() - start:.2f} s ({report.verdict.value})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
