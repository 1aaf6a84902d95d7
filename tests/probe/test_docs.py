"""docs/probe.md is generated from the check registry and must stay current."""

from __future__ import annotations

import ast
from pathlib import Path

from otvet.probe.docs import BEGIN, END, render
from otvet.probe.registry import CHECKS

REPO = Path(__file__).resolve().parents[2]
PROBE = REPO / "src" / "otvet" / "probe"


def test_the_operator_reference_is_current() -> None:
    page = (REPO / "docs" / "probe.md").read_text(encoding="utf-8")
    assert render(page) == page, "docs/probe.md is out of date: run .venv/bin/python scripts/probe_docs.py"
    generated = page[page.index(BEGIN) : page.index(END)]
    for cls in CHECKS:
        assert f"`{cls.id}`" in generated


def test_only_the_guarded_loop_touches_sockets() -> None:
    """The probe's network I/O is in one module; checks reach the network only through it."""
    offenders = []
    banned = {
        "socket",
        "http.client",
        "urllib.request",
        "ftplib",
        "telnetlib",
        "smtplib",
        "requests",
        "httpx",
        "aiohttp",
    }
    for path in sorted(PROBE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name in banned and path.name != "net.py":
                    offenders.append(f"{path.relative_to(PROBE)}: {name}")
    assert offenders == []
