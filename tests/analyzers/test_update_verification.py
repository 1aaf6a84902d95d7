"""The update verification analyzer on the example bundles and on crafted update evidence."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from otvet.analyzers.interface import AnalysisContext
from otvet.analyzers.update_verification import UpdateVerificationAnalyzer
from otvet.catalog import load_catalog, load_profile
from otvet.core import assess
from otvet.core import updates as update_service
from otvet.intake import open_bundle
from otvet.model import AnalyzerOutput, Basis, Status
from otvet.model.provenance import Origin
from otvet.model.updates import TrustKind, VerificationReport
from otvet.updates.report import write_json
from tests.updates.conftest import Minisign, sums_for, trust, verify

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _close_update_stores() -> Iterator[None]:
    yield
    update_service.close_all()


def _analyze(bundle_dir: Path, extra: Sequence[Path] = ()) -> AnalyzerOutput:
    """The analyzer alone; ``extra`` files are the buyer's (added beside the bundle)."""
    catalog = load_catalog()
    ctx = AnalysisContext(catalog=catalog, profile=load_profile("strict", catalog), now=NOW)
    with open_bundle(bundle_dir, catalog, extra=extra) as bundle:
        return UpdateVerificationAnalyzer().analyze(bundle, ctx)


def _report_file(report: VerificationReport, tmp_path: Path, name: str = "my-report.json") -> Path:
    """A verification report as the buyer's ``otvet update verify -o`` writes it."""
    return write_json(report, tmp_path / name)


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


def test_kestrel_signed_updates_are_verified_authentic_by_the_buyers_report(examples: Path) -> None:
    output = _analyze(examples / "kestrel-plc", extra=[examples / "lab" / "ka9-5.4.1-verification.json"])
    results = _by_criterion(output)
    assert results["SBD-12.05"][:2] == (Status.MET, Basis.VERIFIED)
    assert "D462DE7D8A3BE27E" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][:2] == (Status.MET, Basis.VERIFIED)
    assert output.sections[0].tables[0].rows[0][1] == "you (added beside the bundle)"


def test_kestrel_bundle_alone_is_signed_but_not_verified(examples: Path) -> None:
    # The vendor ships its key and signature; neither proves anything until the buyer checks the
    # key out of band and verifies with it.
    results = _by_criterion(_analyze(examples / "kestrel-plc"))
    assert results["SBD-12.05"][:2] == (Status.NOT_EVIDENCED, Basis.NONE)
    assert "nothing of yours verifies it" in results["SBD-12.05"][2]
    assert "otvet trust add" in results["SBD-12.05"][2]


def test_northwind_unsigned_hash_list_does_not_earn_authentic_updates(examples: Path) -> None:
    output = _analyze(examples / "northwind-rtu")
    results = _by_criterion(output)
    assert results["SBD-12.05"][:2] == (Status.NOT_MET, Basis.VERIFIED)
    assert "integrity" in results["SBD-12.05"][2] and "no proof of origin" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][:2] == (Status.PARTIALLY_MET, Basis.VERIFIED)
    assert output.sections and output.sections[0].tables[0].rows[0][3] == "integrity only"


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
    bundle = _minimal_bundle(tmp_path, {"updates/fw.bin": package.read_bytes()})
    results = _by_criterion(_analyze(bundle, extra=[_report_file(report, tmp_path)]))
    assert results["SBD-12.05"][:2] == (Status.NOT_MET, Basis.VERIFIED)
    assert "failed verification" in results["SBD-12.05"][2]
    assert results["SBD-11.13"][:2] == (Status.NOT_MET, Basis.VERIFIED)


def test_a_report_about_a_package_outside_the_bundle_vouches_for_nothing(
    tmp_path: Path, minisign: Minisign, package: Path
) -> None:
    public, secret = minisign.generate("vendor")
    report = verify(package, trust((TrustKind.MINISIGN, public)), signatures=[minisign.sign(secret, package)])
    bundle = _minimal_bundle(tmp_path, {"updates/fw.bin": b"another package"})
    output = _analyze(bundle, extra=[_report_file(report, tmp_path)])
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
    bundle = _minimal_bundle(tmp_path / "b", {"updates/fw.bin": package.read_bytes()})
    results = _by_criterion(_analyze(bundle, extra=[_report_file(report, tmp_path)]))
    assert results["SBD-12.05"][:2] == (Status.MET, Basis.VERIFIED)
    assert results["SBD-12.09"][:2] == (Status.PARTIALLY_MET, Basis.VERIFIED)


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
    report = json.loads((examples / "lab" / "ka9-5.4.1-verification.json").read_text(encoding="utf-8"))
    package = examples / "kestrel-plc" / "updates" / "ka9-5.4.1.bin"
    assert report["package"]["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert report["verdict"] == "authentic"
    assert report["checks"][0]["keys"][0]["fingerprint"] == "D462DE7D8A3BE27E"


# -- provenance: whose verification is it? (ADR 0070, 0071) -----------------------------------


def _kestrel_copy(examples: Path, tmp_path: Path) -> Path:
    bundle = tmp_path / "kestrel-plc"
    shutil.copytree(examples / "kestrel-plc", bundle)
    return bundle


def test_a_report_the_vendor_ships_is_a_claim_not_a_verification(examples: Path, tmp_path: Path) -> None:
    # The reviewer's case: the vendor's bundle carries its own key, its own signature and a
    # report whose key entry claims to have been added by "buyer's security engineer".
    bundle = _kestrel_copy(examples, tmp_path)
    shutil.copy(examples / "lab" / "ka9-5.4.1-verification.json", bundle / "updates" / "verification.json")
    output = _analyze(bundle)
    claims = [r for r in output.results if r.basis is Basis.ATTESTED]
    assert {(r.criterion_id, r.status) for r in claims} == {
        ("SBD-12.05", Status.MET),
        ("SBD-11.13", Status.MET),
    }
    assert all("Claimed by the vendor, not verified by you" in r.rationale for r in claims)
    assert all("otvet update verify" in r.rationale for r in claims)
    assert not [r for r in output.results if r.basis is Basis.VERIFIED and r.status is Status.MET]
    (warning,) = [p for p in output.problems if p.path == "updates/verification.json"]
    assert "shipped inside the vendor's bundle" in warning.message
    assert output.sections[0].tables[0].rows[0][1] == "the vendor (shipped in the bundle): a claim"
    # In the assessment, the claim cannot reach a verified outcome.
    outcome = assess(bundle, profile="strict", now=NOW, reverify=False).outcome("SBD-12.05")
    assert outcome.basis is not Basis.VERIFIED


def test_a_forged_authentic_report_does_not_hide_an_unsigned_hash_list(
    examples: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "northwind-rtu"
    shutil.copytree(examples / "northwind-rtu", bundle)
    forged = json.loads((examples / "lab" / "ka9-5.4.1-verification.json").read_text(encoding="utf-8"))
    package = bundle / "updates" / "nw-rtu-500-3.3.0.bin"
    forged["package"]["name"] = "updates/nw-rtu-500-3.3.0.bin"
    forged["package"]["sha256"] = hashlib.sha256(package.read_bytes()).hexdigest()
    (bundle / "updates" / "verification.json").write_text(json.dumps(forged), encoding="utf-8")
    outcome = assess(bundle, profile="essential", now=NOW, reverify=False).outcome("SBD-12.05")
    assert (outcome.status, outcome.basis) == (Status.NOT_MET, Basis.VERIFIED)
    assert "integrity" in outcome.rationale
    claimed = [
        r for r in outcome.supporting if r.basis is Basis.ATTESTED and r.analyzer == "update_verification"
    ]
    assert claimed and claimed[0].status is Status.MET


def test_a_bundle_report_this_installation_recorded_making_is_the_buyers(
    examples: Path, tmp_path: Path, otvet_home: Path
) -> None:
    from otvet.core import audit as audit_service
    from otvet.core.audit import default_trail
    from otvet.model.updates import Actor

    bundle = _kestrel_copy(examples, tmp_path)
    updates = bundle / "updates"
    try:
        update_service.trust_add(
            "minisign",
            updates / "kestrel-release-signing.pub",
            actor=Actor("alice"),
            vendor="Kestrel Automation",
        )
        report = tmp_path / "ka9-5.4.1-verification.json"
        made = update_service.verify(
            updates / "ka9-5.4.1.bin",
            actor=Actor("alice"),
            signatures=[updates / "SHA256SUMS.minisig"],
            sums=[updates / "SHA256SUMS"],
            at=NOW,
            vendor="Kestrel Automation",
            output=report,
        )
        assert made.verdict.value == "authentic"
        shutil.copy(report, updates / "verification.json")  # kept with the files it verified
        assessment = assess(bundle, profile="strict", now=NOW, audit=default_trail(), reverify=False)
        (artifact,) = [a for a in assessment.artifacts if a.path == "updates/verification.json"]
        assert artifact.origin is Origin.RECORDED and "update.verify" in (artifact.origin_note or "")
        outcome = assessment.outcome("SBD-12.05")
        assert (outcome.status, outcome.basis) == (Status.MET, Basis.VERIFIED)
    finally:
        audit_service.close_all()
        update_service.close_all()


def _trust_store(tmp_path: Path, key: Path, vendor: str | None) -> str:
    from otvet.model.updates import Actor

    tmp_path.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp_path / 'updates.sqlite3'}"
    update_service.trust_add("minisign", key, actor=Actor("alice"), vendor=vendor, url=url, trail=_NoTrail())
    return url


class _NoTrail:
    """The audit trail of these tests is not under test."""

    def record(self, event: object) -> object:
        return event


def test_the_bundle_is_reverified_against_the_buyers_trust_store(examples: Path, tmp_path: Path) -> None:
    key = (
        examples / "kestrel-plc" / "updates" / "kestrel-release-signing.pub"
    )  # fingerprint checked out of band
    url = _trust_store(tmp_path, key, "Kestrel Automation")
    assessment = assess(examples / "kestrel-plc", profile="strict", now=NOW, updates_url=url)
    outcome = assessment.outcome("SBD-12.05")
    assert (outcome.status, outcome.basis) == (Status.MET, Basis.VERIFIED)
    assert "re-verified during this assessment against your trust store" in outcome.rationale
    assert "D462DE7D8A3BE27E" in outcome.rationale
    assert assessment.outcome("SBD-11.13").basis is Basis.VERIFIED
    (section,) = [s for s in assessment.sections if s.id == "update-verification"]
    assert section.tables[0].rows[0][:2] == (
        "re-verified during this assessment against your trust store",
        "you (your trust store, now)",
    )


def test_reverification_with_the_wrong_key_for_the_vendor_is_not_met(
    examples: Path, tmp_path: Path, minisign: Minisign
) -> None:
    other, _ = minisign.generate("someone-else")
    url = _trust_store(tmp_path, other, "Kestrel Automation")
    outcome = assess(examples / "kestrel-plc", profile="strict", now=NOW, updates_url=url).outcome(
        "SBD-12.05"
    )
    assert (outcome.status, outcome.basis) == (Status.NOT_MET, Basis.VERIFIED)
    assert "failed verification" in outcome.rationale


def test_no_reverification_without_keys_scoped_to_the_vendor(examples: Path, tmp_path: Path) -> None:
    key = examples / "kestrel-plc" / "updates" / "kestrel-release-signing.pub"
    unscoped = _trust_store(tmp_path / "a", key, None)
    other_vendor = _trust_store(tmp_path / "b", key, "Northwind Controls")
    for url in (unscoped, other_vendor):
        outcome = assess(examples / "kestrel-plc", profile="strict", now=NOW, updates_url=url).outcome(
            "SBD-12.05"
        )
        assert outcome.basis is not Basis.VERIFIED, url
    missing = f"sqlite:///{tmp_path / 'absent.sqlite3'}"
    assess(examples / "kestrel-plc", profile="strict", now=NOW, updates_url=missing)
    assert not (tmp_path / "absent.sqlite3").exists()  # assessing never creates a trust store
