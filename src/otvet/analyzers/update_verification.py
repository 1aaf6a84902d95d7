"""Update verification analyzer: what the bundle's update evidence shows about authentic updates.

Verdicts (docs/adr/0062-update-evidence-verdicts.md, provenance: ADR 0070 and 0071):

=====================================================  =========================  =====================
Evidence                                               SBD-12.05 authentic        SBD-11.13 secure
                                                       updates                    distribution
=====================================================  =========================  =====================
the buyer's verification (a report the buyer added     met                        met
or this installation recorded making, or the
orchestrator's re-verification against the buyer's
trust store) ``authentic``, bound to the package
the buyer's verification ``integrity_only``, or only   not met                    partially met
a hash list that matches the package
the buyer's verification ``failed``, or a hash list    not met                    not met
that contradicts the package
a report about a package that is not in the bundle;    not evidenced (reason)     not evidenced
signatures without the buyer's verification; a
package alone
=====================================================  =========================  =====================

The buyer's verifications decide with basis ``verified``; among several, the most
conservative wins. A verification report shipped *inside the vendor's bundle* is the vendor's
claim, not a verification: anyone can write a report whose keys say "added by the buyer's
security engineer". It yields ``attested`` results with its verdict, a warning, and the way
to get it verified; the evidence the bundle itself holds (hash lists, signatures) is judged as
if the report were absent.

A hash list obtained from the same place as the package proves integrity of transfer at best:
whoever can replace the package can replace the list. Authenticity needs a signature by a key
the buyer obtained and checked out of band (the trust store), which is what an ``authentic``
verification records. A verified in-toto/DSSE provenance attestation adds a ``partially_met``
for SBD-12.09 (one pipeline control demonstrated; the rest needs documents). No
configuration-management criterion (SBD-01.xx) is judged: they concern how the device handles
backups and changes, which an offline package verification cannot show.

The analyzer never runs cryptography itself (stages do not import each other): it reads the
reports ``otvet update verify`` wrote and the orchestrator's re-verifications
(:attr:`AnalysisContext.reverified`), and binds them to the bundle by digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, not_evidenced, result
from otvet.formats.hashlist import HashList, parse_hash_list
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    CriterionResult,
    EvidenceArtifact,
    EvidenceBundle,
    EvidenceRef,
    OtvetError,
    Problem,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.model.provenance import Origin
from otvet.model.serialize import from_jsonable
from otvet.model.updates import CheckStatus, Mechanism, Verdict, VerificationReport
from otvet.safeio import load_json, read_text

AUTHENTIC = "SBD-12.05"
DISTRIBUTION = "SBD-11.13"
PIPELINE = "SBD-12.09"
STALE_AFTER = timedelta(days=365)
_PROVENANCE = ("slsa.dev/provenance", "in-toto.io/attestation/release")
REVERIFIED = "re-verified during this assessment against your trust store"
_HOW_TO_VERIFY = (
    "to have it verified, check the vendor's key fingerprint out of band, add the key to your trust store "
    "('otvet trust add KIND KEYFILE --vendor VENDOR'), run 'otvet update verify PACKAGE ... -o REPORT' yourself and "
    "pass the report with 'otvet assess --evidence REPORT' (or just assess again: with the vendor's key in your "
    "trust store, otvet re-verifies the bundle's packages itself)."
)


@dataclass(frozen=True)
class _Bound:
    """A verification bound to an update package of the bundle."""

    label: str
    """Where the verification comes from: a report's bundle path, or :data:`REVERIFIED`."""
    refs: tuple[EvidenceRef, ...]
    report: VerificationReport
    package: EvidenceArtifact


class UpdateVerificationAnalyzer:
    """Judges update authenticity and distribution from verification reports and hash lists."""

    id: ClassVar[str] = "update_verification"
    version: ClassVar[str] = "1.1"  # 1.1: evidence provenance (ADR 0070)
    title: ClassVar[str] = "Update verification"
    criteria: ClassVar[tuple[str, ...]] = (AUTHENTIC, DISTRIBUTION, PIPELINE)

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        packages = bundle.of_kind(ArtifactKind.UPDATE_PACKAGE)
        reports = bundle.of_kind(ArtifactKind.VERIFICATION_REPORT)
        signatures = bundle.of_kind(ArtifactKind.SIGNATURE)
        problems: list[Problem] = []
        rows: list[tuple[str, ...]] = []
        results: list[CriterionResult] = []
        buyers: list[_Bound] = []
        vendors: list[_Bound] = []
        for artifact in reports:
            report = self._read(bundle, artifact, ctx, problems)
            if report is None:
                continue
            package = next((p for p in bundle.artifacts if p.sha256 == report.package.sha256), None)
            rows.append(_row(artifact.path, _made_by(artifact), report, package))
            if not artifact.origin.is_buyers:
                problems.append(
                    Problem(
                        path=artifact.path,
                        severity=Severity.WARNING,
                        message="this verification report was shipped inside the vendor's bundle, so it counts as the "
                        f"vendor's claim (attested), not as a verification: {_HOW_TO_VERIFY}",
                        source=self.id,
                    )
                )
            if package is None:
                problems.append(
                    Problem(
                        path=artifact.path,
                        severity=Severity.WARNING,
                        message=f"the report verifies {report.package.name} (sha256 {report.package.sha256[:16]}...), "
                        "which is not in the bundle: it cannot vouch for this product's updates",
                        source=self.id,
                    )
                )
                continue
            problems.extend(_input_mismatches(bundle, artifact, report, self.id))
            if ctx.now - report.verification_time > STALE_AFTER:
                problems.append(
                    Problem(
                        path=artifact.path,
                        severity=Severity.WARNING,
                        message=f"the verification was made on {report.verification_time.date()}, more than a year before this assessment",
                        source=self.id,
                    )
                )
            bound = _Bound(
                artifact.path, (EvidenceRef.to(artifact, note="verification report"),), report, package
            )
            (buyers if artifact.origin.is_buyers else vendors).append(bound)
        for report in ctx.reverified:
            package = next((p for p in bundle.artifacts if p.sha256 == report.package.sha256), None)
            if package is None:
                continue
            rows.append(_row(REVERIFIED, "you (your trust store, now)", report, package))
            buyers.append(_Bound(REVERIFIED, (), report, package))
        if buyers:
            results.extend(self._from_reports(buyers, Basis.VERIFIED))
        elif packages:
            results.extend(self._from_hash_lists(bundle, packages, signatures, ctx, problems, rows))
        elif reports and not vendors:
            results.extend(
                not_evidenced(
                    [AUTHENTIC, DISTRIBUTION],
                    "The bundle's verification report(s) could not be read or are about a package not in the bundle.",
                    self.id,
                    tuple(EvidenceRef.to(a) for a in reports),
                )
            )
        if vendors:
            results.extend(self._from_reports(vendors, Basis.ATTESTED))
        sections: tuple[Section, ...] = ()
        if rows:
            sections = (
                Section(
                    id="update-verification",
                    title="Update verification",
                    analyzer=self.id,
                    summary="Update packages in the bundle and what verifies them (a hash list alone proves no origin; "
                    "a verification report the vendor shipped is its claim, not a verification).",
                    tables=(
                        Table(
                            caption="Update evidence",
                            columns=("Evidence", "Made by", "Package", "Verdict", "Verified at", "How"),
                            rows=tuple(rows),
                        ),
                    ),
                ),
            )
        return AnalyzerOutput(results=tuple(results), sections=sections, problems=tuple(problems))

    def _read(
        self,
        bundle: EvidenceBundle,
        artifact: EvidenceArtifact,
        ctx: AnalysisContext,
        problems: list[Problem],
    ) -> VerificationReport | None:
        try:
            data = load_json(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            return from_jsonable(VerificationReport, data)
        except OtvetError as exc:
            problems.append(Problem(path=artifact.path, message=str(exc), source=self.id))
        except ValueError as exc:
            problems.append(
                Problem(path=artifact.path, message=f"malformed verification report: {exc}", source=self.id)
            )
        return None

    def _from_reports(self, bound: list[_Bound], basis: Basis) -> list[CriterionResult]:
        # NOTE: ADR 0003: the most conservative evidence decides, so a failed report wins.
        order = {Verdict.FAILED: 0, Verdict.INTEGRITY_ONLY: 1, Verdict.AUTHENTIC: 2}
        chosen = min(bound, key=lambda item: order[item.report.verdict])
        report, package = chosen.report, chosen.package
        refs = (*chosen.refs, EvidenceRef.to(package, note="update package"))
        how = _authenticating(report)
        when = report.verification_time.date().isoformat()
        claimed = basis is Basis.ATTESTED
        lead = (
            f"Claimed by the vendor, not verified by you: {chosen.label}, shipped in the vendor's bundle, says "
            if claimed
            else ""
        )
        tail = f" {_HOW_TO_VERIFY[0].upper()}{_HOW_TO_VERIFY[1:]}" if claimed else ""
        out: list[CriterionResult] = []
        if report.verdict is Verdict.AUTHENTIC:
            text = (
                f"{lead}{package.path} verified authentic on {when}: {how}. "
                f"Trust store {report.trust_store.digest[:23]}... ({chosen.label}).{tail}"
            )
            out.append(result(AUTHENTIC, Status.MET, basis, text, self.id, refs))
            out.append(
                result(
                    DISTRIBUTION,
                    Status.MET,
                    basis,
                    f"{lead}updates are signed end to end: {how}, so their integrity and origin do not depend on the "
                    f"delivery channel.{tail}",
                    self.id,
                    refs,
                )
            )
        elif report.verdict is Verdict.INTEGRITY_ONLY:
            out.extend(_integrity_only(package.path, chosen.label, self.id, refs, basis, lead, tail))
        else:
            text = f"{lead}{package.path} failed verification on {when}: {report.summary}{tail}"
            out.append(result(AUTHENTIC, Status.NOT_MET, basis, text, self.id, refs))
            out.append(result(DISTRIBUTION, Status.NOT_MET, basis, text, self.id, refs))
        provenance = [
            c
            for c in report.checks
            if c.status is CheckStatus.PASSED
            and c.mechanism in (Mechanism.DSSE, Mechanism.SIGSTORE)
            and any(marker in c.details.get("predicate_type", "") for marker in _PROVENANCE)
        ]
        if provenance and report.verdict is Verdict.AUTHENTIC:
            out.append(
                result(
                    PIPELINE,
                    Status.PARTIALLY_MET,
                    basis,
                    f"{lead}a signed build provenance attestation about {package.path} verifies ({provenance[0].reason}); "
                    f"the other controls of the build and delivery pipeline need the vendor's documentation.{tail}",
                    self.id,
                    refs,
                )
            )
        return out

    def _from_hash_lists(
        self,
        bundle: EvidenceBundle,
        packages: tuple[EvidenceArtifact, ...],
        signatures: tuple[EvidenceArtifact, ...],
        ctx: AnalysisContext,
        problems: list[Problem],
        rows: list[tuple[str, ...]],
    ) -> list[CriterionResult]:
        lists: list[tuple[EvidenceArtifact, HashList]] = []
        other_signatures = []
        for artifact in signatures:
            if artifact.format and artifact.format.startswith("hash list"):
                try:
                    text = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
                    lists.append((artifact, parse_hash_list(text, artifact.path)))
                except OtvetError as exc:
                    problems.append(Problem(path=artifact.path, message=str(exc), source=self.id))
            else:
                other_signatures.append(artifact)
        refs = tuple(EvidenceRef.to(a) for a in (*packages, *signatures))
        if other_signatures:
            names = ", ".join(a.path for a in other_signatures)
            for package in packages:
                rows.append(
                    (
                        names,
                        "the vendor (shipped in the bundle)",
                        package.path,
                        "not verified",
                        "-",
                        "signature files present; no verification of yours",
                    )
                )
            return list(
                not_evidenced(
                    [AUTHENTIC, DISTRIBUTION],
                    f"Signature material is in the bundle ({names}) but nothing of yours verifies it: {_HOW_TO_VERIFY}",
                    self.id,
                    refs,
                )
            )
        if not lists:
            for package in packages:
                rows.append(
                    (
                        "-",
                        "-",
                        package.path,
                        "unverifiable",
                        "-",
                        "no signature, hash list or verification of yours",
                    )
                )
            return list(
                not_evidenced(
                    [AUTHENTIC, DISTRIBUTION],
                    "The bundle holds an update package but no signature or hash list, and no verification of yours.",
                    self.id,
                    refs,
                )
            )
        out: list[CriterionResult] = []
        for package in packages:
            listed = [(a, e) for a, parsed in lists for e in parsed.for_name(package.path)]
            matching = [(a, e) for a, e in listed if e.value == package.sha256]
            wrong = [(a, e) for a, e in listed if e.algorithm == "SHA-256" and e.value != package.sha256]
            found_by_digest = [
                (a, e) for a, parsed in lists for e in parsed.entries if e.value == package.sha256
            ]
            if wrong:
                hash_list, entry = wrong[0]
                text = (
                    f"{package.path} does not match the vendor's own hash list {hash_list.path} "
                    f"(line {entry.line}): the package is damaged, altered or another version."
                )
                local = (EvidenceRef.to(package), EvidenceRef.to(hash_list, location=f"line {entry.line}"))
                rows.append(
                    (
                        hash_list.path,
                        _file_from(hash_list),
                        package.path,
                        "mismatch",
                        "-",
                        "hash list contradicts the package",
                    )
                )
                out.append(result(AUTHENTIC, Status.NOT_MET, Basis.VERIFIED, text, self.id, local))
                out.append(result(DISTRIBUTION, Status.NOT_MET, Basis.VERIFIED, text, self.id, local))
                continue
            hit = matching or found_by_digest
            if hit:
                hash_list, entry = hit[0]
                rows.append(
                    (
                        hash_list.path,
                        _file_from(hash_list),
                        package.path,
                        "integrity only",
                        "-",
                        f"{entry.algorithm} matches; the list is unsigned",
                    )
                )
                local = (EvidenceRef.to(package), EvidenceRef.to(hash_list, location=f"line {entry.line}"))
                out.extend(_integrity_only(package.path, hash_list.path, self.id, local))
            else:
                rows.append(("-", "-", package.path, "unverifiable", "-", "no hash list names this package"))
        if not out:
            out.extend(
                not_evidenced(
                    [AUTHENTIC, DISTRIBUTION],
                    "No hash list or signature in the bundle covers its update package(s).",
                    self.id,
                    refs,
                )
            )
        return out


def _integrity_only(
    package: str,
    source: str,
    analyzer: str,
    refs: tuple[EvidenceRef, ...],
    basis: Basis = Basis.VERIFIED,
    lead: str = "",
    tail: str = "",
) -> list[CriterionResult]:
    return [
        result(
            AUTHENTIC,
            Status.NOT_MET,
            basis,
            f"{lead}the only update verification offered is the unsigned digest in {source}: {package} matches it, which "
            "proves integrity of transfer at best (the file was not damaged on the way). A hash list obtained from the same place as "
            "the package is no proof of origin (whoever can replace one can replace the other); no signature or "
            f"public key lets the buyer verify the update is authentic.{tail}",
            analyzer,
            refs,
        ),
        result(
            DISTRIBUTION,
            Status.PARTIALLY_MET,
            basis,
            f"{lead}updates come with a published digest ({source}) but no signature: integrity of transfer can be "
            f"checked, authenticity end to end cannot.{tail}",
            analyzer,
            refs,
        ),
    ]


def _authenticating(report: VerificationReport) -> str:
    passed = [c for c in report.checks if c.status is CheckStatus.PASSED and c.authenticates]
    if not passed:
        return report.summary
    check = passed[0]
    keys = ", ".join(f"{k.name} ({k.fingerprint[:24]})" for k in check.keys) or "a trusted key"
    subject = (
        "the package"
        if check.subject_sha256 == report.package.sha256
        else f"{check.subject}, which lists the package"
    )
    return f"{check.mechanism.value} signature by {keys} over {subject}"


def _row(
    evidence: str, made_by: str, report: VerificationReport, package: EvidenceArtifact | None
) -> tuple[str, ...]:
    return (
        evidence,
        made_by,
        package.path if package else f"{report.package.name} (not in the bundle)",
        report.verdict.value.replace("_", " "),
        report.verification_time.isoformat(),
        _authenticating(report) if report.verdict is Verdict.AUTHENTIC else report.summary,
    )


def _file_from(artifact: EvidenceArtifact) -> str:
    return (
        "the vendor (shipped in the bundle)"
        if not artifact.origin.is_buyers
        else "you (added beside the bundle)"
    )


def _made_by(artifact: EvidenceArtifact) -> str:
    if artifact.origin is Origin.BUYER:
        return "you (added beside the bundle)"
    if artifact.origin is Origin.RECORDED:
        return "you (recorded in your audit log)"
    return "the vendor (shipped in the bundle): a claim"


def _input_mismatches(
    bundle: EvidenceBundle, artifact: EvidenceArtifact, report: VerificationReport, analyzer: str
) -> list[Problem]:
    """Signature or hash-list files named in the report whose bundle copy differs."""
    problems = []
    for item in report.inputs:
        if item.role == "package":
            continue
        base = item.name.rsplit("/", 1)[-1]
        for candidate in bundle.artifacts:
            if candidate.name == base and candidate.sha256 != item.sha256:
                problems.append(
                    Problem(
                        path=artifact.path,
                        severity=Severity.WARNING,
                        message=f"the report used a {item.role.replace('_', ' ')} {item.name} that differs from {candidate.path} in the bundle",
                        source=analyzer,
                    )
                )
    return problems
