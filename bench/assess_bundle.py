"""Benchmark: bundle intake and a full assessment.

1. ``otvet.core.assess`` of both example bundles under the strict profile (every analyzer).
2. Intake of a generated bundle: 10,000 small files plus one 256 MiB file, as a directory and as
   a zip (materialisation, hashing, recognition), with peak memory.

Usage: ``.venv/bin/python -m bench.assess_bundle [--files 10000] [--big-mib 256]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from otvet.catalog import load_catalog
from otvet.core import assess
from otvet.intake import open_bundle

REPO = Path(__file__).resolve().parent.parent


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_examples(runs: int) -> None:
    now = datetime(2026, 11, 21, tzinfo=UTC)
    for name in ("northwind-rtu", "kestrel-plc"):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = assess(REPO / "examples" / name, profile="strict", now=now)
            times.append(time.perf_counter() - start)
        print(
            f"assess {name} (strict, {len(result.artifacts)} artifacts, {len(result.provenance.analyzers)} analyzers): "
            f"median {statistics.median(times):.2f} s, best {min(times):.2f} s over {runs} runs"
        )


def _generate(root: Path, files: int, big_mib: int) -> None:
    for index in range(files):
        folder = root / f"docs/{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note-{index:05d}.md").write_text(
            f"# Note {index}\n\nEvidence text {index}.\n", encoding="utf-8"
        )
    with (root / "firmware.bin").open("wb") as handle:
        for _ in range(big_mib):
            handle.write(os.urandom(1024 * 1024))


def bench_intake(files: int, big_mib: int) -> None:
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bundle"
        source.mkdir()
        _generate(source, files, big_mib)
        start = time.perf_counter()
        with open_bundle(source, catalog) as bundle:
            count = len(bundle.artifacts)
        elapsed = time.perf_counter() - start
        print(
            f"intake directory: {count} files, {big_mib} MiB + small files: {elapsed:.1f} s, peak RSS {_peak_mib():.0f} MiB"
        )
        archive = Path(tmp) / "bundle.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    out.write(path, path.relative_to(source).as_posix())
        start = time.perf_counter()
        with open_bundle(archive, catalog) as bundle:
            count = len(bundle.artifacts)
        elapsed = time.perf_counter() - start
        print(f"intake zip: {count} entries: {elapsed:.1f} s, peak RSS {_peak_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bench_examples(args.runs)
    bench_intake(args.files, args.big_mib)


if __name__ == "__main__":
    main()
