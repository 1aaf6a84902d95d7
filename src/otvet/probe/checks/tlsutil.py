"""TLS helpers of the checks: a complete handshake over a metered connection, certificate facts.

The handshake runs Python's ``ssl`` over memory BIOs, so every byte goes through the probe's
metered connection (``loop.start_tls`` is refused by the guarded loop). Certificates are
judged with ``cryptography``: validity period, key size, signature hash, self-signature and,
when the owner gave a trust anchor, the chain (RFC 5280 path validation through
``cryptography.x509.verification``, including that the certificate names the address).

References for the thresholds: NIST SP 800-131A Rev. 2 (RSA >= 2048 bit, no SHA-1
signatures), BSI TR-02102-2, and the guide's own example in SBD-07.08.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509 import verification

from otvet.model.probe import Finding, Verdict
from otvet.probe.interface import finding
from otvet.probe.net import TcpConn

EXPIRY_WARNING = timedelta(days=30)
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
WEAK_HASHES = ("md5", "sha1", "md2", "md4")

_DER = 2
"""``_ssl.ENCODING_DER``: the encoding argument of the private certificate objects (3.10-3.12)."""


@dataclass(frozen=True)
class Handshake:
    """The outcome of one complete TLS handshake attempt."""

    ok: bool
    version: str | None = None
    cipher: str | None = None
    leaf: bytes | None = None
    chain: tuple[bytes, ...] = ()
    error: str | None = None


def client_context(trust_anchor: bytes | None = None) -> ssl.SSLContext:
    """A client context with the local library's defaults (TLS 1.2+), verifying only when asked."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    if trust_anchor:
        context.load_verify_locations(cadata=trust_anchor.decode("ascii", "replace"))
        context.verify_mode = ssl.CERT_REQUIRED
    else:
        context.verify_mode = ssl.CERT_NONE
    return context


def _unverified_chain(obj: ssl.SSLObject) -> tuple[bytes, ...]:
    # NOTE: Python 3.13 made SSLObject.get_unverified_chain() public; 3.10-3.12 have the same
    # method on the private _sslobj. Without either, the chain is the leaf only.
    getter = getattr(obj, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(obj, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:
        return ()
    try:
        certs = getter() or []
    except (ssl.SSLError, ValueError, AttributeError):
        return ()
    out: list[bytes] = []
    for cert in certs:
        if isinstance(cert, bytes):
            out.append(cert)
        else:
            try:
                out.append(cert.public_bytes(_DER))
            except (AttributeError, TypeError, ValueError):
                return ()
    return tuple(out)


class TlsSession:
    """A TLS client session over a metered :class:`TcpConn`."""

    def __init__(self, conn: TcpConn, context: ssl.SSLContext, timeout: float) -> None:
        self.conn = conn
        self.timeout = timeout
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self.obj = context.wrap_bio(self._in, self._out, server_side=False)

    async def _flush(self) -> None:
        data = self._out.read()
        if data:
            await self.conn.send(data)

    async def _feed(self) -> bool:
        data = await self.conn.read_some(self.timeout)
        if not data:
            self._in.write_eof()
            return False
        self._in.write(data)
        return True

    async def handshake(self) -> Handshake:
        """Complete the handshake (or report why it failed)."""
        try:
            while True:
                try:
                    self.obj.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    await self._flush()
                    if not await self._feed() and self.conn.eof:
                        await self._flush()
                        self.obj.do_handshake()
            await self._flush()
        except ssl.SSLError as exc:
            await self._flush()  # the alert we raise, if any
            return Handshake(ok=False, error=_reason(exc))
        except (ssl.SSLEOFError, ConnectionError) as exc:
            return Handshake(ok=False, error=f"connection closed during the handshake ({exc})")
        leaf = self.obj.getpeercert(binary_form=True)
        chain = _unverified_chain(self.obj)
        cipher = self.obj.cipher()
        return Handshake(
            ok=True,
            version=self.obj.version(),
            cipher=cipher[0] if cipher else None,
            leaf=leaf,
            chain=chain or ((leaf,) if leaf else ()),
        )

    async def read_alert(self) -> str | None:
        """After the handshake: the alert the server sends within the timeout, if any.

        TLS 1.3 clients finish their handshake before the server has checked the client's
        certificate; a server that requires one says so with an alert right after.
        """
        while True:
            try:
                self.obj.read(1024)
                return None
            except ssl.SSLWantReadError:
                if not await self._feed():
                    return "closed" if self.conn.eof else None
            except ssl.SSLError as exc:
                return _reason(exc)

    async def close(self) -> None:
        """Send close_notify (without waiting for the peer's), then close the connection.

        Not when the peer has closed already (a server that rejected the handshake or sent
        its own alert and FIN): there is nobody left to notify, and writing to a closed
        connection only draws a reset.
        """
        if self.conn.eof:
            return
        try:
            self.obj.unwrap()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            pass
        await self._flush()


def _reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc.strerror or exc).lower().replace("_", " ")


# ----------------------------------------------------------------------------------------
# Certificate facts


def _name(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:
        return "(unprintable name)"


def _key(cert: x509.Certificate) -> tuple[str, int | None]:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", None
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 448
    return type(key).__name__, None


def _hash_name(cert: x509.Certificate) -> str:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return "unknown"
    return "none (EdDSA)" if algorithm is None else algorithm.name


def self_signed(cert: x509.Certificate) -> bool:
    """Issued by itself: same name, and its own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def facts(cert: x509.Certificate) -> dict[str, Any]:
    """What the record shows about a certificate."""
    key_type, bits = _key(cert)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(v) for v in san.get_values_for_type(x509.DNSName)] + [
            str(v) for v in san.get_values_for_type(x509.IPAddress)
        ]
        names += [str(v) for v in san.get_values_for_type(x509.UniformResourceIdentifier)]
    except (x509.ExtensionNotFound, ValueError):
        names = []
    return {
        "subject": _name(cert.subject),
        "issuer": _name(cert.issuer),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key": key_type,
        "key_bits": bits,
        "signature_hash": _hash_name(cert),
        "self_signed": self_signed(cert),
        "subject_alt_names": names[:20],
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def load(der: bytes) -> x509.Certificate | None:
    """A certificate from DER, or None when it does not parse."""
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def validity_findings(cert: x509.Certificate, now: datetime, where: str) -> list[Finding]:
    """Expiry, key size and signature hash of a certificate in service (SBD-07.08)."""
    out: list[Finding] = []
    crit = ("SBD-07.08",)
    after, before = cert.not_valid_after_utc, cert.not_valid_before_utc
    if now > after:
        out.append(
            finding("expired", Verdict.FAIL, f"The certificate on {where} expired on {after:%Y-%m-%d}.", crit)
        )
    elif now < before:
        out.append(
            finding(
                "not-yet-valid",
                Verdict.FAIL,
                f"The certificate on {where} is valid only from {before:%Y-%m-%d}.",
                crit,
            )
        )
    elif after - now < EXPIRY_WARNING:
        out.append(
            finding(
                "expiring", Verdict.WARN, f"The certificate on {where} expires on {after:%Y-%m-%d}.", crit
            )
        )
    else:
        out.append(
            finding(
                "validity", Verdict.PASS, f"The certificate on {where} is valid until {after:%Y-%m-%d}.", crit
            )
        )
    key_type, bits = _key(cert)
    if key_type == "DSA" or bits is None:
        out.append(finding("key", Verdict.FAIL, f"The certificate on {where} has a {key_type} key.", crit))
    elif key_type == "RSA" and bits < MIN_RSA_BITS:
        out.append(
            finding(
                "key",
                Verdict.FAIL,
                f"The certificate on {where} has a {bits}-bit RSA key (< {MIN_RSA_BITS}).",
                crit,
            )
        )
    elif key_type.startswith("EC") and bits < MIN_EC_BITS:
        out.append(
            finding(
                "key",
                Verdict.FAIL,
                f"The certificate on {where} has a {bits}-bit EC key (< {MIN_EC_BITS}).",
                crit,
            )
        )
    else:
        out.append(
            finding("key", Verdict.PASS, f"The certificate on {where} has a {key_type} {bits}-bit key.", crit)
        )
    digest = _hash_name(cert)
    if digest in WEAK_HASHES:
        out.append(
            finding(
                "signature",
                Verdict.FAIL,
                f"The certificate on {where} is signed with {digest.upper()}.",
                crit,
            )
        )
    else:
        out.append(
            finding("signature", Verdict.PASS, f"The certificate on {where} is signed with {digest}.", crit)
        )
    return out


def trust_findings(
    leaf: x509.Certificate,
    chain: Sequence[x509.Certificate],
    address: str,
    now: datetime,
    anchor: bytes | None,
    where: str,
) -> tuple[list[Finding], str]:
    """Self-signature and chain to the owner's trust anchor (SBD-07.01)."""
    crit = ("SBD-07.01",)
    if self_signed(leaf):
        return [
            finding(
                "self-signed",
                Verdict.FAIL,
                f"The certificate on {where} is self-signed: a peer cannot authenticate the device through a chain of trust.",
                crit,
            )
        ], "self-signed"
    if not anchor:
        return [
            finding(
                "chain",
                Verdict.INDETERMINATE,
                f"The certificate on {where} is issued by {_name(leaf.issuer)}; no trust anchor was given to verify the chain.",
                crit,
            )
        ], "not verified (no trust anchor)"
    try:
        store = verification.Store(x509.load_pem_x509_certificates(anchor))
        builder = verification.PolicyBuilder().store(store).time(now)
        verifier = builder.build_server_verifier(x509.IPAddress(ipaddress.ip_address(address)))
        verifier.verify(leaf, [c for c in chain if c != leaf])
    except verification.VerificationError as exc:
        return [
            finding(
                "chain",
                Verdict.FAIL,
                f"The certificate chain on {where} does not verify to the trust anchor: {exc}.",
                crit,
            )
        ], f"failed: {exc}"
    except ValueError as exc:
        return [
            finding("chain", Verdict.ERROR, f"The trust anchor could not be used: {exc}.", ())
        ], f"error: {exc}"
    return [
        finding(
            "chain",
            Verdict.PASS,
            f"The certificate chain on {where} verifies to the owner's trust anchor and names {address}.",
            crit,
        )
    ], "verified"
