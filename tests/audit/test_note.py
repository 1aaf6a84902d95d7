"""C2SP signed notes and checkpoints: the Go reference vector byte for byte, and strict parsing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from otvet.audit.note import (
    CheckpointBody,
    NoteSigner,
    NoteVerifier,
    open_note,
    parse_checkpoint,
)
from otvet.model import VerificationError


@pytest.fixture(scope="module")
def vector(asset: Callable[[str], Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(asset("audit/signed-note-vectors.json").read_text(encoding="utf-8"))
    return data


def test_reference_note_is_reproduced_byte_for_byte(vector: dict[str, Any]) -> None:
    signer = NoteSigner.parse(vector["signer_key"])
    assert str(signer.verifier) == vector["verifier_key"]
    assert signer.sign(vector["text"]) == vector["note"]
    opened = open_note(vector["note"], [NoteVerifier.parse(vector["verifier_key"])])
    assert opened.text == vector["text"]
    assert opened.unverified_signatures == 0


def test_altered_text_or_signature_fails(vector: dict[str, Any]) -> None:
    verifier = NoteVerifier.parse(vector["verifier_key"])
    with pytest.raises(VerificationError, match="invalid signature"):
        open_note(vector["note"].replace("cryptography", "cryptographY"), [verifier])
    line = vector["note"].splitlines()[-1]
    blob = bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))
    blob[10] ^= 1
    forged = vector["note"].replace(line.rsplit(" ", 1)[1], base64.b64encode(bytes(blob)).decode())
    with pytest.raises(VerificationError):
        open_note(forged, [verifier])


def test_unknown_keys_and_malformed_notes_are_refused(vector: dict[str, Any]) -> None:
    other = NoteSigner("PeterNeumann", Ed25519PrivateKey.generate()).verifier
    with pytest.raises(VerificationError, match="no signature by a trusted key"):
        open_note(vector["note"], [other])
    verifier = NoteVerifier.parse(vector["verifier_key"])
    for bad in (
        vector["text"],  # no signature block
        vector["note"].replace("\u2014 ", "-- "),  # not an em dash
        vector["note"].rstrip("\n"),  # must end in a newline
        vector["note"].replace("x08go", "x08g!"),  # not base64
        "text\x01with control\n\n" + vector["note"].split("\n\n", 1)[1],
    ):
        with pytest.raises(VerificationError):
            open_note(bad, [verifier])


def test_verifier_key_manglings_are_refused(vector: dict[str, Any]) -> None:
    key = vector["verifier_key"]
    for bad in (
        key[:-1],
        key.replace("c74f20a3", "c74f20a4"),
        "Peter Neumann+c74f20a3+" + key.split("+", 2)[2],
        key + "+x",
    ):
        with pytest.raises(VerificationError):
            NoteVerifier.parse(bad)


def test_checkpoint_round_trip_and_strictness() -> None:
    signer = NoteSigner("otvet/audit/test", Ed25519PrivateKey.generate())
    body = CheckpointBody(
        origin="otvet/audit/test", size=42, root_hash=bytes(range(32)), extensions=("x: y",)
    )
    note = signer.sign(body.text())
    parsed = parse_checkpoint(open_note(note, [signer.verifier]).text)
    assert parsed == body
    for text in (
        "origin\n042\n" + base64.b64encode(bytes(32)).decode() + "\n",  # leading zero
        "origin\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",  # short hash
        "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",  # empty origin
        "origin\n1\n",
    ):
        with pytest.raises(VerificationError):
            parse_checkpoint(text)
