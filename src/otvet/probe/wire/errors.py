"""The one error of the wire parsers."""

from __future__ import annotations

from otvet.model.probe import ProbeError


class WireError(ProbeError):
    """A device sent bytes that do not parse as the protocol it was asked to speak."""
