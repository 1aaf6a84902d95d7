"""CMS/PKCS#7 detached signatures with X.509 chains made by ``cryptography`` and pyHanko at test time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from otvet.model.updates import ExpiredCertificatePolicy, Mechanism, RevocationMode, TrustKind, Verdict
from tests.updates.conftest import trust, verify
from tests.updates.pki import DAY, Issued, crl, issue, sign_detached, sign_timestamped

CODE = ExtendedKeyUsageOID.CODE_SIGNING


class Pki:
    def __init__(self, directory: Path) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self.now = now
        self.directory = directory
        self.root = issue("Kestrel Root CA", ca=True, not_before=now - 1000 * DAY, not_after=now + 3000 * DAY)
        self.intermediate = issue(
            "Kestrel Code Signing CA",
            issuer=self.root,
            ca=True,
            not_before=now - 900 * DAY,
            not_after=now + 2000 * DAY,
        )
        self.signer = issue(
            "Kestrel Firmware Signing",
            issuer=self.intermediate,
            not_before=now - 100 * DAY,
            not_after=now + 300 * DAY,
            eku=CODE,
        )
        self.tsa = issue(
            "Kestrel Test TSA", issuer=self.root, not_before=now - 500 * DAY, not_after=now + 500 * DAY,
            eku=ExtendedKeyUsageOID.TIME_STAMPING, rsa_key=True,
        )  # fmt: skip

    def write(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(data)
        return path

    def root_file(self) -> Path:
        return self.write("root.pem", self.root.pem)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki(tmp_path)


def _sign(pki: Pki, package: Path, signer: Issued, name: str = "pkg.p7s") -> Path:
    return pki.write(name, sign_detached(package.read_bytes(), signer, [pki.intermediate]))


def test_valid_chain_to_the_imported_root(pki: Pki, package: Path) -> None:
    report = verify(
        package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[_sign(pki, package, pki.signer)]
    )
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    check = report.checks[0]
    assert check.mechanism is Mechanism.CMS
    assert {k.kind for k in check.keys} == {"x509-root", "x509-signer"}
    assert "Kestrel Firmware Signing" in check.details["signer"]


def test_intermediate_from_the_trust_store_completes_a_chain(pki: Pki, package: Path) -> None:
    bare = pki.write("bare.p7s", sign_detached(package.read_bytes(), pki.signer, []))
    without = verify(package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[bare])
    assert without.verdict is Verdict.FAILED
    material = trust(
        (TrustKind.X509_ROOT, pki.root_file()),
        (TrustKind.X509_INTERMEDIATE, pki.write("intermediate.pem", pki.intermediate.pem)),
    )
    assert verify(package, material, signatures=[bare]).verdict is Verdict.AUTHENTIC


def test_tampered_payload_fails(pki: Pki, package: Path) -> None:
    signature = _sign(pki, package, pki.signer)
    package.write_bytes(package.read_bytes() + b"!")
    report = verify(package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[signature])
    assert report.verdict is Verdict.FAILED and "does not match" in report.checks[0].reason


def test_chain_to_another_root_fails(pki: Pki, package: Path) -> None:
    rogue_root = issue("Rogue Root", ca=True, not_before=pki.now - DAY, not_after=pki.now + 100 * DAY)
    rogue = issue(
        "Kestrel Firmware Signing",
        issuer=rogue_root,
        not_before=pki.now - DAY,
        not_after=pki.now + 10 * DAY,
        eku=CODE,
    )
    signature = pki.write("rogue.p7s", sign_detached(package.read_bytes(), rogue, [rogue_root]))
    report = verify(package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[signature])
    assert report.verdict is Verdict.FAILED and "does not chain to a trusted root" in report.checks[0].reason


def test_certificate_without_code_signing_usage_fails(pki: Pki, package: Path) -> None:
    tls = issue(
        "Kestrel Web Server", issuer=pki.intermediate, not_before=pki.now - DAY, not_after=pki.now + 10 * DAY,
        eku=ExtendedKeyUsageOID.SERVER_AUTH,
    )  # fmt: skip
    report = verify(
        package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[_sign(pki, package, tls)]
    )
    assert report.verdict is Verdict.FAILED


def test_revoked_certificate_fails(pki: Pki, package: Path) -> None:
    revocations = pki.write(
        "crl.pem",
        crl(
            pki.intermediate,
            [(pki.signer.cert.serial_number, pki.now - DAY)],
            this_update=pki.now - DAY,
            next_update=pki.now + 30 * DAY,
        ),
    )
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, revocations))
    report = verify(package, material, signatures=[_sign(pki, package, pki.signer)])
    assert report.verdict is Verdict.FAILED and "revoked" in report.checks[0].reason


def test_current_crl_without_the_signer_passes(pki: Pki, package: Path) -> None:
    revocations = pki.write(
        "crl.pem", crl(pki.intermediate, [], this_update=pki.now - DAY, next_update=pki.now + 30 * DAY)
    )
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, revocations))
    assert (
        verify(package, material, signatures=[_sign(pki, package, pki.signer)]).verdict is Verdict.AUTHENTIC
    )


def _crl_file(
    pki: Pki, issuer: Issued, name: str, *, stale: bool = False, revoked: tuple[int, ...] = ()
) -> Path:
    if stale:  # published 60 days ago, next update due 30 days ago
        this_update, next_update = pki.now - 60 * DAY, pki.now - 30 * DAY
    else:
        this_update, next_update = pki.now - DAY, pki.now + 30 * DAY
    entries = [(serial, this_update) for serial in revoked]
    return pki.write(name, crl(issuer, entries, this_update=this_update, next_update=next_update))


def test_a_stale_crl_fails_by_default_and_the_reason_says_so(pki: Pki, package: Path) -> None:
    stale = _crl_file(pki, pki.intermediate, "stale.pem", stale=True)
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, stale))
    signature = _sign(pki, package, pki.signer)
    report = verify(package, material, signatures=[signature])
    assert report.verdict is Verdict.FAILED
    reason = report.checks[0].reason
    assert (
        "mode 'hard-fail'" in reason
        and "CRL #1 of Kestrel Code Signing CA in the trust store is stale" in reason
    )
    assert f"next update was due {(pki.now - 30 * DAY).isoformat()}" in reason
    assert "does not chain" not in reason
    # The named policy accepts it, and still says what it accepted.
    soft = verify(package, material, signatures=[signature], revocation=RevocationMode.SOFT_FAIL)
    assert soft.verdict is Verdict.AUTHENTIC, soft.summary
    assert "revocation (soft-fail)" in soft.checks[0].reason and "is stale" in soft.checks[0].reason
    assert soft.checks[0].details["revocation_mode"] == "soft-fail"


def test_a_revocation_in_a_stale_crl_still_fails_under_soft_fail(pki: Pki, package: Path) -> None:
    stale = _crl_file(
        pki, pki.intermediate, "stale.pem", stale=True, revoked=(pki.signer.cert.serial_number,)
    )
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, stale))
    report = verify(
        package, material, signatures=[_sign(pki, package, pki.signer)], revocation=RevocationMode.SOFT_FAIL
    )
    assert report.verdict is Verdict.FAILED and "Kestrel Firmware Signing" in report.checks[0].reason
    assert "revoked" in report.checks[0].reason


def test_a_passing_check_states_the_revocation_status_of_every_certificate(pki: Pki, package: Path) -> None:
    current = _crl_file(pki, pki.intermediate, "current.pem")
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, current))
    report = verify(package, material, signatures=[_sign(pki, package, pki.signer)])
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    reason = report.checks[0].reason
    until = (pki.now + 30 * DAY).isoformat()
    assert (
        f"Kestrel Firmware Signing not revoked per CRL #1 of Kestrel Code Signing CA, valid until {until}"
        in reason
    )
    assert (
        "Kestrel Code Signing CA: no CRL of Kestrel Root CA in the trust store (revocation not checked)"
        in reason
    )
    # Without any CRL the default mode accepts certificates that name no distribution point, and says so.
    bare = verify(
        package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[_sign(pki, package, pki.signer)]
    )
    assert bare.verdict is Verdict.AUTHENTIC
    assert (
        "Kestrel Firmware Signing: no CRL of Kestrel Code Signing CA in the trust store"
        in bare.checks[0].reason
    )


def test_require_names_the_missing_crl_instead_of_an_untrusted_chain(pki: Pki, package: Path) -> None:
    signature = _sign(pki, package, pki.signer)
    leaf_crl = _crl_file(pki, pki.intermediate, "intermediate-crl.pem")
    material = trust((TrustKind.X509_ROOT, pki.root_file()), (TrustKind.CRL, leaf_crl))
    report = verify(package, material, signatures=[signature], revocation=RevocationMode.REQUIRE)
    assert report.verdict is Verdict.FAILED
    reason = report.checks[0].reason
    assert "mode 'require'" in reason and "Kestrel Code Signing CA: no CRL of Kestrel Root CA" in reason
    assert "does not chain" not in reason
    complete = trust(
        (TrustKind.X509_ROOT, pki.root_file()),
        (TrustKind.CRL, leaf_crl),
        (TrustKind.CRL, _crl_file(pki, pki.root, "root-crl.pem")),
    )
    passed = verify(package, complete, signatures=[signature], revocation=RevocationMode.REQUIRE)
    assert passed.verdict is Verdict.AUTHENTIC, passed.summary
    assert "Kestrel Code Signing CA not revoked per CRL #1 of Kestrel Root CA" in passed.checks[0].reason


def test_hard_fail_needs_the_crl_a_certificate_names(pki: Pki, package: Path) -> None:
    pointed = issue(
        "Kestrel Firmware Signing", issuer=pki.intermediate, not_before=pki.now - DAY,
        not_after=pki.now + 100 * DAY, eku=CODE, crl_url="http://pki.kestrel.example/code-signing.crl",
    )  # fmt: skip
    signature = _sign(pki, package, pointed)
    report = verify(package, trust((TrustKind.X509_ROOT, pki.root_file())), signatures=[signature])
    assert report.verdict is Verdict.FAILED
    assert "names a CRL distribution point" in report.checks[0].reason
    with_crl = trust(
        (TrustKind.X509_ROOT, pki.root_file()),
        (TrustKind.CRL, _crl_file(pki, pki.intermediate, "current.pem")),
    )
    assert verify(package, with_crl, signatures=[signature]).verdict is Verdict.AUTHENTIC


def _expired_signer(pki: Pki) -> Issued:
    return issue(
        "Kestrel Firmware Signing 2025", issuer=pki.intermediate, not_before=pki.now - 400 * DAY,
        not_after=pki.now - 10 * DAY, eku=CODE,
    )  # fmt: skip


def test_expired_certificate_is_refused_by_default_even_with_a_timestamp(pki: Pki, package: Path) -> None:
    old = _expired_signer(pki)
    plain = _sign(pki, package, old, "plain.p7s")
    stamped = pki.write(
        "stamped.p7s",
        sign_timestamped(
            package.read_bytes(), old, [pki.intermediate], pki.tsa, [pki.root], pki.now - 50 * DAY
        ),
    )
    material = trust(
        (TrustKind.X509_ROOT, pki.root_file()), (TrustKind.TSA_ROOT, pki.write("tsa-root.pem", pki.root.pem))
    )
    for signature in (plain, stamped):
        report = verify(package, material, signatures=[signature])
        assert report.verdict is Verdict.FAILED and "policy 'reject'" in report.checks[0].reason


def test_expired_certificate_with_a_trusted_timestamp_under_the_named_policy(pki: Pki, package: Path) -> None:
    old = _expired_signer(pki)
    signed_at = pki.now - 50 * DAY
    stamped = pki.write(
        "stamped.p7s",
        sign_timestamped(package.read_bytes(), old, [pki.intermediate], pki.tsa, [pki.root], signed_at),
    )
    material = trust(
        (TrustKind.X509_ROOT, pki.root_file()), (TrustKind.TSA_ROOT, pki.write("tsa-root.pem", pki.root.pem))
    )
    report = verify(package, material, signatures=[stamped], expired=ExpiredCertificatePolicy.TIMESTAMPED)
    assert report.verdict is Verdict.AUTHENTIC, report.summary
    check = report.checks[0]
    assert check.signed_at == signed_at and check.signed_at_proven
    assert check.policy == "expired-certificates=timestamped"
    # Without a timestamp, the same policy still refuses: the signing time is unproven.
    plain = verify(
        package,
        material,
        signatures=[_sign(pki, package, old, "plain.p7s")],
        expired=ExpiredCertificatePolicy.TIMESTAMPED,
    )
    assert plain.verdict is Verdict.FAILED and "no RFC 3161 timestamp" in plain.checks[0].reason


def test_timestamp_from_an_untrusted_authority_proves_nothing(pki: Pki, package: Path) -> None:
    old = _expired_signer(pki)
    rogue_root = issue(
        "Rogue TSA Root", ca=True, not_before=pki.now - 900 * DAY, not_after=pki.now + 900 * DAY
    )
    rogue_tsa = issue(
        "Rogue TSA", issuer=rogue_root, not_before=pki.now - 500 * DAY, not_after=pki.now + 500 * DAY,
        eku=ExtendedKeyUsageOID.TIME_STAMPING, rsa_key=True,
    )  # fmt: skip
    stamped = pki.write(
        "stamped.p7s",
        sign_timestamped(
            package.read_bytes(), old, [pki.intermediate], rogue_tsa, [rogue_root], pki.now - 50 * DAY
        ),
    )
    material = trust(
        (TrustKind.X509_ROOT, pki.root_file()), (TrustKind.TSA_ROOT, pki.write("tsa-root.pem", pki.root.pem))
    )
    report = verify(package, material, signatures=[stamped], expired=ExpiredCertificatePolicy.TIMESTAMPED)
    assert report.verdict is Verdict.FAILED and "timestamp" in report.checks[0].reason


def test_revoked_expired_certificate_is_refused_even_with_a_timestamp(pki: Pki, package: Path) -> None:
    old = _expired_signer(pki)
    stamped = pki.write(
        "stamped.p7s",
        sign_timestamped(
            package.read_bytes(), old, [pki.intermediate], pki.tsa, [pki.root], pki.now - 50 * DAY
        ),
    )
    revocations = pki.write(
        "crl.pem",
        crl(
            pki.intermediate,
            [(old.cert.serial_number, pki.now - 20 * DAY)],
            this_update=pki.now - DAY,
            next_update=pki.now + 30 * DAY,
        ),
    )
    material = trust(
        (TrustKind.X509_ROOT, pki.root_file()),
        (TrustKind.TSA_ROOT, pki.write("tsa-root.pem", pki.root.pem)),
        (TrustKind.CRL, revocations),
    )
    report = verify(package, material, signatures=[stamped], expired=ExpiredCertificatePolicy.TIMESTAMPED)
    assert report.verdict is Verdict.FAILED and "revoked" in report.checks[0].reason
