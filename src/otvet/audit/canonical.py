"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for audit records.

A record is hashed as the exact bytes of its canonical form, so anyone can recompute a leaf
hash from the record's content with any JCS implementation, in any language.
"""

from __future__ import annotations

from typing import Any

import rfc8785

from otvet.model.errors import InputError


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises :class:`InputError` for values JSON cannot carry exactly (integers beyond 2**53,
    NaN, non-string keys), because a record that cannot be canonicalised cannot be verified.
    """
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InputError(f"audit event is not canonical JSON material: {exc}") from exc
