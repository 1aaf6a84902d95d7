"""The PDF report: the HTML report printed by headless Chromium (a local process, no network).

The HTML report's ``@media print`` rules make the layout (A4, repeated table headers, rows kept
whole, colours kept for status cells). Chromium is found as ``OTVET_CHROMIUM``, ``chromium``
or ``chromium-browser`` on the PATH (Debian's package; ``make system-deps`` installs it). When
it is missing or fails, :class:`ReportUnavailable` says why and the other formats are still
written.

Chromium runs without a shell, with a time limit, a private temporary profile directory, the
background services that would phone home switched off, and every host name unresolvable, on
a page that loads nothing but itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from otvet.model import Assessment, Catalog
from otvet.reports.html_report import render_html
from otvet.reports.interface import ReportUnavailable

TIMEOUT_SECONDS = 120
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-crash-reporter",
    "--disable-quic",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


class PdfReporter:
    """Writes the assessment report as PDF."""

    format: ClassVar[str] = "pdf"
    extension: ClassVar[str] = ".pdf"

    def render(self, assessment: Assessment, catalog: Catalog) -> bytes:
        return print_to_pdf(render_html(assessment, catalog))


def find_chromium() -> str | None:
    """The Chromium executable to print with, or None."""
    configured = os.environ.get("OTVET_CHROMIUM", "").strip()
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Print a self-contained HTML page to PDF with headless Chromium."""
    executable = find_chromium()
    if executable is None:
        raise ReportUnavailable(
            "PDF needs Chromium, which was not found (install Debian's 'chromium' package, e.g. with "
            "'make system-deps', or set OTVET_CHROMIUM); the other formats were written"
        )
    with tempfile.TemporaryDirectory(prefix="otvet-pdf-") as tmp:
        root = Path(tmp)
        page = root / "report.html"
        page.write_text(html, encoding="utf-8")
        target = root / "report.pdf"
        args = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={root / 'profile'}",
            f"--print-to-pdf={target}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # NOTE: Chromium refuses to start its sandbox as root (containers, CI); only then do
            # we drop it, for a local page of our own making that loads nothing.
            args.append("--no-sandbox")
        args.append(page.as_uri())
        env = {**os.environ, "HOME": str(root)}
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, check=False, env=env)
        except subprocess.TimeoutExpired:
            raise ReportUnavailable(f"Chromium did not print the PDF within {timeout:.0f} s") from None
        except OSError as exc:
            raise ReportUnavailable(f"Chromium could not be started ({executable}): {exc}") from exc
        data = target.read_bytes() if target.is_file() else b""
        if done.returncode != 0 or not data.startswith(b"%PDF-"):
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ReportUnavailable(
                f"Chromium failed to print the PDF (exit code {done.returncode}): {' | '.join(tail) or 'no output'}"
            )
        return data
