"""The one explicit table of signature verifiers. A new mechanism is one module plus one line here.

Order matters for recognising evidence by content: the first verifier that recognises a file
checks it. Hash lists and TUF repositories are not signature files and are handled by
:mod:`otvet.updates.verify` directly (modules :mod:`~otvet.formats.hashlist` and
:mod:`~otvet.updates.tuf_repo`).
"""

from __future__ import annotations

from otvet.model.updates import Mechanism
from otvet.updates.cms import CmsVerifier
from otvet.updates.dsse import DsseVerifier
from otvet.updates.interface import SignatureVerifier
from otvet.updates.minisign import MinisignVerifier, SignifyVerifier
from otvet.updates.openpgp import OpenPgpVerifier
from otvet.updates.sigstore_bundle import SigstoreVerifier

VERIFIERS: tuple[type[SignatureVerifier], ...] = (
    SigstoreVerifier,
    DsseVerifier,
    MinisignVerifier,
    SignifyVerifier,
    OpenPgpVerifier,
    CmsVerifier,
)
"""Signature verifiers, most specific first."""

MECHANISMS: tuple[Mechanism, ...] = (Mechanism.HASH, *(v.mechanism for v in VERIFIERS), Mechanism.TUF)
"""Every mechanism a verification report can contain."""


def verifiers() -> list[SignatureVerifier]:
    """Fresh instances of every registered verifier."""
    return [cls() for cls in VERIFIERS]


def verifier_for(mechanism: Mechanism) -> SignatureVerifier:
    """The verifier of one mechanism; ``KeyError`` when it has none (hash, TUF)."""
    for cls in VERIFIERS:
        if cls.mechanism is mechanism:
            return cls()
    raise KeyError(mechanism)
