"""Import and matching open no network connection at all (not even to loopback).

The global guard (tests/guards.py) already fails any non-loopback connection; this test
records every socket connect and name lookup during a full import-and-match run on SQLite and
asserts there were none, so the knowledge base is proven to work offline.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from otvet.formats.sbom import read_sbom
from otvet.formats.vex import read_vex
from otvet.knowledge import KnowledgeBase
from tests.knowledge.conftest import NOW

pytestmark = pytest.mark.corpus


def test_import_and_match_open_no_socket(
    monkeypatch: pytest.MonkeyPatch, corpus: Path, examples: Path, tmp_path: Path, asset: Any
) -> None:
    attempts: list[str] = []
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        attempts.append(f"connect {address!r}")
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        attempts.append(f"connect_ex {address!r}")
        return original_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(f"getaddrinfo {host!r}")
        return original_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    knowledge = KnowledgeBase.open(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        for source, path in (
            ("nvd", corpus / "nvd"),
            ("kev", corpus / "kev" / "known_exploited_vulnerabilities.json"),
            ("epss", asset("epss/epss_scores-2026-06-30.csv.gz")),
            ("osv", corpus / "osv" / "go"),
        ):
            assert knowledge.import_data(source, path, now=NOW).records > 0
        document = read_sbom(examples / "northwind-rtu" / "sbom" / "nw-rtu-500-3.2.1.cdx.json")
        vex = read_vex(corpus / "vex" / "grype-testdata" / "openvex-demo1.json")
        report = knowledge.match(document, vex.statements, now=NOW)
    finally:
        knowledge.close()
    assert report.matches, "the run must have done real work"
    assert attempts == []
