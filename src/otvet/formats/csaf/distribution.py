"""Check a CSAF provider's distribution given as a local directory or a saved copy of its site.

What is checked (CSAF 2.0 section 7.1, requirement numbers in the findings):

- ``provider-metadata.json`` (7.1.7): present, valid against the provider schema; its role,
  distributions, publisher and public OpenPGP keys are reported.
- File names (7.1.5): each advisory is named after its ``tracking.id`` (lower case, runs of
  characters other than ``+``, ``-``, ``a-z``, ``0-9`` replaced by ``_``), in a folder named
  after the year of its initial release (7.1.11).
- ``index.txt`` (7.1.13) and ``changes.csv`` (7.1.14): every listed file exists, every
  advisory is listed, paths are relative to the listing, ``changes.csv`` is sorted newest
  first and its dates agree with the documents.
- ROLIE feeds (7.1.15): every entry's file exists.
- Hashes (7.1.18): ``.sha256``/``.sha512`` files verified; a missing hash is reported.
- Signatures (7.1.19): ``.asc`` verified with gpgv against the keys the user trusts; a
  signature without a trusted key is ``unverified``, never ``pass``.
- Every advisory is validated (schema and mandatory tests).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any

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


class _Checker:
    def __init__(
        self, root: Path, keyring: bytes, limits: Limits, progress: Progress, validate: bool
    ) -> None:
        self.root = root
        self.keyring = keyring
        self.limits = limits
        self.progress = progress
        self.validate = validate
        self.findings: list[DistributionFinding] = []
        self.validations: list[CsafValidation] = []

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
        c.add("hash", CheckOutcome.FAIL, rel, "no .sha256 or .sha512 file", "7.1.18")


def _check_signature(c: _Checker, doc_path: Path) -> None:
    sig = doc_path.with_name(doc_path.name + ".asc")
    if not sig.is_file():
        c.add("signature", CheckOutcome.FAIL, c.rel(doc_path), "no .asc OpenPGP signature", "7.1.19")
        return
    check = verify(doc_path, sig, c.keyring)
    message = (
        check.detail
        if check.status is not SignatureStatus.NO_TRUSTED_KEY or c.keyring
        else "signed, signature not verified: no trusted key given (--trusted-key)"
    )
    c.add("signature", _SIG[check.status], c.rel(sig), message, "7.1.19")


def _check_document(c: _Checker, doc_path: Path, doc: Any) -> dict[str, Any]:
    rel = c.rel(doc_path)
    document = doc.get("document") if isinstance(doc, dict) else {}
    tracking = document.get("tracking") if isinstance(document, dict) else {}
    tracking = tracking if isinstance(tracking, dict) else {}
    tid = tracking.get("id")
    if isinstance(tid, str):
        wanted = expected_filename(tid)
        if doc_path.name != wanted:
            c.add(
                "filename",
                CheckOutcome.FAIL,
                rel,
                f"tracking id {tid!r} requires the file name {wanted!r}",
                "7.1.5",
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
    if direct.is_file() and direct.is_relative_to(c.root.resolve()):
        return direct, True
    parts = PurePosixPath(entry).parts
    for start in range(1, len(parts)):
        tail = "/".join(parts[start:])
        if tail in by_suffix:
            return by_suffix[tail], False
    return None, False


def _check_listing(c: _Checker, listing: Path, docs: dict[Path, dict[str, Any]], csv: bool) -> None:
    name = "changes.csv" if csv else "index.txt"
    ref = "7.1.14" if csv else "7.1.13"
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
    stamps: list[float] = []
    for number, line in enumerate(lines, start=1):
        entry, _, stamp = line.partition(",") if csv else (line, "", "")
        entry = entry.strip().strip('"')
        found, relative = _resolve_listed(c, listing.parent, entry, by_suffix)
        if found is None:
            missing += 1
            continue
        listed.add(found)
        misplaced += not relative
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
            f"{misplaced} of {total} entries are not relative to the folder of {name} (e.g. {lines[0].split(',')[0]!r}); matched by their tail",
            ref,
        )
    if missing:
        c.add(
            name,
            CheckOutcome.WARNING,
            rel_listing,
            f"{missing} of {total} listed files are not in this copy",
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


def _check_provider(c: _Checker, path: Path) -> str | None:
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
    role = meta.get("role") if isinstance(meta, dict) else None
    if not issues and isinstance(meta, dict):
        keys = meta.get("public_openpgp_keys") or []
        dists = meta.get("distributions") or []
        publisher = (meta.get("publisher") or {}).get("name")
        c.add(
            "provider-metadata",
            CheckOutcome.PASS,
            rel,
            f"valid; role {role}, publisher {publisher}, {len(dists)} distribution(s), {len(keys)} public OpenPGP key(s)",
            "7.1.7",
        )
        if not keys:
            c.add("provider-metadata", CheckOutcome.WARNING, rel, "no public OpenPGP keys listed", "7.1.20")
    return str(role) if role else None


def _check_rolie(c: _Checker, path: Path, feed: dict[str, Any], names: dict[str, Path]) -> None:
    raw_entries = feed.get("entry")
    entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
    missing = 0
    for entry in entries:
        raw_links = entry.get("link") if isinstance(entry, dict) else None
        links: list[Any] = raw_links if isinstance(raw_links, list) else []
        hrefs = [ln.get("href") for ln in links if isinstance(ln, dict) and ln.get("rel") == "self"]
        content = entry.get("content") if isinstance(entry, dict) else None
        if isinstance(content, dict) and isinstance(content.get("src"), str):
            hrefs.append(content["src"])
        if not any(isinstance(h, str) and PurePosixPath(h).name in names for h in hrefs):
            missing += 1
    outcome = CheckOutcome.PASS if not missing else CheckOutcome.WARNING
    c.add("rolie", outcome, c.rel(path), f"{len(entries)} entries, {missing} not in this copy", "7.1.15")


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
    c = _Checker(root, keyring_from(list(trusted_keys)), limits, progress, validate)
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    role: str | None = None
    providers = [p for p in files if p.name == "provider-metadata.json"]
    for path in providers:
        role = _check_provider(c, path) or role
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
    for path, feed in feeds:
        _check_rolie(c, path, feed, names)
    listings = [p for p in files if p.name in ("index.txt", "changes.csv")]
    for listing in listings:
        _check_listing(c, listing, docs, csv=listing.name == "changes.csv")
    if not listings and not feeds:
        c.add("index.txt", CheckOutcome.FAIL, ".", "neither index.txt/changes.csv nor a ROLIE feed", "7.1.13")
    return DistributionReport(
        root=str(root),
        role=role,
        documents=len(docs),
        findings=tuple(c.findings),
        validations=tuple(c.validations),
    )
