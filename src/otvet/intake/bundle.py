"""Evidence bundle intake: a directory or ``.zip`` becomes an :class:`EvidenceBundle`.

1. The input is materialised into a private workspace with every safety check of
   :mod:`otvet.safeio.archive` (nothing outside the bundle is read, nothing outside the
   workspace is written); every file is hashed on the way.
2. The optional manifest ``otvet-bundle.yaml`` names the product and may declare artifact kinds.
3. Every other file is recognised by content (:mod:`otvet.formats.sniff`). A declared kind
   wins, but a disagreement with the content is reported.
4. Without a manifest, the product identity comes from a questionnaire's product fields.
5. Extra evidence files given beside the bundle (``otvet assess --evidence/--probe``) join it
   under ``extra/``, with the same checks and hashing, and with origin ``buyer``; everything
   the bundle itself holds has origin ``bundle`` (the vendor's), whatever its path says: a
   vendor folder named ``extra/`` is still the vendor's (ADR 0070).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from otvet.formats.manifest import MANIFEST_NAMES, Manifest, parse_manifest
from otvet.formats.questionnaire import read_questionnaire
from otvet.formats.sniff import Detection, detect
from otvet.model import (
    UNKNOWN_PRODUCT,
    ArtifactKind,
    BundleError,
    Catalog,
    EvidenceArtifact,
    EvidenceBundle,
    FormatError,
    InputError,
    LimitExceeded,
    Location,
    Problem,
    ProductIdentity,
    Severity,
)
from otvet.model.provenance import Origin
from otvet.safeio import (
    DEFAULT_LIMITS,
    Limits,
    load_yaml,
    materialise_directory,
    materialise_file,
    materialise_zip,
)

_GENERIC = {ArtifactKind.UNKNOWN, ArtifactKind.DOCUMENT}


@contextlib.contextmanager
def open_bundle(
    source: Path, catalog: Catalog, *, limits: Limits = DEFAULT_LIMITS, extra: Sequence[Path] = ()
) -> Iterator[EvidenceBundle]:
    """Materialise and inventory a bundle; the workspace is removed when the block ends."""
    if not source.exists():
        raise BundleError("no such file or directory", Location(str(source)))
    with tempfile.TemporaryDirectory(prefix="otvet-bundle-") as workspace:
        root = Path(workspace) / "bundle"
        root.mkdir(mode=0o700)
        yield build_bundle(source, root, catalog, limits=limits, extra=extra)


def _is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def build_bundle(
    source: Path, root: Path, catalog: Catalog, *, limits: Limits = DEFAULT_LIMITS, extra: Sequence[Path] = ()
) -> EvidenceBundle:
    """Materialise ``source`` into the empty directory ``root`` and inventory it."""
    shown = str(source)
    if source.is_symlink():
        raise BundleError("the bundle itself is a symbolic link; give the real path", Location(shown))
    if source.is_dir():
        materialised = materialise_directory(source, root, display=shown, limits=limits)
    elif source.is_file() and _is_zip(source):
        materialised = materialise_zip(source, root, display=shown, limits=limits)
    elif source.is_file():
        raise BundleError("a bundle must be a directory or a zip archive", Location(shown))
    else:
        raise BundleError("not a regular file or directory", Location(shown))
    problems = list(materialised.problems)
    files = {f.path: f for f in materialised.files}
    in_bundle = set(files)
    taken = {p.casefold() for p in files}
    added: dict[str, str] = {}
    for index, extra_file in enumerate(extra, start=1):
        relative, attempt = f"extra/{extra_file.name}", 0
        while relative.casefold() in taken:  # never overwrite or shadow a bundle file
            attempt += 1
            relative = (
                f"extra/{index}-{extra_file.name}"
                if attempt == 1
                else f"extra/{index}-{attempt}-{extra_file.name}"
            )
        copied = materialise_file(extra_file, root, relative, limits=limits)
        files[copied.path] = copied
        taken.add(copied.path.casefold())
        added[copied.path] = f"added beside the bundle by the buyer ({extra_file.name})"

    manifest: Manifest | None = None
    manifest_path = next((n for n in MANIFEST_NAMES if n in files), None)
    if manifest_path:
        try:
            raw = load_yaml(root / manifest_path, display=manifest_path, limits=limits)
        except (FormatError, LimitExceeded) as exc:
            problems.append(
                Problem(
                    path=manifest_path,
                    where=exc.location.where if exc.location else None,
                    message=exc.message,
                )
            )
        else:
            manifest = parse_manifest(raw, manifest_path)
            problems.extend(manifest.problems)
    declared = {a.path: a for a in (manifest.artifacts if manifest else [])}
    for path in sorted(set(declared) - in_bundle):
        problems.append(
            Problem(
                path=path,
                message="the manifest lists this artifact but the bundle does not contain it (or it was refused)",
            )
        )

    artifacts: list[EvidenceArtifact] = []
    for path in sorted(files):
        entry = files[path]
        if path == manifest_path:
            artifacts.append(
                EvidenceArtifact(
                    path, ArtifactKind.MANIFEST, entry.size, entry.sha256, "otvet bundle manifest", "content"
                )
            )
            continue
        try:
            found = detect(root.joinpath(*path.split("/")), path, limits=limits)
        except OSError as exc:
            problems.append(Problem(path=path, message=f"cannot read: {exc.strerror or exc}"))
            found = Detection(ArtifactKind.UNKNOWN)
        if found.problem is not None:
            # Content recognised by its head is lost to its analyzer: an error. Unrecognised broken
            # JSON may be nothing that matters: a warning, still listed.
            severity = Severity.WARNING if found.kind is ArtifactKind.UNKNOWN else Severity.ERROR
            problems.append(Problem(path=path, where=found.where, message=found.problem, severity=severity))
        claim = declared.get(path)
        if path in added:
            # The buyer's own file: the vendor's manifest has no say over it.
            artifacts.append(
                EvidenceArtifact(
                    path,
                    found.kind,
                    entry.size,
                    entry.sha256,
                    found.format,
                    "content",
                    origin=Origin.BUYER,
                    origin_note=added[path],
                )
            )
            continue
        if claim is None:
            artifacts.append(
                EvidenceArtifact(path, found.kind, entry.size, entry.sha256, found.format, "content")
            )
            continue
        if claim.kind != found.kind and found.kind not in _GENERIC:
            problems.append(
                Problem(
                    path=path,
                    severity=Severity.WARNING,
                    message=f"declared as {claim.kind.value} in the manifest, but the content looks like {found.kind.value}"
                    + (f" ({found.format})" if found.format else ""),
                )
            )
        detected_by = "manifest+content" if claim.kind == found.kind else "manifest"
        artifacts.append(
            EvidenceArtifact(
                path,
                claim.kind,
                entry.size,
                entry.sha256,
                found.format if claim.kind == found.kind else None,
                detected_by,
                claim.description,
            )
        )

    product = manifest.product if manifest and manifest.product else None
    if product is None:
        product = _product_from_questionnaire(root, artifacts, catalog, limits) or UNKNOWN_PRODUCT
        problems.append(
            Problem(
                path=shown,
                severity=Severity.WARNING,
                message="no manifest product section; product identity "
                + ("taken from the questionnaire" if product is not UNKNOWN_PRODUCT else "unknown"),
            )
        )
    return EvidenceBundle(
        root=root,
        source=shown,
        product=product,
        artifacts=tuple(artifacts),
        problems=tuple(problems),
        manifest_path=manifest_path,
    )


def _product_from_questionnaire(
    root: Path, artifacts: list[EvidenceArtifact], catalog: Catalog, limits: Limits
) -> ProductIdentity | None:
    for artifact in artifacts:
        if artifact.kind is not ArtifactKind.QUESTIONNAIRE:
            continue
        try:
            response = read_questionnaire(
                root.joinpath(*artifact.path.split("/")),
                catalog,
                display=artifact.path,
                limits=limits,
                lenient=True,
            )
        except InputError:
            continue  # the questionnaire analyzer reports the problems
        if response.vendor or response.product:
            return ProductIdentity(
                vendor=response.vendor or "unknown vendor",
                product=response.product or "unknown product",
                version=response.version or "",
            )
    return None
