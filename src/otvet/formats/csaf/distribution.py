"""Check a CSAF provider's distribution given as a local directory or a saved copy of its site.

What is checked (CSAF 2.0 section 7.1, requirement numbers in the findings; roles in 7.2):

- ``provider-metadata.json`` (7.1.7): present, valid against the provider schema; its role,
  distributions, publisher and public OpenPGP keys are reported and checked against the copy:
  a declared ROLIE feed or directory distribution that is not in the copy, a provider role
  without any distribution (7.2.2), a trusted provider without public keys (7.1.20), documents
  of another publisher (7.1.7 says the publisher SHOULD match) and signatures by keys the
  metadata does not list.
- File names (7.1.2, rule in section 5.1): each advisory is named after its ``tracking.id``
  (lower case, runs of characters other than ``+``, ``-``, ``a-z``, ``0-9`` replaced by ``_``),
  in a folder named after the year of its initial release (7.1.11).
- ``index.txt`` (7.1.12) and ``changes.csv`` (7.1.13): every listed file exists, every
  advisory is listed, paths are relative to the listing, ``changes.csv`` is sorted newest
  first and its dates agree with the documents.
- ROLIE feeds (7.1.15): every entry's file exists, every advisory is in a feed, and existing
  hash and signature files are linked from the entry.
- Hashes (7.1.18): ``.sha256``/``.sha512`` files verified. Signatures (7.1.19): ``.asc``
  verified with gpgv against the keys the user trusts; a signature without a trusted key is
  ``unverified``, never ``pass``. A missing hash or signature fails a ``csaf_trusted_provider``
  (7.2.3 requires 7.1.18-7.1.20) and is a warning for other roles.
- Every advisory is validated (schema and mandatory tests).

The root is resolved once, so a relative root gives the same findings as its absolute path.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from otvet.formats.csaf.schema import schema_issues
from otvet.formats.csaf.validate import validate_document
from otvet.formats.openpgp import SignatureStatus, keyring_from, verify
from otvet.model.csaf import CheckOutcome, CsafValidation, DistributionFinding, DistributionReport
from otvet.model.errors import InputError
from otvet.model.progress import NO_PROGRESS, Progress
from otvet.safeio import DEFAULT_LIMITS, Limits, load_json, read_text

_SIG = {
    SignatureStatus.VALID: CheckOutcome.PASS,
    SignatureStatus.BAD: CheckOutcome.FAIL,
    SignatureStatus.EXPIRED_OR_REVOKED: CheckOutcome.FAIL,
    SignatureStatus.ERROR: CheckOutcome.FAIL,
    SignatureStatus.NO_TRUSTED_KEY: CheckOutcome.UNVERIFIED,
}


def expected_filename(tracking_id: str) -> str:
    """CSAF 2.0 section 5.1: the file name a document with this tracking id must have."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


_TRUSTED_PROVIDER = "csaf_trusted_provider"


@dataclass
class _Provider:
    """What the provider metadata declares (empty when there is none in the copy)."""

    path: Path | None = None
    role: str | None = None
    publisher: dict[str, Any] = field(default_factory=dict)
    fingerprints: set[str] = field(default_factory=set)
    directory_urls: list[str] = field(default_factory=list)
    feed_urls: list[str] = field(default_factory=list)


class _Checker:
    def __init__(
        self, root: Path, keyring: bytes, limits: Limits, progress: Progress, validate: bool
    ) -> None:
        self.root = root
        self.keyring = keyring
        self.limits = limits
        self.progress = progress
        self.validate = validate
        self.provider = _Provider()
        self.findings: list[DistributionFinding] = []
        self.validations: list[CsafValidation] = []
        self.signers: dict[str, list[str]] = {}
        """Primary key fingerprint of each valid signature -> the signature files."""
        self.publishers: dict[tuple[str, str], list[str]] = {}
        """(namespace, name) of each document's publisher -> the documents."""

    @property
    def missing_outcome(self) -> CheckOutcome:
        """A missing hash or signature fails a trusted provider only (CSAF 2.0 section 7.2.3)."""
        return CheckOutcome.FAIL if self.provider.role == _TRUSTED_PROVIDER else CheckOutcome.WARNING

    def missing_reason(self) -> str:
        role = self.provider.role
        if role == _TRUSTED_PROVIDER:
            return "required of a csaf_trusted_provider"
        return (
            f"required only of a csaf_trusted_provider; role here: {role or 'unknown (no provider metadata)'}"
        )

    def add(self, check: str, outcome: CheckOutcome, path: str, message: str, ref: str = "") -> None:
        self.findings.append(DistributionFinding(check, outcome, path, message, ref))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def load(self, path: Path) -> Any:
        return load_json(path, display=self.rel(path), limits=self.limits)


def _digest_file(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hashes(c: _Checker, doc_path: Path) -> None:
    rel = c.rel(doc_path)
    found = False
    for algorithm in ("sha256", "sha512"):
        hash_file = doc_path.with_name(doc_path.name + f".{algorithm}")
        if not hash_file.is_file():
            continue
        found = True
        try:
            text = read_text(hash_file, display=c.rel(hash_file), limits=c.limits).strip()
        except InputError as exc:
            c.add("hash", CheckOutcome.FAIL, c.rel(hash_file), exc.message, "7.1.18")
            continue
        parts = text.split()
        expected = parts[0].lower() if parts else ""
        named = parts[1].lstrip("*") if len(parts) > 1 else doc_path.name
        if PurePosixPath(named).name != doc_path.name:
            c.add(
                "hash",
                CheckOutcome.FAIL,
                c.rel(hash_file),
                f"names {named!r}, not {doc_path.name!r}",
                "7.1.18",
            )
        elif _digest_file(doc_path, algorithm) != expected:
            c.add(
                "hash",
                CheckOutcome.FAIL,
                c.rel(hash_file),
                f"{algorithm.upper()} does not match {rel}",
                "7.1.18",
            )
        else:
            c.add(
                "hash",
                CheckOutcome.PASS,
                c.rel(hash_file),
                f"{algorithm.upper()} of {rel} verified",
                "7.1.18",
            )
    if not found:
        c.add("hash", c.missing_outcome, rel, f"no .sha256 or .sha512 file ({c.missing_reason()})", "7.1.18")


def _check_signature(c: _Checker, doc_path: Path) -> None:
    sig = doc_path.with_name(doc_path.name + ".asc")
    if not sig.is_file():
        c.add(
            "signature",
            c.missing_outcome,
            c.rel(doc_path),
            f"no .asc OpenPGP signature ({c.missing_reason()})",
            "7.1.19",
        )
        return
    check = verify(doc_path, sig, c.keyring)
    if check.status is SignatureStatus.VALID and check.fingerprint:
        c.signers.setdefault(check.fingerprint, []).append(c.rel(sig))
    message = (
        check.detail
        if check.status is not SignatureStatus.NO_TRUSTED_KEY or c.keyring
        else "signed, signature not verified: no trusted key given (--trusted-key)"
    )
    c.add("signature", _SIG[check.status], c.rel(sig), message, "7.1.19")


def _check_document(c: _Checker, doc_path: Path, doc: Any) -> dict[str, Any]:
    rel = c.rel(doc_path)
    document = doc.get("document") if isinstance(doc, dict) else {}
    document = document if isinstance(document, dict) else {}
    publisher = document.get("publisher")
    if isinstance(publisher, dict):
        c.publishers.setdefault(_publisher_key(publisher), []).append(rel)
    tracking = document.get("tracking")
    tracking = tracking if isinstance(tracking, dict) else {}
    tid = tracking.get("id")
    if isinstance(tid, str):
        wanted = expected_filename(tid)
        if doc_path.name != wanted:
            c.add(
                "filename",
                CheckOutcome.FAIL,
                rel,
                f"tracking id {tid!r} requires the file name {wanted!r} (section 5.1)",
                "7.1.2",
            )
    initial = tracking.get("initial_release_date")
    if isinstance(initial, str) and re.match(r"^\d{4}", initial) and doc_path.parent.name != initial[:4]:
        c.add(
            "filename",
            CheckOutcome.WARNING,
            rel,
            f"initially released in {initial[:4]}, but not in a folder named {initial[:4]}",
            "7.1.11",
        )
    if c.validate:
        c.validations.append(validate_document(doc, rel, optional=False))
    _check_hashes(c, doc_path)
    _check_signature(c, doc_path)
    return tracking


def _resolve_listed(
    c: _Checker, base: Path, entry: str, by_suffix: dict[str, Path]
) -> tuple[Path | None, bool]:
    """(file, relative-as-required) of a listed path; falls back to matching the path's tail."""
    direct = (base / entry).resolve()
    if direct.is_file() and direct.is_relative_to(c.root):
        return direct, True
    parts = PurePosixPath(entry).parts
    for start in range(1, len(parts)):
        tail = "/".join(parts[start:])
        if tail in by_suffix:
            return by_suffix[tail], False
    return None, False


def _check_listing(c: _Checker, listing: Path, docs: dict[Path, dict[str, Any]], csv: bool) -> None:
    name = "changes.csv" if csv else "index.txt"
    ref = "7.1.13" if csv else "7.1.12"
    rel_listing = c.rel(listing)
    try:
        lines = [
            ln.strip()
            for ln in read_text(listing, display=rel_listing, limits=c.limits).splitlines()
            if ln.strip()
        ]
    except InputError as exc:
        c.add(name, CheckOutcome.FAIL, rel_listing, exc.message, ref)
        return
    by_suffix: dict[str, Path] = {}
    for path in docs:
        parts = (
            path.relative_to(listing.parent).parts if path.is_relative_to(listing.parent) else path.parts[-2:]
        )
        for start in range(len(parts)):
            by_suffix.setdefault("/".join(parts[start:]), path)
    listed: set[Path] = set()
    missing = misplaced = bad_dates = 0
    first_misplaced = first_missing = ""
    stamps: list[float] = []
    for number, line in enumerate(lines, start=1):
        entry, _, stamp = line.partition(",") if csv else (line, "", "")
        entry = entry.strip().strip('"')
        found, relative = _resolve_listed(c, listing.parent, entry, by_suffix)
        if found is None:
            missing += 1
            first_missing = first_missing or entry
            continue
        listed.add(found)
        if not relative:
            misplaced += 1
            first_misplaced = first_misplaced or entry
        if csv:
            stamp = stamp.strip().strip('"')
            try:
                moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except ValueError:
                c.add(
                    name, CheckOutcome.FAIL, rel_listing, f"line {number}: {stamp!r} is not a date-time", ref
                )
                continue
            stamps.append(moment.timestamp())
            current = docs[found].get("current_release_date")
            if isinstance(current, str):
                try:
                    if datetime.fromisoformat(current.replace("Z", "+00:00")) != moment:
                        bad_dates += 1
                except ValueError:
                    bad_dates += 1
    total = len(lines)
    if misplaced:
        c.add(
            name,
            CheckOutcome.FAIL,
            rel_listing,
            f"{misplaced} of {total} entries are not relative to the folder of {name} (e.g. {first_misplaced!r}); matched by their tail",
            ref,
        )
    if missing:
        c.add(
            name,
            CheckOutcome.WARNING,
            rel_listing,
            f"{missing} of {total} listed files are not in this copy (e.g. {first_missing!r})",
            ref,
        )
    unlisted = [p for p in docs if p not in listed and p.is_relative_to(listing.parent)]
    if unlisted:
        c.add(
            name,
            CheckOutcome.FAIL,
            rel_listing,
            f"{len(unlisted)} advisories are not listed (e.g. {c.rel(unlisted[0])})",
            ref,
        )
    if csv and stamps and any(a < b for a, b in pairwise(stamps)):
        c.add(name, CheckOutcome.FAIL, rel_listing, "not sorted by date, newest first", ref)
    if bad_dates:
        c.add(
            name,
            CheckOutcome.WARNING,
            rel_listing,
            f"{bad_dates} dates differ from the documents' current_release_date",
            ref,
        )
    if not (misplaced or missing or unlisted or bad_dates):
        c.add(name, CheckOutcome.PASS, rel_listing, f"{total} entries, all present and consistent", ref)


def _publisher_key(publisher: dict[str, Any]) -> tuple[str, str]:
    return (str(publisher.get("namespace", "")).rstrip("/").lower(), str(publisher.get("name", "")))


def _read_provider(c: _Checker, path: Path) -> _Provider | None:
    """Validate one provider-metadata.json and read what it declares (None if unusable)."""
    rel = c.rel(path)
    try:
        meta = c.load(path)
    except InputError as exc:
        c.add("provider-metadata", CheckOutcome.FAIL, rel, exc.message, "7.1.7")
        return None
    issues = schema_issues(meta, "provider", "2.0")
    for issue in issues:
        c.add(
            "provider-metadata", CheckOutcome.FAIL, rel, f"{issue.pointer or '/'}: {issue.message}", "7.1.7"
        )
    if issues or not isinstance(meta, dict):
        return None
    keys = [k for k in meta.get("public_openpgp_keys") or [] if isinstance(k, dict)]
    dists = [d for d in meta.get("distributions") or [] if isinstance(d, dict)]
    provider = _Provider(
        path=path,
        role=str(meta["role"]),
        publisher=meta["publisher"],
        fingerprints={str(k["fingerprint"]).upper() for k in keys if k.get("fingerprint")},
        directory_urls=[str(d["directory_url"]) for d in dists if d.get("directory_url")],
        feed_urls=[
            str(f["url"])
            for d in dists
            if isinstance(d.get("rolie"), dict)
            for f in d["rolie"].get("feeds", [])
            if isinstance(f, dict) and f.get("url")
        ],
    )
    c.add(
        "provider-metadata",
        CheckOutcome.PASS,
        rel,
        f"valid; role {provider.role}, publisher {provider.publisher.get('name')} "
        f"({provider.publisher.get('namespace')}), {len(dists)} distribution(s) "
        f"({len(provider.directory_urls)} directory, {len(provider.feed_urls)} ROLIE feed(s)), "
        f"{len(keys)} public OpenPGP key(s)",
        "7.1.7",
    )
    if not keys:
        outcome = CheckOutcome.FAIL if provider.role == _TRUSTED_PROVIDER else CheckOutcome.WARNING
        c.add(
            "provider-metadata",
            outcome,
            rel,
            f"no public OpenPGP keys listed (role {provider.role})",
            "7.1.20",
        )
    if provider.role != "csaf_publisher" and not dists:
        # NOTE: CSAF 2.0 section 7.2.2: a provider distributes directory-based (7.1.11-7.1.14)
        # or through ROLIE (7.1.15-7.1.17); the metadata must say which.
        c.add(
            "provider-metadata",
            CheckOutcome.FAIL,
            rel,
            f"role {provider.role} but no distributions (neither directory_url nor ROLIE feeds)",
            "7.2.2",
        )
    return provider


def _local(c: _Checker, url: str, names: set[str]) -> Path | None:
    """The file of the copy a URL points to: the longest matching path tail."""
    parts = [p for p in PurePosixPath(urlsplit(url).path).parts if p != "/"]
    for start in range(len(parts)):
        candidate = c.root.joinpath(*parts[start:])
        if candidate.name in names and candidate.is_file():
            return candidate
    return None


def _check_declared(c: _Checker, files: list[Path], feeds: list[Path]) -> None:
    """Are the distributions the metadata declares in the copy, and do they agree with it?"""
    provider = c.provider
    if provider.path is None:
        return
    rel = c.rel(provider.path)
    feed_names = {p.name for p in feeds}
    for url in provider.feed_urls:
        if _local(c, url, feed_names) is None:
            c.add(
                "provider-metadata",
                CheckOutcome.WARNING,
                rel,
                f"declared ROLIE feed {url} is not in this copy",
                "7.1.15",
            )
    listing_names = {"index.txt", "changes.csv"}
    for url in provider.directory_urls:
        base = urlsplit(url).path.rstrip("/")
        if not any(_local(c, f"{base}/{name}", listing_names) for name in listing_names):
            c.add(
                "provider-metadata",
                CheckOutcome.WARNING,
                rel,
                f"declared directory distribution {url} has no index.txt or changes.csv in this copy",
                "7.1.12",
            )
    ours = _publisher_key(provider.publisher)
    others = {k: v for k, v in c.publishers.items() if k != ours}
    if others:
        count = sum(len(v) for v in others.values())
        (namespace, name), docs = next(iter(others.items()))
        c.add(
            "provider-metadata",
            CheckOutcome.WARNING,
            rel,
            f"{count} advisories name another publisher than the metadata "
            f"(e.g. {docs[0]}: {name!r}, {namespace}); CSAF 2.0 section 7.1.7: it SHOULD match",
            "7.1.7",
        )
    for fingerprint, signatures in sorted(c.signers.items()):
        if fingerprint not in provider.fingerprints:
            c.add(
                "provider-metadata",
                CheckOutcome.WARNING,
                rel,
                f"{len(signatures)} signature(s) (e.g. {signatures[0]}) are by key {fingerprint}, which "
                "public_openpgp_keys does not list",
                "7.1.20",
            )


def _check_rolie(c: _Checker, path: Path, feed: dict[str, Any], names: dict[str, Path]) -> set[Path]:
    """Check one feed; the advisories of the copy it lists."""
    raw_entries = feed.get("entry")
    entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
    rel = c.rel(path)
    missing = unlinked = 0
    first_unlinked = ""
    listed: set[Path] = set()
    for entry in entries:
        raw_links = entry.get("link") if isinstance(entry, dict) else None
        links: list[Any] = raw_links if isinstance(raw_links, list) else []
        hrefs = [ln.get("href") for ln in links if isinstance(ln, dict) and ln.get("rel") == "self"]
        content = entry.get("content") if isinstance(entry, dict) else None
        if isinstance(content, dict) and isinstance(content.get("src"), str):
            hrefs.append(content["src"])
        doc = next(
            (
                names[PurePosixPath(h).name]
                for h in hrefs
                if isinstance(h, str) and PurePosixPath(h).name in names
            ),
            None,
        )
        if doc is None:
            missing += 1
            continue
        listed.add(doc)
        # NOTE: CSAF 2.0 section 7.1.15: every existing hash (7.1.18) and signature (7.1.19)
        # file MUST be linked from the entry with rel "hash" / "signature".
        linked = {
            (str(ln.get("rel")), PurePosixPath(str(ln.get("href"))).name)
            for ln in links
            if isinstance(ln, dict)
        }
        for suffix, relation in ((".sha256", "hash"), (".sha512", "hash"), (".asc", "signature")):
            side = doc.with_name(doc.name + suffix)
            if side.is_file() and (relation, side.name) not in linked:
                unlinked += 1
                first_unlinked = first_unlinked or f"{c.rel(side)} (rel {relation})"
    outcome = CheckOutcome.PASS if not missing else CheckOutcome.WARNING
    c.add("rolie", outcome, rel, f"{len(entries)} entries, {missing} not in this copy", "7.1.15")
    if unlinked:
        c.add(
            "rolie",
            CheckOutcome.FAIL,
            rel,
            f"{unlinked} hash or signature file(s) are not linked from their entry (e.g. {first_unlinked})",
            "7.1.15",
        )
    return listed


def check_distribution(
    root: Path,
    *,
    trusted_keys: Sequence[Path] = (),
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = NO_PROGRESS,
    validate: bool = True,
) -> DistributionReport:
    """Check a local copy of a CSAF distribution; every finding names its file and requirement."""
    if not root.is_dir():
        raise InputError(f"not a directory: {root}")
    shown = str(root)
    # NOTE: resolved once: listed paths are resolved too, and a relative root would otherwise
    # make every listed advisory look unlisted.
    root = root.resolve()
    c = _Checker(root, keyring_from(list(trusted_keys)), limits, progress, validate)
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    # The metadata nearest the root decides the role (a saved site may hold mirrors deeper down).
    providers = sorted(
        (p for p in files if p.name == "provider-metadata.json"), key=lambda p: (len(p.parts), p)
    )
    for path in providers:
        provider = _read_provider(c, path)
        if provider is not None and c.provider.path is None:
            c.provider = provider
    if not providers:
        c.add(
            "provider-metadata", CheckOutcome.WARNING, ".", "no provider-metadata.json in this copy", "7.1.7"
        )
    docs: dict[Path, dict[str, Any]] = {}
    feeds: list[tuple[Path, dict[str, Any]]] = []
    candidates = [p for p in files if p.suffix == ".json" and p.name != "provider-metadata.json"]
    progress.start("Checking advisories", len(candidates))
    for path in candidates:
        progress.advance(1, path.name)
        try:
            doc = c.load(path)
        except InputError as exc:
            c.add("document", CheckOutcome.FAIL, c.rel(path), exc.message)
            continue
        if isinstance(doc, dict) and isinstance(doc.get("feed"), dict):
            feeds.append((path, doc["feed"]))
        elif isinstance(doc, dict) and isinstance(doc.get("document"), dict):
            docs[path] = _check_document(c, path, doc)
    progress.finish()
    names = {p.name: p for p in docs}
    in_feeds: set[Path] = set()
    for path, feed in feeds:
        in_feeds |= _check_rolie(c, path, feed, names)
    if feeds and (outside := [p for p in docs if p not in in_feeds]):
        # NOTE: CSAF 2.0 section 7.1.15: all documents of a TLP label are in that label's feed.
        c.add(
            "rolie",
            CheckOutcome.FAIL,
            c.rel(feeds[0][0]),
            f"{len(outside)} advisories are in no ROLIE feed (e.g. {c.rel(outside[0])})",
            "7.1.15",
        )
    _check_declared(c, files, [p for p, _ in feeds])
    listings = [p for p in files if p.name in ("index.txt", "changes.csv")]
    for listing in listings:
        _check_listing(c, listing, docs, csv=listing.name == "changes.csv")
    if not listings and not feeds:
        c.add("index.txt", CheckOutcome.FAIL, ".", "neither index.txt/changes.csv nor a ROLIE feed", "7.1.12")
    return DistributionReport(
        root=shown,
        role=c.provider.role,
        documents=len(docs),
        findings=tuple(c.findings),
        validations=tuple(c.validations),
    )
