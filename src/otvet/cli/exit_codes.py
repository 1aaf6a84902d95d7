"""Exit codes of the ``otvet`` command (documented in README.md and docs/cli.md)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes."""

    OK = 0
    """Success: the command did its job and found nothing that fails the run."""
    FINDINGS = 1
    """The command completed but found what it was asked to fail on: blockers in an
    assessment, a failed verification, a failed probe check."""
    INPUT_ERROR = 2
    """Bad arguments or unusable input (unreadable bundle, invalid profile, malformed file)."""
    INTERNAL_ERROR = 70
    """A bug in otvet (EX_SOFTWARE). Please report it."""
