"""The update verification analyzer on the example bundles and on crafted update evidence."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.analyzers.interface import AnalysisContext
from otvet.analyzers.update_verification import UpdateVerificationAnalyzer
from otvet.catalog import load_catalog, load_profile
from otvet.core import assess
from otvet.intake import open_bundle
from otvet.model import AnalyzerOutput, Basis, Status
from otvet.model.updates import TrustKind
from otvet.updates.report import write_json
from tests.updates.conftest import Minisign, sums_for, trust, verify

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _analyze(bundle_dir: Path) -> AnalyzerOutput:
    catalog = load_catalog()
    ctx = AnalysisContext(catalog=catalog, profile=load_profile("strict", catalog), now=NOW)
    with open_bundle(bundle_dir, catalog) as bundle:
        return UpdateVerificationAnalyzer().analyze(bundle, ctx)


def _by_criterion(output: AnalyzerOutput) -> dict[str, tuple[Status, Basis, str]]:
    return {r.criterion_id: (r.status, r.basis, r.rationale) for r in output.results}


def _minimal_bundle(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "bundle"
    root.mkdir(parents=True)
    (root / "otvet-bundle.yaml").write_text(
        "otvet_bundle: 1\nproduct:\n  vendor: Test Vendor\n  name: Test RTU\n  version: 1.0.0\n",
        encoding="utf-8",
    )
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_kestrel_signed_updates_are_verified_authentic(examples: Path) -> None:
    results = _by_criterion(_analyze(examples / "kestrel-plc"))
    assert results["SBD-12.05"][:2] == (Status.MET, Basis.VERIFIED)
    assert "D462DE7D8A3BE27E" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][:2] == (Status.MET, Basis.VERIFIED)


def test_northwind_unsigned_hash_list_does_not_earn_authentic_updates(examples: Path) -> None:
    output = _analyze(examples / "northwind-rtu")
    results = _by_criterion(output)
    assert results["SBD-12.05"][:2] == (Status.NOT_MET, Basis.VERIFIED)
    assert "integrity" in results["SBD-12.05"][2] and "no proof of origin" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][:2] == (Status.PARTIALLY_MET, Basis.VERIFIED)
    assert output.sections and output.sections[0].tables[0].rows[0][2] == "integrity only"


def test_northwind_assessment_shows_the_contradiction_with_the_vendor_claim(examples: Path) -> None:
    outcome = assess(examples / "northwind-rtu", profile="essential", now=NOW).outcome("SBD-12.05")
    assert outcome.status is Status.NOT_MET and outcome.basis is Basis.VERIFIED
    assert outcome.claim is not None and outcome.claim.status is Status.MET
    assert outcome.contradiction is not None


def test_a_failed_report_is_not_met(tmp_path: Path, minisign: Minisign, package: Path) -> None:
    public, secret = minisign.generate("vendor")
    signature = minisign.sign(secret, package)
    good = package.read_bytes()
    package.write_bytes(good + b"x")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[signature])
    bundle = _minimal_bundle(
        tmp_path, {"updates/fw.bin": package.read_bytes(), "updates/report.json": _json(report, tmp_path)}
    )
    results = _by_criterion(_analyze(bundle))
    assert results["SBD-12.05"][0] is Status.NOT_MET and "failed verification" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][0] is Status.NOT_MET


def test_a_report_about_a_package_outside_the_bundle_vouches_for_nothing(
    tmp_path: Path, minisign: Minisign, package: Path
) -> None:
    public, secret = minisign.generate("vendor")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[minisign.sign(secret, package)])
    bundle = _minimal_bundle(
        tmp_path, {"updates/fw.bin": b"another package", "updates/report.json": _json(report, tmp_path)}
    )
    output = _analyze(bundle)
    assert {r.status for r in output.results} == {Status.NOT_EVIDENCED}
    assert any("not in the bundle" in p.message for p in output.problems)


def test_signatures_without_a_report_are_not_judged(
    tmp_path: Path, minisign: Minisign, package: Path
) -> None:
    public, secret = minisign.generate("vendor")
    sums = sums_for(package)
    signature = minisign.sign(secret, sums)
    bundle = _minimal_bundle(
        tmp_path,
        {
            "updates/ka9-5.4.2.bin": package.read_bytes(),
            "updates/SHA256SUMS": sums.read_bytes(),
            "updates/SHA256SUMS.minisig": signature.read_bytes(),
            "updates/vendor.pub": public.read_bytes(),
        },
    )
    results = _by_criterion(_analyze(bundle))
    assert (
        results["SBD-12.05"][0] is Status.NOT_EVIDENCED and "otvet update verify" in results["SBD-12.05"][2]
    )


def test_a_package_alone_is_not_evidenced_and_a_contradicting_hash_list_is_not_met(tmp_path: Path) -> None:
    alone = _analyze(_minimal_bundle(tmp_path / "a", {"updates/fw.bin": b"\x00\x01firmware"}))
    assert _by_criterion(alone)["SBD-12.05"][0] is Status.NOT_EVIDENCED
    wrong = _analyze(
        _minimal_bundle(
            tmp_path / "b",
            {
                "updates/fw.bin": b"\x00\x01firmware",
                "updates/SHA256SUMS": ("ab" * 32 + "  fw.bin\n").encode(),
            },
        )
    )
    results = _by_criterion(wrong)
    assert (
        results["SBD-12.05"][0] is Status.NOT_MET
        and "does not match the vendor's own hash list" in results["SBD-12.05"][2]
    )


def test_a_malformed_report_is_a_problem_not_a_verdict(tmp_path: Path) -> None:
    bundle = _minimal_bundle(
        tmp_path,
        {"updates/fw.bin": b"\x00fw", "updates/report.json": b'{"otvet_verification": "1.0", "verdict": 3}'},
    )
    output = _analyze(bundle)
    assert {r.status for r in output.results} == {Status.NOT_EVIDENCED}
    assert any("malformed verification report" in p.message for p in output.problems)


def test_a_verified_provenance_attestation_partly_shows_pipeline_controls(
    tmp_path: Path, package: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from tests.updates.test_dsse import _digest, _envelope, _public

    key = ed25519.Ed25519PrivateKey.generate()
    material = trust((TrustKind.PUBLIC_KEY, _public(tmp_path, key)))
    report = verify(
        package, material, signatures=[_envelope(tmp_path, key, {package.name: _digest(package)})]
    )
    bundle = _minimal_bundle(
        tmp_path / "b", {"updates/fw.bin": package.read_bytes(), "report.json": _json(report, tmp_path)}
    )
    results = _by_criterion(_analyze(bundle))
    assert results["SBD-12.05"][0] is Status.MET
    assert results["SBD-12.09"][:2] == (Status.PARTIALLY_MET, Basis.VERIFIED)


def _json(report: object, tmp_path: Path) -> bytes:
    return write_json(report, tmp_path / "report-out.json").read_bytes()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "ka9-5.4.2.bin"
    path.write_bytes(b"KA9\x00" + bytes(range(256)) * 8)
    return path


@pytest.fixture
def minisign(tmp_path: Path) -> Minisign:
    keys = tmp_path / "keys"
    keys.mkdir()
    return Minisign(keys)


def test_example_report_matches_the_example_package(examples: Path) -> None:
    report = json.loads(
        (examples / "kestrel-plc" / "updates" / "ka9-5.4.1-verification.json").read_text(encoding="utf-8")
    )
    package = examples / "kestrel-plc" / "updates" / "ka9-5.4.1.bin"
    assert report["package"]["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert report["verdict"] == "authentic"
    assert report["checks"][0]["keys"][0]["fingerprint"] == "D462DE7D8A3BE27E"
