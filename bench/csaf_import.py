"""Benchmark: import the 2,035 CISA ICS advisories (CSAF 2.0) into the knowledge base, on SQLite
and on PostgreSQL, then look up advisories for a few real products.

Usage: ``.venv/bin/python bench/csaf_import.py [--postgres URL]`` (default PostgreSQL:
``OTVET_TEST_POSTGRES`` or the local server, a temporary database is created and dropped;
``--no-postgres`` skips it). Each store is measured in a fresh process so peak memory is its own.
Prints documents, seconds (wall and CPU), documents/s and peak memory per store, the re-import
time, and the lookup time per product.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knowledge_common import CORPUS, machine, peak_rss_mib, timed
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from otvet.knowledge import KnowledgeBase
from otvet.model import ProductIdentity

LOOKUPS = (
    ("Siemens", "SCALANCE X-200 switch family", "V5.2.0"),
    ("Rockwell Automation", "ControlLogix 5580 controllers", "32.011"),
    ("Moxa", "MXview", "2.8"),
    ("Schneider Electric", "Modicon M340", "3.20"),
)


def run(url: str) -> None:
    """Import and look up in this process (called in a child process per store)."""
    source = Path(CORPUS) / "csaf" / "cisa-ot"
    knowledge = KnowledgeBase.open(url)
    try:
        with timed() as t:
            report = knowledge.import_data("csaf", source, now=datetime.now(UTC))
        counts = knowledge.counts()
        print(
            f"  import: {report.records} documents in {t.seconds:.1f} s (CPU {t.cpu_seconds:.1f} s, "
            f"{report.records / t.seconds:.0f}/s), {report.problem_count} problems, peak RSS {peak_rss_mib():.0f} MiB; "
            f"{counts['advisory products']} products, {counts['advisory vulnerabilities']} vulnerabilities"
        )
        with timed() as t:
            again = knowledge.import_data("csaf", source, now=datetime.now(UTC))
        print(
            f"  re-import of the same directory: {t.seconds:.1f} s (already imported: {again.already_imported})"
        )
        for vendor, product, version in LOOKUPS:
            with timed() as t:
                found = knowledge.advisories(ProductIdentity(vendor, product, version), now=datetime.now(UTC))
            affected = sum(1 for f in found.findings if f.affected)
            print(
                f"  lookup {vendor} {product} {version}: {found.advisories_examined} advisories examined, "
                f"{len(found.findings)} statements ({affected} affected) in {t.seconds * 1000:.0f} ms"
            )
    finally:
        knowledge.close()


def _postgres(admin_url: str) -> tuple[str, str]:
    name = f"otvet_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "OTVET_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.child)
        return
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite (file in /tmp):")
        subprocess.run([sys.executable, __file__, "--child", f"sqlite:///{folder}/kb.sqlite3"], check=True)
    if not args.no_postgres:
        name, url = _postgres(args.postgres)
        try:
            print("PostgreSQL (loopback):")
            subprocess.run([sys.executable, __file__, "--child", url], check=True)
        finally:
            _drop(args.postgres, name)


if __name__ == "__main__":
    main()
