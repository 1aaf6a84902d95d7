"""CMS / PKCS#7 detached signatures with X.509 chains, verified by pyHanko's CMS validation.

``cryptography`` has no public CMS verification, so the seam is pyHanko (``generic_cms``) with
pyhanko-certvalidator: the chain is built from the signer certificate through intermediates
(embedded in the signature or imported into the trust store) to a root imported as
``x509-root``, at the explicit verification time, with fetching disabled (offline) and the
trust store's CRLs as the only revocation information.

Revocation is judged here, not left to the validator, so the check can say what it found
(ADR 0072). For every certificate of the path below the trust anchor, the trust store's CRLs
from its issuer (signature checked) decide: *revoked* (listed: fails in every mode),
*checked* (a CRL current at the verification time does not list it), *stale* (the only CRLs
are past their ``nextUpdate``) or *none*. Mode ``hard-fail`` (default) fails on a stale CRL and
on a missing CRL for a certificate that names a CRL distribution point; ``require`` fails on
any certificate without a current CRL; ``soft-fail`` only reports. Every passing check's
reason ends with the revocation status of each certificate.

Expired certificates: by default (policy ``reject``) the path must be valid at the
verification time. Under the named policy ``timestamped`` an expired path is accepted only
when the signature carries an RFC 3161 signature timestamp from a TSA that chains to a
``tsa-root`` in the trust store, the path validates at that proven time, and no certificate
of the path appears in any CRL of the trust store (rauc/rauc#781: an expired signing
certificate must not stop all updates, but neither may it be waved through). The signer's own
``signingTime`` attribute proves nothing and is only reported.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, ClassVar

from asn1crypto import cms, pem, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from otvet.model.updates import ExpiredCertificatePolicy, KeyUse, Mechanism, RevocationMode, TrustKind
from otvet.safeio import read_bytes
from otvet.updates.interface import FileInput, Material, SignatureFailure, Verified, VerifyContext

# NOTE: asn1crypto.tsp adds the RFC 5035 signingCertificateV2 attribute to the CMS OID maps; it
# must be imported before any CMS attribute is parsed, or the maps are frozen without it.
_TSP_ATTRIBUTES = tsp.SetOfSigningCertificatesV2

# pyHanko logs every validation failure with a traceback at WARNING; the report carries the reason.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def _der(data: bytes) -> bytes:
    if pem.detect(data):
        _, _, der = pem.unarmor(data)
        return bytes(der)
    return data


def load_signed_data(data: bytes, display: str) -> cms.SignedData:
    """The SignedData of a detached CMS signature (PEM or DER)."""
    try:
        info = cms.ContentInfo.load(_der(data))
        if info["content_type"].native != "signed_data":
            raise SignatureFailure(f"{display} is CMS {info['content_type'].native}, not signed data")
        signed: cms.SignedData = info["content"]
        if signed["encap_content_info"]["content"].native is not None:
            raise SignatureFailure(
                f"{display} embeds its content; a detached signature over the package is expected"
            )
        signed.native  # noqa: B018  # parse everything now: malformed DER fails here, not mid-validation
    except SignatureFailure:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise SignatureFailure(f"{display} is not a readable CMS/PKCS#7 signature: {exc}") from exc
    return signed


def looks_like_cms(head: bytes) -> bool:
    """A DER SEQUENCE carrying the signedData OID, or a PEM PKCS7/CMS block."""
    stripped = head.lstrip()
    if stripped.startswith((b"-----BEGIN PKCS7-----", b"-----BEGIN CMS-----")):
        return True
    return head[:1] == b"\x30" and b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in head[:64]


def _certs(items: tuple[Material, ...]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(_der(m.content)) for m in items]


def _crls(items: tuple[Material, ...]) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(_der(m.content)) for m in items]


def _anchor_use(path: Any, roots: tuple[Material, ...]) -> tuple[KeyUse, ...]:
    if path is None:
        return ()
    anchor = path.first
    fingerprint = getattr(anchor, "sha256", b"").hex() if anchor is not None else ""
    uses = [m.use() for m in roots if m.entry.fingerprint == fingerprint]
    leaf = path.leaf
    if leaf is not None:
        uses.append(
            KeyUse(
                entry="",
                kind="x509-signer",
                name=leaf.subject.human_friendly,
                fingerprint=leaf.sha256.hex(),
            )
        )
    return tuple(uses)


@dataclass(frozen=True)
class _Revocation:
    """The revocation status of a validation path, judged from the trust store's CRLs."""

    summary: str
    """One clause per certificate below the anchor, for the check's reason."""
    revoked: str | None = None
    """Subject of a certificate a trust-store CRL lists as revoked."""
    refused: tuple[str, ...] = ()
    """Clauses the revocation mode does not accept (stale or missing CRLs)."""


def _subject(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _names_distribution_point(cert: x509.Certificate) -> bool:
    try:
        cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return False
    return True


def _crl_label(revocations: x509.CertificateRevocationList, issuer: str) -> str:
    try:
        number = revocations.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return f"the CRL of {issuer}"
    return f"CRL #{number} of {issuer}"


def _revocation(path: Any, crls: tuple[Material, ...], at: datetime, mode: RevocationMode) -> _Revocation:
    """Judge every certificate of ``path`` below its trust anchor against the trust store's CRLs."""
    if path is None:
        return _Revocation("no validation path")
    # NOTE: iter_certs yields the trust anchor first; each later certificate was issued by the one
    # before it. RFC 5280 section 6.1: the trust anchor itself is not subject to revocation checks.
    certs = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    loaded = []
    for material in crls:
        try:
            loaded.append(x509.load_der_x509_crl(_der(material.content)))
        except ValueError:
            continue  # the trust store validated it on import; a broken one covers nothing
    clauses: list[str] = []
    refused: list[str] = []
    for issuer, cert in pairwise(certs):
        name, by = _subject(cert), _subject(issuer)
        own = [
            c
            for c in loaded
            if c.issuer == cert.issuer and c.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
        ]
        if any(c.get_revoked_certificate_by_serial_number(cert.serial_number) is not None for c in own):
            return _Revocation(f"{name}: revoked", revoked=cert.subject.rfc4514_string())
        current = [c for c in own if c.next_update_utc is not None and at <= c.next_update_utc]
        if current:
            newest = max(current, key=lambda c: c.next_update_utc or at)
            until = newest.next_update_utc.isoformat() if newest.next_update_utc else "?"
            clauses.append(f"{name} not revoked per {_crl_label(newest, by)}, valid until {until}")
            continue
        if own:
            latest = max(own, key=lambda c: c.last_update_utc)
            due = latest.next_update_utc
            clause = f"{name}: {_crl_label(latest, by)} in the trust store is stale " + (
                f"(its next update was due {due.isoformat()})" if due else "(it names no next update)"
            )
            clauses.append(clause)
            if mode is not RevocationMode.SOFT_FAIL:
                refused.append(clause)
            continue
        named = _names_distribution_point(cert)
        clause = f"{name}: no CRL of {by} in the trust store" + (
            " although the certificate names a CRL distribution point"
            if named
            else " (revocation not checked)"
        )
        clauses.append(clause)
        if mode is RevocationMode.REQUIRE or (mode is RevocationMode.HARD_FAIL and named):
            refused.append(clause)
    return _Revocation("; ".join(clauses) or "no certificate below the trust anchor", refused=tuple(refused))


def _check_revocation(
    path: Any, ctx: VerifyContext, uses: tuple[KeyUse, ...], details: dict[str, str], revoked: bool = False
) -> str:
    """The revocation summary for the reason; raises when the mode does not accept the status."""
    status = _revocation(path, ctx.trust.of(TrustKind.CRL), ctx.at, ctx.revocation)
    details["revocation"] = status.summary
    details["revocation_mode"] = ctx.revocation.value
    if status.revoked or revoked:
        raise SignatureFailure(
            f"certificate {status.revoked or 'of the signer'} is revoked (CRL in the trust store)",
            keys=uses,
            details=details,
            matched=True,
        )
    if status.refused:
        raise SignatureFailure(
            f"revocation check failed (mode '{ctx.revocation.value}'): {'; '.join(status.refused)}; import a "
            "current CRL of the issuer into the trust store ('otvet trust add crl FILE'), or name the policy "
            "'--revocation soft-fail' to accept missing or stale revocation data",
            keys=uses,
            details=details,
            matched=True,
        )
    return f"revocation ({ctx.revocation.value}): {status.summary}"


async def _validate(data_path: Any, signed: cms.SignedData, ctx: VerifyContext, moment: datetime) -> Any:
    # NOTE: pyHanko is imported on use: it costs ~0.6 s, and most otvet commands never need it.
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms  # noqa: PLC0415
    from pyhanko.sign.validation.settings import KeyUsageConstraints  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    # NOTE: RFC 5280 section 4.2.1.12: when the signer certificate lists extended key usages,
    # code signing must be one of them; a certificate without the extension is not restricted.
    usage = KeyUsageConstraints(
        key_usage={"digital_signature"},
        extd_key_usage={"code_signing"},
        explicit_extd_key_usage_required=False,
    )
    roots = ctx.trust.of(TrustKind.X509_ROOT)
    signer_context = ValidationContext(
        trust_roots=_certs(roots),
        other_certs=_certs(ctx.trust.of(TrustKind.X509_INTERMEDIATE)),
        crls=_crls(ctx.trust.of(TrustKind.CRL)),
        moment=moment,
        allow_fetching=False,
        # NOTE: revocation is judged by _revocation() from the trust store's CRLs, so the check
        # can say "stale CRL" or "no CRL" instead of the validator's "untrusted path".
        revocation_mode="soft-fail",
    )
    ts_context = ValidationContext(
        trust_roots=_certs(ctx.trust.of(TrustKind.TSA_ROOT)) or _certs(roots),
        crls=_crls(ctx.trust.of(TrustKind.CRL)),
        moment=ctx.at,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    with data_path.open("rb") as handle:
        return await async_validate_detached_cms(
            handle,
            signed,
            signer_validation_context=signer_context,
            ts_validation_context=ts_context,
            key_usage_settings=usage,
        )


class CmsVerifier:
    """Detached CMS/PKCS#7 signatures chained to an imported X.509 root."""

    mechanism: ClassVar[Mechanism] = Mechanism.CMS

    def recognises(self, evidence: FileInput, head: bytes) -> bool:
        return looks_like_cms(head)

    def verify(self, evidence: FileInput, subject: FileInput, ctx: VerifyContext) -> Verified:
        roots = ctx.trust.of(TrustKind.X509_ROOT)
        if not roots:
            raise SignatureFailure("the trust store holds no X.509 root certificate")
        signed = load_signed_data(
            read_bytes(evidence.path, display=evidence.name, limits=ctx.limits), evidence.name
        )
        status = asyncio.run(_validate(subject.path, signed, ctx, ctx.at))
        signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else "?"
        details = {"signer": signer, "digest_algorithm": str(status.md_algorithm)}
        if status.signer_reported_dt is not None:
            details["signer_reported_time"] = (
                status.signer_reported_dt.isoformat() + " (asserted by the signer, not proven)"
            )
        if not status.intact or not status.valid:
            raise SignatureFailure(
                f"CMS signature by {signer} does not match {subject.name}: the file was altered or the signature is for another file",
                details=details,
            )
        uses = _anchor_use(status.validation_path, roots)
        if status.trusted or status.revoked:
            revocation = _check_revocation(status.validation_path, ctx, uses, details, bool(status.revoked))
            return Verified(
                reason=f"CMS signature by {signer} verifies over {subject.name}; chain valid at {ctx.at.isoformat()} "
                f"to a trusted root; {revocation}",
                keys=uses,
                policy=f"expired-certificates={ctx.expired_certificates.value}",
                details=details,
            )
        problem = str(status.trust_problem_indic.name if status.trust_problem_indic else "untrusted")
        details["trust_problem"] = problem
        expired = _expired_at(status, ctx.at)
        if expired is None:
            raise SignatureFailure(
                f"the certificate of {signer} does not chain to a trusted root valid at {ctx.at.isoformat()} ({problem})",
                keys=uses,
                details=details,
                matched=True,
            )
        if ctx.expired_certificates is not ExpiredCertificatePolicy.TIMESTAMPED:
            raise SignatureFailure(
                f"the signing certificate chain expired at {expired.isoformat()}; policy 'reject' accepts only "
                "certificates valid at the verification time (policy 'timestamped' accepts a trusted signing-time proof)",
                keys=uses,
                details=details,
                matched=True,
            )
        return self._timestamped(subject, signed, ctx, status, details)

    def _timestamped(
        self,
        subject: FileInput,
        signed: cms.SignedData,
        ctx: VerifyContext,
        status: Any,
        details: dict[str, str],
    ) -> Verified:
        stamp = status.timestamp_validity
        if stamp is None:
            raise SignatureFailure(
                "the signing certificate has expired and the signature carries no RFC 3161 timestamp, "
                "so its signing time cannot be proven",
                details=details,
                matched=True,
            )
        if not (stamp.intact and stamp.valid and stamp.trusted):
            raise SignatureFailure(
                "the signature timestamp does not verify against a TSA root in the trust store",
                details=details,
                matched=True,
            )
        proven: datetime = stamp.timestamp
        at_signing = asyncio.run(_validate(subject.path, signed, ctx, proven))
        uses = _anchor_use(at_signing.validation_path, ctx.trust.of(TrustKind.X509_ROOT))
        if not (at_signing.intact and at_signing.valid and at_signing.trusted):
            raise SignatureFailure(
                f"the certificate chain was not valid at the proven signing time {proven.isoformat()}",
                keys=uses,
                details=details,
                matched=True,
            )
        revocation = _check_revocation(at_signing.validation_path, ctx, uses, details)
        tsa = stamp.signing_cert.subject.human_friendly if stamp.signing_cert is not None else "?"
        details["timestamp_authority"] = tsa
        return Verified(
            reason=(
                f"CMS signature over {subject.name} verifies; the signing certificate has since expired, but a "
                f"timestamp by {tsa} proves it was made at {proven.isoformat()}, when the chain was valid; {revocation}"
            ),
            keys=uses,
            signed_at=proven,
            signed_at_proven=True,
            policy="expired-certificates=timestamped",
            details=details,
        )


def _expired_at(status: Any, at: datetime) -> datetime | None:
    """When the signer's path expired, if expiry (and nothing else) is why it is untrusted."""
    cert = status.signing_cert
    if cert is None:
        return None
    candidates = [cert]
    if status.validation_path is not None:
        candidates = list(status.validation_path.iter_certs(include_root=True))
    ends = [c["tbs_certificate"]["validity"]["not_after"].native for c in candidates]
    expired = [end for end in ends if end <= at]
    if not expired:
        return None
    return min(expired)  # type: ignore[no-any-return]
