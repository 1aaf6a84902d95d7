"""Benchmark: import the two OSV fixture sets of the corpus (PyPA YAML, Go JSON) into SQLite.

Usage: ``.venv/bin/python bench/knowledge_import_fixtures.py`` (OTVET_CORPUS to override the
corpus path). Prints records, seconds, records/s and peak memory per set.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_common import CORPUS, machine, peak_rss_mib, timed

from otvet.knowledge import KnowledgeBase


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        knowledge = KnowledgeBase.open(f"sqlite:///{folder}/kb.sqlite3")
        try:
            for name in ("pypa", "go"):
                with timed() as t:
                    report = knowledge.import_data("osv", Path(CORPUS) / "osv" / name, now=datetime.now(UTC))
                print(
                    f"osv/{name}: {report.records} records in {t.seconds:.1f} s "
                    f"({report.records / t.seconds:.0f}/s), peak RSS {peak_rss_mib():.0f} MiB"
                )
            with timed() as t:
                report = knowledge.import_data("osv", Path(CORPUS) / "osv" / "go", now=datetime.now(UTC))
            print(
                f"osv/go again (same input, nothing changes): {t.seconds:.1f} s, already imported: {report.already_imported}"
            )
        finally:
            knowledge.close()


if __name__ == "__main__":
    main()
