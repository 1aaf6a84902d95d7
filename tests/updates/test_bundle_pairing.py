"""Which signatures and hash lists of a bundle go with which update package (ADR 0071)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.intake import open_bundle
from otvet.model import ArtifactKind
from otvet.model.updates import TrustKind, Verdict
from otvet.updates.bundle import bundle_requests
from otvet.updates.verify import verify_package
from tests.updates.conftest import Minisign, sums_for, trust


def test_each_package_gets_only_the_evidence_named_after_it_or_its_hash_list(
    tmp_path: Path, minisign: Minisign
) -> None:
    public, secret = minisign.generate("vendor")
    source = tmp_path / "bundle" / "updates"
    source.mkdir(parents=True)
    first, second = source / "fw-a.bin", source / "fw-b.bin"
    first.write_bytes(b"\x7fELF\x00\xff firmware A" * 100)
    second.write_bytes(b"\x7fELF\x00\xff firmware B" * 100)
    sums = sums_for(first)  # lists only fw-a.bin
    minisign.sign(secret, sums)  # SHA256SUMS.minisig
    minisign.sign(secret, second)  # fw-b.bin.minisig
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(b"%PDF-1.7 manual")
    shutil.copy(minisign.sign(secret, manual), source / "manual.pdf.minisig")  # covers neither package
    shutil.copy(public, source / "vendor.pub")  # a key in the bundle is never evidence
    with open_bundle(tmp_path / "bundle", load_catalog()) as bundle:
        requests = bundle_requests(bundle)
        names = {
            request.names[request.package]: (
                sorted(request.names[p] for p in request.signatures),
                sorted(request.names[p] for p in request.sums),
            )
            for request in requests
        }
        assert names == {
            "updates/fw-a.bin": (["updates/SHA256SUMS.minisig"], ["updates/SHA256SUMS"]),
            "updates/fw-b.bin": (["updates/fw-b.bin.minisig"], []),
        }
        material = trust((TrustKind.MINISIGN, public))
        reports = [verify_package(r, material, at=datetime.now(UTC)) for r in requests]
        assert [r.verdict for r in reports] == [Verdict.AUTHENTIC, Verdict.AUTHENTIC]
        assert reports[0].package.name == "updates/fw-a.bin"  # bundle paths, not workspace paths


def test_a_package_without_a_signature_is_left_to_the_analyzer(tmp_path: Path) -> None:
    source = tmp_path / "bundle"
    source.mkdir()
    package = source / "fw.bin"
    package.write_bytes(b"\x00\xff firmware")
    sums_for(package)
    with open_bundle(source, load_catalog()) as bundle:
        assert [a.path for a in bundle.of_kind(ArtifactKind.UPDATE_PACKAGE)] == ["fw.bin"]
        assert [a.path for a in bundle.of_kind(ArtifactKind.SIGNATURE)] == ["SHA256SUMS"]
        assert bundle_requests(bundle) == []
