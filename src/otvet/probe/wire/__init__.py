"""Wire formats the probe speaks, written out by hand and parsed with hard bounds.

A device under test is untrusted input like any vendor file: every parser here takes bytes,
checks every length against what it has, and raises :class:`WireError` (never anything
else) on malformed input. Builders produce exactly the requests documented in
``docs/probe.md``.
"""

from otvet.probe.wire.errors import WireError

__all__ = ["WireError"]
