"""RFC 6962 / 9162 conformance against the transparency-dev vectors, plus properties over random trees."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otvet.audit.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from otvet.model import VerificationError

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


@pytest.fixture(scope="module")
def vectors(asset: Callable[[str], Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(asset("audit/merkle-vectors.json").read_text(encoding="utf-8"))
    return data


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_hash_vectors(vectors: dict[str, Any]) -> None:
    known = vectors["hashes"]
    assert EMPTY_ROOT.hex() == known["empty_root"]
    assert leaf_hash(b"").hex() == known["empty_leaf"]
    assert leaf_hash(b"L123456").hex() == known["leaf_L123456"]
    assert node_hash(b"N123", b"N456").hex() == known["node_N123_N456"]


def test_roots_of_every_prefix(vectors: dict[str, Any]) -> None:
    leaves = [leaf_hash(h(x)) for x in vectors["leaves"]]
    tree = MerkleTree(leaves)
    for size, expected in enumerate(vectors["roots"], start=1):
        assert tree.root(size).hex() == expected
        assert root_of(leaves[:size]).hex() == expected
    assert tree.root(0) == EMPTY_ROOT


def _inclusion_probes(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[Any, ...]]:
    """The corruptions transparency-dev's verifierCheck applies; none may verify."""
    probes: list[tuple[Any, ...]] = [
        (index - 1, size, root, leaf, proof),
        (index + 1, size, root, leaf, proof),
        (index ^ 2, size, root, leaf, proof),
        (index, size * 2, root, leaf, proof),
        (index, size // 2, root, leaf, proof),
        (index, size, root, b"WrongLeaf", proof),
        (index, size, EMPTY_ROOT, leaf, proof),
        (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, [*proof, b""]),
        (index, size, root, leaf, [*proof, root]),
        (index, size, root, leaf, [b"", *proof]),
        (index, size, root, leaf, [root, *proof]),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((index, size, root, leaf, wrong))
    if proof:
        probes.append((index, size, root, leaf, proof[:-1]))
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]]))
    return probes


def test_inclusion_proofs_match_and_verify(vectors: dict[str, Any]) -> None:
    leaves = [leaf_hash(h(x)) for x in vectors["leaves"]]
    tree = MerkleTree(leaves)
    for case in vectors["inclusion"]:
        index, size = case["index"], case["size"]
        proof = [h(p) for p in case["proof"]]
        root = h(vectors["roots"][size - 1])
        assert tree.inclusion_proof(index, size) == proof
        assert root_from_inclusion_proof(index, size, leaves[index], proof) == root
        verify_inclusion(index, size, leaves[index], proof, root)
        for probe in _inclusion_probes(index, size, proof, root, leaves[index]):
            with pytest.raises(VerificationError):
                verify_inclusion(*probe)


def _consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> list[tuple[Any, ...]]:
    probes: list[tuple[Any, ...]] = [
        (size1 - 1, size2, proof, root1, root2),
        (size1 + 1, size2, proof, root1, root2),
        (size1 ^ 2, size2, proof, root1, root2),
        (size1, size2 * 2, proof, root1, root2),
        (size1, size2 // 2, proof, root1, root2),
        (size1, size2, proof, b"WrongRoot", root2),
        (size1, size2, proof, root1, b"WrongRoot"),
        (size1, size2, proof, root2, root1),
        (size1, size2, [], root1, root2),
        (size1, size2, [*proof, b""], root1, root2),
        (size1, size2, [*proof, root1], root1, root2),
        (size1, size2, [*proof, root2], root1, root2),
        (size1, size2, [b"", *proof], root1, root2),
        (size1, size2, [root1, *proof], root1, root2),
        (size1, size2, [root2, *proof], root1, root2),
        (size1, size2, [proof[0], *proof], root1, root2),
        (size1, size2, proof[:-1], root1, root2),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 16]) + wrong[i][1:]
        probes.append((size1, size2, wrong, root1, root2))
    return probes


def test_consistency_proofs_match_and_verify(vectors: dict[str, Any]) -> None:
    leaves = [leaf_hash(h(x)) for x in vectors["leaves"]]
    tree = MerkleTree(leaves)
    for case in vectors["consistency"]:
        size1, size2 = case["size1"], case["size2"]
        proof = [h(p) for p in case["proof"]]
        root1, root2 = h(vectors["roots"][size1 - 1]), h(vectors["roots"][size2 - 1])
        assert tree.consistency_proof(size1, size2) == proof
        verify_consistency(size1, size2, proof, root1, root2)
        if not proof:
            continue
        for probe in _consistency_probes(size1, size2, root1, root2, proof):
            with pytest.raises(VerificationError):
                verify_consistency(*probe)


def test_consistency_edge_cases_from_the_reference_suite() -> None:
    root1, root2 = b"don't care 1", b"don't care 2"
    verify_consistency(0, 0, [], root1, root1)
    verify_consistency(0, 1, [], root1, root2)
    verify_consistency(1, 1, [], root2, root2)
    for size1, size2, first, second, proof in (
        (0, 0, root1, root2, []),
        (1, 1, root1, root2, []),
        (1, 0, root1, root2, []),
        (2, 1, root1, root2, []),
        (1, 2, root1, root2, []),
        (0, 0, EMPTY_ROOT, root2, []),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
        (1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]),
    ):
        with pytest.raises(VerificationError):
            verify_consistency(size1, size2, proof, first, second)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=16), min_size=1, max_size=80), st.data())
def test_generated_proofs_always_verify_and_roots_agree(entries: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(e) for e in entries]
    tree = MerkleTree(leaves)
    size = data.draw(st.integers(min_value=1, max_value=len(leaves)))
    old = data.draw(st.integers(min_value=0, max_value=size))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = tree.root(size)
    assert root == root_of(leaves[:size])
    verify_inclusion(index, size, leaves[index], tree.inclusion_proof(index, size), root)
    verify_consistency(old, size, tree.consistency_proof(old, size), tree.root(old), root)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=2, max_size=40), st.data())
def test_a_changed_leaf_changes_every_root_that_covers_it(entries: list[bytes], data: st.DataObject) -> None:
    leaves = [leaf_hash(e) for e in entries]
    index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    changed = list(leaves)
    changed[index] = hashlib.sha256(b"tampered" + leaves[index]).digest()
    original, tampered = MerkleTree(leaves), MerkleTree(changed)
    for size in range(index + 1, len(leaves) + 1):
        assert original.root(size) != tampered.root(size)
    for size in range(index + 1):
        assert original.root(size) == tampered.root(size)
