"""CSAF services for the shells: validate documents, check a distribution, match advisories."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from otvet.formats.csaf.distribution import check_distribution as _check_distribution
from otvet.formats.csaf.product_tree import resolve_products
from otvet.formats.csaf.resolver import resolve
from otvet.formats.csaf.validate import read_csaf, validate_file
from otvet.model.csaf import CsafValidation, DistributionReport, ProductMatch
from otvet.model.errors import InputError
from otvet.model.evidence import ProductIdentity
from otvet.model.progress import NO_PROGRESS, Progress


def csaf_files(target: Path) -> list[Path]:
    """The JSON files of a file or directory argument (sorted, links not followed)."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise InputError(f"no such file or directory: {target}")
    return sorted(p for p in target.rglob("*.json") if p.is_file() and not p.is_symlink())


def validate_paths(
    targets: Sequence[Path], *, optional: bool = True, progress: Progress = NO_PROGRESS
) -> list[CsafValidation]:
    """Validate every CSAF document under the targets."""
    files = [f for t in targets for f in csaf_files(t)]
    progress.start("Validating CSAF documents", len(files))
    results = []
    for path in files:
        results.append(validate_file(path, display=str(path), optional=optional))
        progress.advance(1, path.name)
    progress.finish()
    return results


def check_distribution(
    root: Path, *, trusted_keys: Sequence[Path] = (), progress: Progress = NO_PROGRESS
) -> DistributionReport:
    """Check a local copy of a CSAF distribution."""
    return _check_distribution(root, trusted_keys=trusted_keys, progress=progress)


def match_advisories(
    targets: Sequence[Path],
    identity: ProductIdentity,
    *,
    progress: Progress = NO_PROGRESS,
    unreadable: list[tuple[Path, str]] | None = None,
) -> list[tuple[Path, list[ProductMatch]]]:
    """Advisory products of the same vendor and product, with a verdict for this version.

    Files that are not readable CSAF are appended to ``unreadable`` with the reason (never
    skipped silently: an unread advisory could have named the product).
    """
    files = [f for t in targets for f in csaf_files(t)]
    progress.start("Matching advisories", len(files))
    found = []
    for path in files:
        progress.advance(1, path.name)
        try:
            doc = read_csaf(path)
        except InputError as exc:
            if unreadable is not None:
                where = exc.location.where if exc.location else None
                unreadable.append((path, f"{where}: {exc.message}" if where else exc.message))
            continue
        matches = resolve(resolve_products(doc), identity)
        if matches:
            found.append((path, matches))
    progress.finish()
    return found
