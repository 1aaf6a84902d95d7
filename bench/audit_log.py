"""Benchmark the audit log: append throughput, checkpoint, full verification and proofs at N events.

    .venv/bin/python bench/audit_log.py [--events 100000] [--url postgresql+psycopg://...]

Uses a throwaway OTVET_HOME (and SQLite file) unless --url is given. Results go to
docs/PERFORMANCE.md with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from otvet.audit import AuditLog, verify_consistency, verify_inclusion
from otvet.model.audit import AuditEvent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--url", default=None, help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="otvet-bench-")
    os.environ["OTVET_HOME"] = home  # read when the log opens: a throwaway key and database
    log = AuditLog.open(args.url)
    event = AuditEvent(
        action="update.approve",
        actor="bench",
        description="an approval of the kind operators record every day",
        account="plc-admin",
        source_address="192.0.2.10",
        source_port=50000,
        correlation_id="UPD-20261121-ABCDEF",
        details={"package_sha256": "ab" * 32, "report_sha256": "cd" * 32},
    )
    start = time.perf_counter()
    for _ in range(args.events):
        log.append(event)
    append_s = time.perf_counter() - start
    print(f"append: {args.events} events in {append_s:.1f} s = {args.events / append_s:,.0f} events/s")

    start = time.perf_counter()
    checkpoint = log.checkpoint()
    print(f"checkpoint (read leaves, build tree, sign): {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    result = log.verify([checkpoint.note])
    print(
        f"full verification (recompute and re-canonicalise every record): {time.perf_counter() - start:.2f} s ok={result.ok}"
    )

    start = time.perf_counter()
    tree = log.tree()
    build_s = time.perf_counter() - start
    print(f"load leaves and build tree levels: {build_s:.2f} s")
    size = tree.size
    root = tree.root()
    timings = []
    longest = 0
    for index in range(0, size, max(1, size // 200)):
        t0 = time.perf_counter()
        proof = tree.inclusion_proof(index, size)
        verify_inclusion(index, size, tree.levels[0][index], proof, root)
        timings.append(time.perf_counter() - t0)
        longest = max(longest, len(proof))
    print(
        f"inclusion proof + verification: median {statistics.median(timings) * 1e6:.0f} us "
        f"({len(timings)} proofs, up to {longest} hashes)"
    )
    timings = []
    for old in range(1, size, max(1, size // 200)):
        t0 = time.perf_counter()
        proof = tree.consistency_proof(old, size)
        verify_consistency(old, size, proof, tree.root(old), root)
        timings.append(time.perf_counter() - t0)
    print(
        f"consistency proof + verification: median {statistics.median(timings) * 1e6:.0f} us ({len(timings)} proofs)"
    )
    log.close()


if __name__ == "__main__":
    main()
