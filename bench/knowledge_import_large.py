"""Benchmark: import the generated 500,000-record OSV corpus (zip) into SQLite (or --db URL).

Run ``bench/knowledge_generate_corpus.py`` first. Usage:
``.venv/bin/python bench/knowledge_import_large.py [--db URL]``. Prints time, records/s and
peak memory; then re-imports the same zip to show idempotency. Target: < 5 min, < 2 GiB.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_common import WORK, machine, peak_rss_mib, timed

from otvet.knowledge import KnowledgeBase


def main() -> None:
    url = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else f"sqlite:///{WORK}/kb-500k.sqlite3"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    print(machine())
    knowledge = KnowledgeBase.open(url)
    try:
        with timed() as t:
            report = knowledge.import_data("osv", Path(WORK) / "osv-500k.zip", now=datetime.now(UTC))
        print(
            f"import: {report.records} records ({report.added} added, {report.problem_count} problems) in "
            f"{t.seconds:.0f} s, CPU {t.cpu_seconds:.0f} s ({report.records / t.seconds:.0f} records/s); peak RSS {peak_rss_mib():.0f} MiB"
        )
        with timed() as t:
            again = knowledge.import_data("osv", Path(WORK) / "osv-500k.zip", now=datetime.now(UTC))
        print(f"re-import of the same zip: {t.seconds:.1f} s, already imported: {again.already_imported}")
        print(knowledge.counts())
    finally:
        knowledge.close()


if __name__ == "__main__":
    main()
