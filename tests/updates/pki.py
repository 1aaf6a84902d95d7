"""A throwaway X.509 PKI for CMS tests, made with ``cryptography`` at test time.

Root -> intermediate -> code-signing leaf, a TSA, CRLs, and detached CMS signatures made by
``cryptography``'s PKCS#7 builder (plain) or by pyHanko's signer (with an RFC 3161 timestamp
from pyHanko's in-process TSA).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp  # noqa: F401  # registers the CMS attributes pyHanko signs with
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kestrel Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def issue(
    cn: str,
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    not_before: datetime,
    not_after: datetime,
    eku: x509.ObjectIdentifier | None = None,
    rsa_key: bool = False,
    serial: int | None = None,
    crl_url: str | None = None,
) -> Issued:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if rsa_key
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = _name(cn)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if eku is not None:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([eku]), critical=eku == ExtendedKeyUsageOID.TIME_STAMPING
        )
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def crl(
    issuer: Issued, revoked: list[tuple[int, datetime]], *, this_update: datetime, next_update: datetime
) -> bytes:
    builder = x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
    builder = builder.last_update(this_update).next_update(next_update)
    builder = builder.add_extension(x509.CRLNumber(1), critical=False)
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def sign_detached(data: bytes, signer: Issued, chain: list[Issued]) -> bytes:
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(signer.cert, signer.key, hashes.SHA256())
    )
    for extra in chain:
        builder = builder.add_certificate(extra.cert)
    return builder.sign(
        serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    )


def _asn1(issued: Issued) -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    cert = asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))
    key = asn1_keys.PrivateKeyInfo.load(
        issued.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, key


def sign_timestamped(
    data: bytes, signer: Issued, chain: list[Issued], tsa: Issued, tsa_chain: list[Issued], at: datetime
) -> bytes:
    """A detached CMS signature with an RFC 3161 signature timestamp, made by pyHanko."""
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key = _asn1(signer)
    tsa_cert, tsa_key = _asn1(tsa)
    others = SimpleCertificateStore.from_certs([_asn1(c)[0] for c in chain])
    simple = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=others)
    stamper = DummyTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=tsa_key,
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1(c)[0] for c in tsa_chain]),
        fixed_dt=at,
    )
    result = asyncio.run(
        simple.async_sign_general_data(data, "sha256", detached=True, timestamper=stamper, use_cades=False)
    )
    return bytes(result.dump())


DAY = timedelta(days=1)
