#!/usr/bin/env python3
"""Regenerate the check table in docs/probe.md from the probe's check registry.

Usage: .venv/bin/python scripts/probe_docs.py [--check]
With --check, exit 1 when the page is out of date instead of rewriting it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from otvet.probe.docs import render

PAGE = Path(__file__).resolve().parent.parent / "docs" / "probe.md"


def main(argv: list[str]) -> int:
    current = PAGE.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print(f"{PAGE} is out of date: run scripts/probe_docs.py")
            return 1
        return 0
    PAGE.write_text(fresh, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
