"""Benchmark: the CISA ICS advisories (CSAF 2.0) through validation, distribution checks and the
version-range reader. Usage: ``python bench/csaf_corpus.py [CORPUS]`` (default ../shared/data)."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from otvet.formats.csaf.distribution import check_distribution
from otvet.formats.csaf.validate import validate_file
from otvet.formats.csaf.versions import read_range
from otvet.model.csaf import MatchConfidence


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
    cisa = root / "csaf" / "cisa-ot"
    files = sorted(cisa.glob("*/*.json"))
    start = time.perf_counter()
    invalid = sum(1 for f in files if not validate_file(f).valid)
    validate_s = time.perf_counter() - start
    print(
        f"validate (schema + mandatory + optional): {len(files)} files, {invalid} invalid, {validate_s:.1f} s"
    )
    start = time.perf_counter()
    report = check_distribution(cisa)
    print(
        f"check-distribution (validation, sha512, signatures, listings): {time.perf_counter() - start:.1f} s, {report.documents} documents"
    )
    ranges: set[str] = set()
    for f in files:
        stack = list(json.loads(f.read_text(encoding="utf-8")).get("product_tree", {}).get("branches", []))
        while stack:
            b = stack.pop()
            if b.get("category") == "product_version_range":
                ranges.add(b["name"])
            stack.extend(b.get("branches", []))
    start = time.perf_counter()
    counts = Counter(read_range(r).confidence for r in ranges)
    print(f"read {len(ranges)} distinct ranges in {time.perf_counter() - start:.2f} s")
    for c in MatchConfidence:
        print(f"  {c.value:13} {counts[c]:5} {counts[c] / len(ranges):6.1%}")


if __name__ == "__main__":
    main()
