"""security.txt analyzer: RFC 9116 disclosure contact and the CVD policy.

Guide, Vulnerability Management: "an RFC 9116 compliant security.txt" (SBD-11.08) and "a
coordinated vulnerability disclosure policy" (SBD-11.07). The file must have a Contact and an
unexpired Expires; the criterion also asks for a link to the disclosure policy (Policy). A
cleartext OpenPGP signature is verified only against keys the user names with the analyzer
option ``trusted_keys`` (comma-separated key files). Verdicts on the signature (ADR 0075):

- no trusted key given: the signature is not checked and the verdict rests on the content
  alone, exactly as for an unsigned file; the rationale says "signature NOT verified";
- trusted keys given and the signature is bad, by an expired or revoked key, or unreadable:
  ``not_met`` with an error problem (the file claims a signature that fails: its Contact may
  be forged, RFC 9116 section 2.3);
- trusted keys given and the file is unsigned or signed by another key: at most
  ``partially_met`` with a warning (authenticity was asked for and is not established).
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import ClassVar

from otvet.analyzers.interface import AnalysisContext, result
from otvet.formats.openpgp import SignatureStatus, keyring_from
from otvet.formats.security_txt import SecurityTxt, parse_security_txt
from otvet.model import (
    AnalyzerOutput,
    ArtifactKind,
    Basis,
    CriterionResult,
    EvidenceArtifact,
    EvidenceBundle,
    EvidenceRef,
    InputError,
    Problem,
    Section,
    Severity,
    Status,
    Table,
)
from otvet.safeio import read_text

_POLICY_TEXT = re.compile(
    r"(?:coordinated )?vulnerability disclosure|disclosure policy|\bCVD\b|ISO/IEC 29147", re.I
)


class SecurityTxtAnalyzer:
    """Checks security.txt files (RFC 9116) and finds the disclosure policy."""

    id: ClassVar[str] = "security_txt"
    version: ClassVar[str] = "1.1"
    title: ClassVar[str] = "security.txt (RFC 9116)"
    criteria: ClassVar[tuple[str, ...]] = ("SBD-11.07", "SBD-11.08")

    def analyze(self, bundle: EvidenceBundle, ctx: AnalysisContext) -> AnalyzerOutput:
        artifacts = bundle.of_kind(ArtifactKind.SECURITY_TXT)
        if not artifacts:
            return AnalyzerOutput()
        keys = [Path(k.strip()) for k in ctx.options.get("trusted_keys", "").split(",") if k.strip()]
        problems: list[Problem] = []
        keyring = b""
        if keys:
            try:
                keyring = keyring_from(keys)
            except (OSError, InputError) as exc:
                # NOTE: fail closed: with unreadable trusted keys no signature can be verified, so
                # the files are judged as "trusted keys given, authenticity not established".
                problems.append(
                    Problem(
                        "trusted_keys",
                        f"the trusted keys could not be read, no signature is verified: {_message(exc)}",
                        source=self.id,
                    )
                )
        parsed: list[tuple[EvidenceArtifact, SecurityTxt]] = []
        for artifact in artifacts:
            try:
                text = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)
            except InputError as exc:
                problems.append(
                    Problem(
                        artifact.path,
                        exc.message,
                        exc.location.where if exc.location else None,
                        source=self.id,
                    )
                )
                continue
            txt = parse_security_txt(text, now=ctx.now, keyring=keyring, source=bundle.file_of(artifact))
            parsed.append((artifact, txt))
            for p in txt.problems:
                problems.append(
                    Problem(
                        artifact.path,
                        p.message,
                        f"line {p.line}" if p.line else None,
                        Severity.ERROR if p.severity == "error" else Severity.WARNING,
                        source=self.id,
                    )
                )
        if not parsed:
            reason = "The security.txt could not be read."
            return AnalyzerOutput(
                results=(
                    result("SBD-11.08", Status.NOT_EVIDENCED, Basis.NONE, reason, self.id),
                    result("SBD-11.07", Status.NOT_EVIDENCED, Basis.NONE, reason, self.id),
                ),
                problems=tuple(problems),
            )
        for artifact, txt in parsed:
            problem = _signature_problem(artifact, txt, bool(keys), self.id)
            if problem is not None:
                problems.append(problem)
        artifact, txt = parsed[0]
        results = [
            self._security_txt(artifact, txt, keys_given=bool(keys)),
            self._policy(bundle, ctx, artifact, txt),
        ]
        return AnalyzerOutput(
            results=tuple(results),
            sections=(_section(parsed, self.id, keys_given=bool(keys)),),
            problems=tuple(problems),
        )

    def _security_txt(
        self, artifact: EvidenceArtifact, txt: SecurityTxt, *, keys_given: bool
    ) -> CriterionResult:
        ref = (EvidenceRef.to(artifact),)
        signed = _signature_text(txt, keys_given=keys_given)
        authenticity = _authenticity(txt, keys_given=keys_given)
        if authenticity is _Authenticity.FAILED:
            contacts = ", ".join(txt.values("Contact")) or "none"
            return result(
                "SBD-11.08",
                Status.NOT_MET,
                Basis.VERIFIED,
                f"{artifact.path} claims an OpenPGP signature that fails verification against the trusted keys: "
                f"its content, including the Contact ({contacts}), may have been altered. {signed}",
                self.id,
                ref,
            )
        if txt.errors:
            reasons = "; ".join(p.message for p in txt.errors[:3])
            return result(
                "SBD-11.08",
                Status.NOT_MET,
                Basis.VERIFIED,
                f"{artifact.path} does not comply with RFC 9116: {reasons}. {signed}",
                self.id,
                ref,
            )
        contacts = ", ".join(txt.values("Contact"))
        expires = txt.expires.date().isoformat() if txt.expires else "?"
        if authenticity is _Authenticity.NOT_ESTABLISHED:
            return result(
                "SBD-11.08",
                Status.PARTIALLY_MET,
                Basis.VERIFIED,
                f"{artifact.path} complies with RFC 9116 (Contact {contacts}; expires {expires}), but its "
                f"authenticity is not established although trusted keys were given. {signed}",
                self.id,
                ref,
            )
        if not txt.values("Policy"):
            return result(
                "SBD-11.08",
                Status.PARTIALLY_MET,
                Basis.VERIFIED,
                f"{artifact.path} complies with RFC 9116 (Contact {contacts}; expires {expires}) but links no disclosure policy (no Policy field). {signed}",
                self.id,
                ref,
            )
        return result(
            "SBD-11.08",
            Status.MET,
            Basis.VERIFIED,
            f"{artifact.path} complies with RFC 9116: Contact {contacts}; expires {expires}; Policy {txt.values('Policy')[0]}. {signed}",
            self.id,
            ref,
        )

    def _policy(
        self, bundle: EvidenceBundle, ctx: AnalysisContext, artifact: EvidenceArtifact, txt: SecurityTxt
    ) -> CriterionResult:
        found: list[EvidenceArtifact] = []
        unreadable: list[str] = []
        for candidate in bundle.of_kind(ArtifactKind.DOCUMENT):
            try:
                if _is_policy_document(bundle, ctx, candidate):
                    found.append(candidate)
            except InputError as exc:
                unreadable.append(f"{candidate.path} ({exc.message})")
        links = txt.values("Policy")
        # Documents that could not be read are named: the policy may be among them.
        unread = (
            f" {len(unreadable)} document(s) could not be read to look for it: {'; '.join(unreadable[:3])}"
            + (f" and {len(unreadable) - 3} more" if len(unreadable) > 3 else "")
            + "."
            if unreadable
            else ""
        )
        if found:
            doc = found[0]
            linked = (
                f"; security.txt links it at {links[0]}"
                if links
                else "; security.txt does not link it (no Policy field)"
            )
            return result(
                "SBD-11.07",
                Status.MET if links else Status.PARTIALLY_MET,
                Basis.VERIFIED,
                f"A coordinated vulnerability disclosure policy is in the bundle ({doc.path}){linked}.",
                self.id,
                (EvidenceRef.to(doc), EvidenceRef.to(artifact)),
            )
        if links:
            return result(
                "SBD-11.07",
                Status.PARTIALLY_MET,
                Basis.VERIFIED,
                f"security.txt links a disclosure policy at {links[0]}, but the policy itself is not in the bundle (not fetched: otvet works offline).{unread}",
                self.id,
                (EvidenceRef.to(artifact),),
            )
        return result(
            "SBD-11.07",
            Status.NOT_EVIDENCED,
            Basis.NONE,
            f"No disclosure policy document in the bundle and no Policy field in security.txt.{unread}",
            self.id,
            (EvidenceRef.to(artifact),),
        )


def _is_policy_document(bundle: EvidenceBundle, ctx: AnalysisContext, artifact: EvidenceArtifact) -> bool:
    """Whether a document is a disclosure policy (PDFs by name, text by its first lines).

    Raises :class:`InputError` when the document cannot be read (the caller names it).
    """
    if artifact.format == "PDF":
        return re.search(r"cvd|disclosure", artifact.path, re.I) is not None
    head = read_text(bundle.file_of(artifact), display=artifact.path, limits=ctx.limits)[:2000]
    first_lines = "\n".join(head.splitlines()[:5])
    return _POLICY_TEXT.search(first_lines) is not None


class _Authenticity(Enum):
    """What the OpenPGP signature says about the file, given whether trusted keys were named."""

    VERIFIED = "verified"
    """A good signature by a trusted key."""
    NOT_ASKED = "not asked"
    """No trusted key given: the signature (if any) is not checked; content decides."""
    NOT_ESTABLISHED = "not established"
    """Trusted keys given, but the file is unsigned or signed by another key."""
    FAILED = "failed"
    """Trusted keys given and the signature is bad, by an expired/revoked key, or unreadable."""


_FAILED = (SignatureStatus.BAD, SignatureStatus.EXPIRED_OR_REVOKED, SignatureStatus.ERROR)


def _authenticity(txt: SecurityTxt, *, keys_given: bool) -> _Authenticity:
    status = txt.signature.status if txt.signature is not None else None
    if txt.signed and status is SignatureStatus.VALID:
        return _Authenticity.VERIFIED
    if not keys_given:
        return _Authenticity.NOT_ASKED
    if txt.signed and status in _FAILED:
        return _Authenticity.FAILED
    return _Authenticity.NOT_ESTABLISHED


def _signature_problem(
    artifact: EvidenceArtifact, txt: SecurityTxt, keys_given: bool, analyzer: str
) -> Problem | None:
    authenticity = _authenticity(txt, keys_given=keys_given)
    if authenticity is _Authenticity.FAILED:
        detail = txt.signature.detail if txt.signature is not None else "no result"
        return Problem(
            artifact.path,
            f"OpenPGP signature check failed ({detail}): the file may have been altered",
            source=analyzer,
        )
    if authenticity is _Authenticity.NOT_ESTABLISHED:
        why = (
            txt.signature.detail
            if txt.signed and txt.signature is not None
            else "the file is not OpenPGP-signed"
        )
        return Problem(
            artifact.path,
            f"trusted keys were given but the authenticity of the file is not established: {why}",
            severity=Severity.WARNING,
            source=analyzer,
        )
    return None


def _signature_text(txt: SecurityTxt, *, keys_given: bool) -> str:
    if not txt.signed:
        return "The file is not OpenPGP-signed."
    if txt.signature is None or not keys_given:
        return "OpenPGP-signed, signature NOT verified: no trusted key given (option trusted_keys)."
    return f"OpenPGP signature: {txt.signature.status.value} ({txt.signature.detail})."


def _message(exc: OSError | InputError) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    return f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)


def _section(
    parsed: list[tuple[EvidenceArtifact, SecurityTxt]], analyzer: str, *, keys_given: bool
) -> Section:
    tables = []
    for artifact, txt in parsed:
        rows = tuple((name, value, str(line)) for name, value, line in txt.fields)
        rows += tuple(
            ("problem" if p.severity == "error" else "warning", p.message, str(p.line or "-"))
            for p in txt.problems
        )
        tables.append(
            Table(
                caption=f"{artifact.path}: {_signature_text(txt, keys_given=keys_given)}",
                columns=("Field", "Value", "Line"),
                rows=rows,
            )
        )
    return Section(
        id="security-txt",
        title="security.txt (RFC 9116)",
        analyzer=analyzer,
        summary=f"{len(parsed)} security.txt file(s); {sum(len(t.errors) for _, t in parsed)} RFC 9116 violation(s).",
        tables=tuple(tables),
    )
