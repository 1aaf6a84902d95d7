"""The trust store: imports parse and fingerprint their material, remember who and when, scope by vendor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from otvet.model import FormatError, InputError
from otvet.model.updates import TrustKind
from otvet.updates.store import open_engine
from otvet.updates.trust import TrustStore, read_entry
from tests.updates.conftest import GnuPG, Minisign
from tests.updates.pki import DAY, issue
from tests.updates.test_cms import Pki
from tests.updates.tufrepo import TufRepo


def test_entries_are_parsed_fingerprinted_and_stored_with_provenance(
    db_url: str, gnupg: GnuPG, minisign: Minisign, tmp_path: Path
) -> None:
    engine = open_engine(db_url)
    try:
        store = TrustStore(engine)
        fpr = gnupg.generate("Kestrel Release <release@kestrel.example>")
        public, _ = minisign.generate("vendor")
        pki = Pki(tmp_path)
        added = [
            store.add(
                *read_entry(
                    TrustKind.OPENPGP,
                    gnupg.export(fpr, tmp_path / "k.asc"),
                    added_by="alice",
                    vendor="Kestrel Automation",
                )
            ),
            store.add(*read_entry(TrustKind.MINISIGN, public, added_by="bob", vendor="Northwind Controls")),
            store.add(*read_entry(TrustKind.X509_ROOT, pki.root_file(), added_by="alice")),
            store.add(
                *read_entry(
                    TrustKind.TUF_ROOT, TufRepo().first_root(tmp_path / "root.json"), added_by="carol"
                )
            ),
        ]
        entries = [e for e, _ in store.entries()]
        assert {e.id for e in entries} == {e.id for e in added}
        openpgp = next(e for e in entries if e.kind is TrustKind.OPENPGP)
        assert (
            openpgp.fingerprint == fpr and openpgp.added_by == "alice" and openpgp.added_at.tzinfo is not None
        )
        root = next(e for e in entries if e.kind is TrustKind.X509_ROOT)
        assert "Kestrel Root CA" in root.name and root.not_after is not None
        kestrel = store.material("Kestrel Automation")
        assert {m.entry.kind for m in kestrel.items} == {
            TrustKind.OPENPGP,
            TrustKind.X509_ROOT,
            TrustKind.TUF_ROOT,
        }
        assert kestrel.digest != store.material().digest != store.material("Northwind Controls").digest
        with pytest.raises(InputError, match="already holds"):
            store.add(*read_entry(TrustKind.MINISIGN, public, added_by="bob", vendor="Northwind Controls"))
        removed = store.remove(openpgp.id[:6])
        assert removed.id == openpgp.id and len(store.entries()) == 3
    finally:
        engine.dispose()


def test_material_that_is_not_what_its_kind_says_is_refused(
    gnupg: GnuPG, minisign: Minisign, tmp_path: Path
) -> None:
    public, _ = minisign.generate("vendor")
    pki = Pki(tmp_path)
    with pytest.raises(FormatError):
        read_entry(TrustKind.OPENPGP, public, added_by="a")
    with pytest.raises(FormatError):
        read_entry(TrustKind.MINISIGN, pki.root_file(), added_by="a")
    with pytest.raises(FormatError):
        read_entry(TrustKind.CRL, pki.root_file(), added_by="a")
    leaf = pki.write("leaf.pem", pki.signer.pem)
    with pytest.raises(FormatError, match="not a CA"):
        read_entry(TrustKind.X509_ROOT, leaf, added_by="a")


def test_a_sigstore_root_needs_an_identity_policy(sigstore_asset: Callable[[str], Path]) -> None:
    with pytest.raises(InputError, match="identity"):
        read_entry(TrustKind.SIGSTORE_ROOT, sigstore_asset("trusted_root.json"), added_by="a")


def test_a_tuf_root_not_signed_by_its_own_keys_is_refused(tmp_path: Path) -> None:
    repo = TufRepo()
    path = repo.first_root(tmp_path / "root.json")
    text = path.read_text(encoding="utf-8").replace('"version": 1', '"version": 7')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match="threshold"):
        read_entry(TrustKind.TUF_ROOT, path, added_by="a")


def test_tsa_roots_may_be_end_entities_but_code_signing_roots_may_not(tmp_path: Path) -> None:
    pki = Pki(tmp_path)
    tsa = issue(
        "Pinned TSA",
        ca=False,
        not_before=pki.now - DAY,
        not_after=pki.now + DAY,
        eku=ExtendedKeyUsageOID.TIME_STAMPING,
    )
    entry, _ = read_entry(TrustKind.TSA_ROOT, pki.write("tsa.pem", tsa.pem), added_by="a")
    assert entry.kind is TrustKind.TSA_ROOT
