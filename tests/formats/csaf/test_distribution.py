"""CSAF distribution checks on a small distribution built and signed at test time.

The distribution is a ``csaf_trusted_provider`` copy shaped like the OASIS CSAF 2.0 examples
(provider-metadata.json, a TLP:WHITE ROLIE feed, a directory distribution with index.txt and
changes.csv, year folders) holding the Kestrel example advisories and one advisory derived from
them; every advisory has .sha256, .sha512 and an .asc made with a real gpg key. Each test breaks
one thing and checks that exactly that is reported.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from otvet.cli.app import main
from otvet.formats.csaf.distribution import check_distribution
from otvet.model.csaf import CheckOutcome, DistributionFinding, DistributionReport
from tests.formats.gpg_signer import Signer

SITE = "https://kestrel-automation.example/.well-known/csaf"


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Signer, Path, Path]]:
    """The provider's signer, its exported public key and an unrelated public key."""
    vendor, other = Signer("psirt@kestrel-automation.example"), Signer("someone@example.net")
    keys = tmp_path_factory.mktemp("keys")
    try:
        yield vendor, vendor.export(keys / "kestrel.asc"), other.export(keys / "other.asc")
    finally:
        vendor.close()
        other.close()


def _documents(examples: Path) -> dict[str, dict[str, Any]]:
    """Three advisories: the two Kestrel examples and one derived from them, released in 2025."""
    folder = examples / "kestrel-plc" / "advisories"
    first = json.loads((folder / "ka-sa-2026-001.json").read_text(encoding="utf-8"))
    vex = json.loads((folder / "ka-vex-2026-002.json").read_text(encoding="utf-8"))
    older = copy.deepcopy(first)
    tracking = older["document"]["tracking"]
    tracking.update(
        id="KA-SA-2025-009",
        initial_release_date="2025-05-02T08:00:00.000Z",
        current_release_date="2025-05-02T08:00:00.000Z",
        version="1",
        revision_history=[{"date": "2025-05-02T08:00:00.000Z", "number": "1", "summary": "Initial release."}],
    )
    return {
        "2026/ka-sa-2026-001.json": first,
        "2026/ka-vex-2026-002.json": vex,
        "2025/ka-sa-2025-009.json": older,
    }


def _hash_files(path: Path) -> None:
    for algorithm in ("sha256", "sha512"):
        digest = hashlib.new(algorithm, path.read_bytes()).hexdigest()
        path.with_name(f"{path.name}.{algorithm}").write_text(f"{digest}  {path.name}\n", encoding="utf-8")


def _feed_entry(rel: str, doc: dict[str, Any]) -> dict[str, Any]:
    url = f"{SITE}/white/{rel}"
    tracking = doc["document"]["tracking"]
    return {
        "id": tracking["id"],
        "title": doc["document"]["title"],
        "link": [
            {"rel": "self", "href": url},
            {"rel": "hash", "href": f"{url}.sha256"},
            {"rel": "hash", "href": f"{url}.sha512"},
            {"rel": "signature", "href": f"{url}.asc"},
        ],
        "published": tracking["initial_release_date"],
        "updated": tracking["current_release_date"],
        "content": {"type": "application/json", "src": url},
        "format": {
            "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
            "version": "2.0",
        },
    }


def build(root: Path, examples: Path, signer: Signer, **metadata: Any) -> Path:
    """Write a complete, consistent trusted-provider distribution under ``root``; return it."""
    docs = _documents(examples)
    white = root / "white"
    for rel, doc in docs.items():
        path = white / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        _hash_files(path)
        signer.detach_sign(path)
    newest_first = sorted(
        docs, key=lambda r: docs[r]["document"]["tracking"]["current_release_date"], reverse=True
    )
    (white / "index.txt").write_text("".join(f"{r}\n" for r in sorted(docs)), encoding="utf-8")
    (white / "changes.csv").write_text(
        "".join(f'"{r}","{docs[r]["document"]["tracking"]["current_release_date"]}"\n' for r in newest_first),
        encoding="utf-8",
    )
    feed = {
        "feed": {
            "id": "kestrel-csaf-feed-tlp-white",
            "title": "Kestrel Automation CSAF feed (TLP:WHITE)",
            "link": [{"rel": "self", "href": f"{SITE}/feed-tlp-white.json"}],
            "category": [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}],
            "updated": "2026-07-21T09:00:00.000Z",
            "entry": [_feed_entry(r, docs[r]) for r in newest_first],
        }
    }
    (root / "feed-tlp-white.json").write_text(json.dumps(feed, indent=2), encoding="utf-8")
    provider = {
        "canonical_url": f"{SITE}/provider-metadata.json",
        "distributions": [
            {"directory_url": f"{SITE}/white/"},
            {"rolie": {"feeds": [{"summary": "All TLP:WHITE advisories of Kestrel Automation.", "tlp_label": "WHITE", "url": f"{SITE}/feed-tlp-white.json"}]}},
        ],
        "last_updated": "2026-07-21T09:05:00.000Z",
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [
            {"fingerprint": signer.fingerprint, "url": f"{SITE}/openpgp/{signer.fingerprint}.asc"}
        ],
        "publisher": docs["2026/ka-sa-2026-001.json"]["document"]["publisher"],
        "role": "csaf_trusted_provider",
    }  # fmt: skip
    provider.update(metadata)
    (root / "provider-metadata.json").write_text(json.dumps(provider, indent=2), encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path, examples: Path, signers: tuple[Signer, Path, Path]) -> Path:
    return build(tmp_path / "csaf", examples, signers[0])


def _bad(report: DistributionReport) -> list[DistributionFinding]:
    return [f for f in report.findings if f.outcome in (CheckOutcome.FAIL, CheckOutcome.WARNING)]


def _one(report: DistributionReport, check: str, outcome: CheckOutcome) -> DistributionFinding:
    found = [f for f in report.findings if f.check == check and f.outcome is outcome]
    assert len(found) == 1, (check, outcome, _bad(report))
    return found[0]


def _rewrite_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


# --- the well-formed distribution -------------------------------------------------------------


def test_well_formed_trusted_provider_passes_with_trusted_key(
    site: Path, signers: tuple[Signer, Path, Path]
) -> None:
    vendor, key, _ = signers
    report = check_distribution(site, trusted_keys=[key])
    assert _bad(report) == [] and report.ok
    assert report.role == "csaf_trusted_provider" and report.documents == 3
    assert all(v.valid for v in report.validations) and len(report.validations) == 3
    assert report.count(CheckOutcome.PASS, "hash") == 6  # .sha256 and .sha512 of each
    signatures = [f for f in report.findings if f.check == "signature"]
    assert [f.outcome for f in signatures] == [CheckOutcome.PASS] * 3
    assert {f.path for f in signatures} == {
        "white/2025/ka-sa-2025-009.json.asc",
        "white/2026/ka-sa-2026-001.json.asc",
        "white/2026/ka-vex-2026-002.json.asc",
    }
    meta = _one(report, "provider-metadata", CheckOutcome.PASS)
    assert "role csaf_trusted_provider" in meta.message and "Kestrel Automation" in meta.message
    assert "2 distribution(s) (1 directory, 1 ROLIE feed(s))" in meta.message
    assert "1 public OpenPGP key(s)" in meta.message
    assert _one(report, "rolie", CheckOutcome.PASS).message == "3 entries, 0 not in this copy"
    assert _one(report, "index.txt", CheckOutcome.PASS).reference == "7.1.12"
    assert _one(report, "changes.csv", CheckOutcome.PASS).reference == "7.1.13"
    assert vendor.fingerprint  # the key the metadata lists is the one that signed


def test_relative_root_gives_the_same_findings(
    site: Path, signers: tuple[Signer, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key, _ = signers
    absolute = check_distribution(site, trusted_keys=[key])
    monkeypatch.chdir(site.parent)
    relative = check_distribution(Path(site.name), trusted_keys=[key])
    assert relative.ok and _bad(relative) == []
    assert relative.findings == absolute.findings
    assert relative.root == "csaf"
    monkeypatch.chdir(site)
    assert check_distribution(Path(), trusted_keys=[key]).findings == absolute.findings


def test_relative_root_on_the_command_line(
    site: Path,
    signers: tuple[Signer, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(site.parent)
    assert main(["csaf", "check-distribution", "csaf", "--trusted-key", str(signers[1])]) == 0
    output = capsys.readouterr().out
    assert "not listed" not in output and "3 advisories, role csaf_trusted_provider" in output


# --- signatures and hashes --------------------------------------------------------------------


def test_signatures_without_a_trusted_key_are_unverified_not_valid(site: Path) -> None:
    report = check_distribution(site)
    signatures = [f for f in report.findings if f.check == "signature"]
    assert [f.outcome for f in signatures] == [CheckOutcome.UNVERIFIED] * 3
    assert all("no trusted key given" in f.message for f in signatures)
    assert report.count(CheckOutcome.PASS, "signature") == 0


def test_signatures_by_a_key_not_trusted_are_unverified(
    site: Path, signers: tuple[Signer, Path, Path]
) -> None:
    _, _, other = signers
    report = check_distribution(site, trusted_keys=[other])
    signatures = [f for f in report.findings if f.check == "signature"]
    assert [f.outcome for f in signatures] == [CheckOutcome.UNVERIFIED] * 3
    assert all("not among the trusted keys" in f.message for f in signatures)


def test_tampered_document_fails_its_hashes_and_signature(
    site: Path, signers: tuple[Signer, Path, Path]
) -> None:
    _, key, _ = signers
    path = site / "white/2026/ka-sa-2026-001.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace("before 5.3.2", "before 5.2.0"), encoding="utf-8"
    )
    report = check_distribution(site, trusted_keys=[key])
    assert not report.ok
    hashes = {f.path: f for f in report.findings if f.check == "hash" and f.outcome is CheckOutcome.FAIL}
    assert set(hashes) == {"white/2026/ka-sa-2026-001.json.sha256", "white/2026/ka-sa-2026-001.json.sha512"}
    assert (
        "SHA512 does not match white/2026/ka-sa-2026-001.json"
        in hashes["white/2026/ka-sa-2026-001.json.sha512"].message
    )
    bad = _one(report, "signature", CheckOutcome.FAIL)
    assert bad.path == "white/2026/ka-sa-2026-001.json.asc" and "BAD signature" in bad.message
    assert report.count(CheckOutcome.PASS, "signature") == 2


def test_tampered_signature_fails(site: Path, signers: tuple[Signer, Path, Path]) -> None:
    vendor, key, _ = signers
    # A genuine signature of the provider, but over another advisory.
    target = site / "white/2026/ka-vex-2026-002.json.asc"
    shutil.copyfile(site / "white/2026/ka-sa-2026-001.json.asc", target)
    # And a signature file that is not a signature at all.
    (site / "white/2025/ka-sa-2025-009.json.asc").write_text(
        "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n", encoding="utf-8"
    )
    report = check_distribution(site, trusted_keys=[key])
    failed = {
        f.path: f.message
        for f in report.findings
        if f.check == "signature" and f.outcome is CheckOutcome.FAIL
    }
    assert set(failed) == {"white/2026/ka-vex-2026-002.json.asc", "white/2025/ka-sa-2025-009.json.asc"}
    assert "BAD signature" in failed["white/2026/ka-vex-2026-002.json.asc"]
    assert "not a verifiable signature" in failed["white/2025/ka-sa-2025-009.json.asc"]
    assert not report.ok and vendor.fingerprint


def test_hash_file_naming_another_file_fails(site: Path) -> None:
    hash_file = site / "white/2026/ka-vex-2026-002.json.sha256"
    digest = hash_file.read_text(encoding="utf-8").split()[0]
    hash_file.write_text(f"{digest}  ka-sa-2026-001.json\n", encoding="utf-8")
    finding = _one(check_distribution(site), "hash", CheckOutcome.FAIL)
    assert finding.path == "white/2026/ka-vex-2026-002.json.sha256"
    assert "names 'ka-sa-2026-001.json'" in finding.message


def test_missing_hash_and_signature_fail_a_trusted_provider_only(
    site: Path, signers: tuple[Signer, Path, Path]
) -> None:
    _, key, _ = signers
    doc = site / "white/2025/ka-sa-2025-009.json"
    for suffix in (".sha256", ".sha512", ".asc"):
        doc.with_name(doc.name + suffix).unlink()
    _rewrite_json(
        site / "feed-tlp-white.json",
        lambda f: [e.update(link=e["link"][:1]) for e in f["feed"]["entry"] if e["id"] == "KA-SA-2025-009"],
    )
    trusted = check_distribution(site, trusted_keys=[key])
    assert "required of a csaf_trusted_provider" in _one(trusted, "hash", CheckOutcome.FAIL).message
    assert _one(trusted, "signature", CheckOutcome.FAIL).path == "white/2025/ka-sa-2025-009.json"
    _rewrite_json(site / "provider-metadata.json", lambda m: m.update(role="csaf_provider"))
    provider = check_distribution(site, trusted_keys=[key])
    assert provider.ok and provider.role == "csaf_provider"
    assert (
        "required only of a csaf_trusted_provider; role here: csaf_provider"
        in _one(provider, "hash", CheckOutcome.WARNING).message
    )
    assert _one(provider, "signature", CheckOutcome.WARNING).path == "white/2025/ka-sa-2025-009.json"


# --- provider-metadata.json -------------------------------------------------------------------


def test_provider_metadata_with_an_unknown_role_is_invalid(site: Path) -> None:
    _rewrite_json(site / "provider-metadata.json", lambda m: m.update(role="csaf_best_provider"))
    report = check_distribution(site)
    finding = _one(report, "provider-metadata", CheckOutcome.FAIL)
    assert finding.message.startswith("/role: ") and finding.reference == "7.1.7"
    assert report.role is None and not report.ok


def test_trusted_provider_without_public_keys_fails(site: Path, signers: tuple[Signer, Path, Path]) -> None:
    _rewrite_json(site / "provider-metadata.json", lambda m: m.pop("public_openpgp_keys"))
    report = check_distribution(site, trusted_keys=[signers[1]])
    finding = _one(report, "provider-metadata", CheckOutcome.FAIL)
    assert finding.reference == "7.1.20" and "no public OpenPGP keys" in finding.message
    # The signatures verify against the user's key, which the metadata does not list.
    unlisted = _one(report, "provider-metadata", CheckOutcome.WARNING)
    assert "3 signature(s)" in unlisted.message and "public_openpgp_keys does not list" in unlisted.message


def test_a_publisher_role_needs_no_keys(site: Path) -> None:
    _rewrite_json(
        site / "provider-metadata.json",
        lambda m: (m.pop("public_openpgp_keys"), m.update(role="csaf_publisher")),
    )
    report = check_distribution(site)
    assert _one(report, "provider-metadata", CheckOutcome.WARNING).reference == "7.1.20"
    assert report.count(CheckOutcome.FAIL) == 0


def test_provider_without_distributions_fails(site: Path) -> None:
    _rewrite_json(
        site / "provider-metadata.json", lambda m: (m.pop("distributions"), m.update(role="csaf_provider"))
    )
    finding = _one(check_distribution(site), "provider-metadata", CheckOutcome.FAIL)
    assert finding.reference == "7.2.2" and "no distributions" in finding.message


def test_declared_distributions_missing_from_the_copy(site: Path) -> None:
    (site / "feed-tlp-white.json").rename(site / "feed-old.json")
    shutil.rmtree(site / "white")
    report = check_distribution(site)
    messages = [
        f.message
        for f in report.findings
        if f.check == "provider-metadata" and f.outcome is CheckOutcome.WARNING
    ]
    assert f"declared ROLIE feed {SITE}/feed-tlp-white.json is not in this copy" in messages
    assert (
        f"declared directory distribution {SITE}/white/ has no index.txt or changes.csv in this copy"
        in messages
    )


def test_documents_of_another_publisher_are_reported(site: Path) -> None:
    _rewrite_json(
        site / "provider-metadata.json",
        lambda m: m["publisher"].update(
            name="Kestrel Automation ProductCERT", namespace="https://psirt.kestrel.example"
        ),
    )
    finding = _one(check_distribution(site), "provider-metadata", CheckOutcome.WARNING)
    assert finding.message.startswith("3 advisories name another publisher than the metadata")
    assert "'Kestrel Automation'" in finding.message


def test_signing_key_not_listed_in_the_metadata(site: Path, signers: tuple[Signer, Path, Path]) -> None:
    vendor, key, _ = signers
    _rewrite_json(
        site / "provider-metadata.json",
        lambda m: m["public_openpgp_keys"][0].update(fingerprint="8F5F267907B2C4559DB360DB2294BA7D2B2298B1"),
    )
    finding = _one(check_distribution(site, trusted_keys=[key]), "provider-metadata", CheckOutcome.WARNING)
    assert vendor.fingerprint.upper() in finding.message and finding.reference == "7.1.20"


# --- ROLIE feed -------------------------------------------------------------------------------


def test_rolie_feed_inconsistencies(site: Path) -> None:
    def change(feed: dict[str, Any]) -> None:
        entries = feed["feed"]["entry"]
        gone = next(e for e in entries if e["id"] == "KA-VEX-2026-002")
        entries.remove(gone)  # an advisory in no feed
        entries[0]["link"] = entries[0]["link"][:1]  # hash and signature no longer linked
        entries.append(
            _feed_entry(
                "2024/ka-sa-2024-003.json",
                {
                    "document": {
                        "title": "t",
                        "tracking": {
                            "id": "KA-SA-2024-003",
                            "initial_release_date": "x",
                            "current_release_date": "x",
                        },
                    }
                },
            )
        )

    _rewrite_json(site / "feed-tlp-white.json", change)
    report = check_distribution(site)
    assert _one(report, "rolie", CheckOutcome.WARNING).message == "3 entries, 1 not in this copy"
    failures = sorted(
        f.message for f in report.findings if f.check == "rolie" and f.outcome is CheckOutcome.FAIL
    )
    assert failures == [
        "1 advisories are in no ROLIE feed (e.g. white/2026/ka-vex-2026-002.json)",
        "3 hash or signature file(s) are not linked from their entry (e.g. white/2026/ka-sa-2026-001.json.sha256 (rel hash))",
    ]


# --- index.txt and changes.csv ----------------------------------------------------------------


def test_index_txt_missing_unlisted_and_root_relative_entries(site: Path) -> None:
    (site / "white/index.txt").write_text(
        "white/2025/ka-sa-2025-009.json\n2026/ka-sa-2026-001.json\n2027/ka-sa-2027-001.json\n",
        encoding="utf-8",
    )
    report = check_distribution(site)
    findings = {f.outcome: f.message for f in report.findings if f.check == "index.txt"}
    assert (
        findings[CheckOutcome.WARNING]
        == "1 of 3 listed files are not in this copy (e.g. '2027/ka-sa-2027-001.json')"
    )
    failures = sorted(
        f.message for f in report.findings if f.check == "index.txt" and f.outcome is CheckOutcome.FAIL
    )
    assert failures == [
        "1 advisories are not listed (e.g. white/2026/ka-vex-2026-002.json)",
        "1 of 3 entries are not relative to the folder of index.txt (e.g. 'white/2025/ka-sa-2025-009.json'); matched by their tail",
    ]


def test_changes_csv_order_and_dates(site: Path) -> None:
    changes = site / "white/changes.csv"
    lines = changes.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"2026/ka-vex-2026-002.json"')  # built newest first
    changes.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")
    report = check_distribution(site)
    assert _one(report, "changes.csv", CheckOutcome.FAIL).message == "not sorted by date, newest first"
    changes.write_text(
        "\n".join(
            [lines[0], lines[1].replace("2026-07-21T08:00:00.000Z", "2026-07-20T08:00:00.000Z"), lines[2]]
        )
        + "\n",
        encoding="utf-8",
    )
    report = check_distribution(site)
    assert (
        _one(report, "changes.csv", CheckOutcome.WARNING).message
        == "1 dates differ from the documents' current_release_date"
    )
    changes.write_text(
        "\n".join([lines[0], '"2026/ka-sa-2026-001.json","yesterday"', lines[2]]) + "\n", encoding="utf-8"
    )
    assert (
        "line 2: 'yesterday' is not a date-time"
        in _one(check_distribution(site), "changes.csv", CheckOutcome.FAIL).message
    )


# --- file names -------------------------------------------------------------------------------


def test_file_naming_rules(site: Path) -> None:
    white = site / "white"
    # Named after the tracking id but in capitals, and in the wrong year folder.
    (white / "2024").mkdir()
    for suffix in ("", ".sha256", ".sha512", ".asc"):
        (white / f"2026/ka-sa-2026-001.json{suffix}").rename(white / f"2024/KA-SA-2026-001.json{suffix}")
    report = check_distribution(site)
    wrong = [f for f in report.findings if f.check == "filename"]
    assert {(f.outcome, f.reference) for f in wrong} == {
        (CheckOutcome.FAIL, "7.1.2"),
        (CheckOutcome.WARNING, "7.1.11"),
    }
    messages = " | ".join(f.message for f in wrong)
    assert "requires the file name 'ka-sa-2026-001.json'" in messages
    assert "initially released in 2026, but not in a folder named 2026" in messages
    assert all(f.path == "white/2024/KA-SA-2026-001.json" for f in wrong)
