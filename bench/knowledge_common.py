"""Shared helpers of the knowledge base benchmarks: timing and peak memory."""

from __future__ import annotations

import os
import platform
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CORPUS = os.environ.get(
    "OTVET_CORPUS", str(Path(__file__).resolve().parent.parent.parent / "shared" / "data")
)
WORK = os.environ.get("OTVET_BENCH_DIR", str(Path(tempfile.gettempdir()) / "otvet-bench"))


@dataclass
class Timing:
    """Wall-clock seconds of a block."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """CPU time of this process (user + system): the wall time minus waiting for a shared CPU."""


@contextmanager
def timed() -> Iterator[Timing]:
    """Measure the wall-clock time of a block."""
    timing = Timing()
    start = time.perf_counter()
    cpu = time.process_time()
    try:
        yield timing
    finally:
        timing.seconds = time.perf_counter() - start
        timing.cpu_seconds = time.process_time() - cpu


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """A one-line description of the machine and its load (other jobs share the CPUs)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPU {platform.machine()}, Python {platform.python_version()}, {platform.platform()}, load {load}"
