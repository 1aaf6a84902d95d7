"""Benchmark: match the generated 50,000-component SBOM against the 500,000-record store.

Run ``knowledge_generate_corpus.py`` and ``knowledge_import_large.py`` first. Usage:
``.venv/bin/python bench/knowledge_match_large.py [--db URL] [--sbom FILE]``. Target: < 10 s.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_common import WORK, machine, peak_rss_mib, timed

from otvet.formats.sbom import read_sbom
from otvet.knowledge import KnowledgeBase


def main() -> None:
    url = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else f"sqlite:///{WORK}/kb-500k.sqlite3"
    print(machine())
    with timed() as t:
        sbom = (
            sys.argv[sys.argv.index("--sbom") + 1]
            if "--sbom" in sys.argv
            else str(Path(WORK) / "sbom-50k.cdx.json")
        )
        document = read_sbom(Path(sbom))
    print(f"read SBOM: {len(document.components)} components in {t.seconds:.1f} s")
    knowledge = KnowledgeBase.open(url)
    try:
        with timed() as t:
            report = knowledge.match(document, now=datetime.now(UTC))
        bases = Counter(e.basis.value for m in report.matches for e in m.evidence)
        print(
            f"match: {report.components} components, {len(report.matches)} findings, "
            f"{len(report.unmatchable)} unmatchable in {t.seconds:.1f} s (CPU {t.cpu_seconds:.1f} s); peak RSS {peak_rss_mib():.0f} MiB"
        )
        print(f"evidence by basis: {dict(bases)}")
    finally:
        knowledge.close()


if __name__ == "__main__":
    main()
