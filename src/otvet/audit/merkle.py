"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

- Leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || left || right)``, the
  empty tree ``SHA-256("")`` (RFC 9162 section 2.1.1).
- :class:`MerkleTree` builds every level once (n - 1 node hashes) and then answers roots and
  proofs for any prefix of the log in O(log n) hash operations.
- The proof generators follow the recursive definitions PATH and SUBPROOF (RFC 6962 sections
  2.1.1 and 2.1.2); the verifiers follow the iterative algorithms of RFC 9162 sections 2.1.3.2
  and 2.1.4.2, with the edge cases (equal sizes, empty old tree) of the transparency-dev
  reference implementation. Conformance is tested against its published vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from otvet.model.errors import VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash of an entry."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


class MerkleTree:
    """The Merkle tree over a sequence of leaf hashes.

    ``levels[h][i]`` is the hash of the perfect, aligned subtree of ``2**h`` leaves starting at
    leaf ``i * 2**h``; every node of an RFC 6962 tree of any prefix size is such a subtree or a
    right-edge fold of them.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        level = self.levels[0]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``, a node range of the RFC 6962 tree."""
        blocks: list[bytes] = []
        while start < end:
            height = (start & -start).bit_length() - 1 if start else (end - start).bit_length()
            while (1 << height) > end - start:
                height -= 1
            blocks.append(self.levels[height][start >> height])
            start += 1 << height
        result = blocks[-1]
        for block in reversed(blocks[:-1]):
            result = node_hash(block, result)
        return result

    def root(self, size: int | None = None) -> bytes:
        """Merkle tree hash of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} outside 0..{self.size}")
        return EMPTY_ROOT if size == 0 else self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of the first ``size`` leaves (RFC 6962 PATH)."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no leaf {index} in a tree of size {size}")
        proof: list[bytes] = []
        self._path(index, 0, size, proof)
        return proof

    def _path(self, index: int, start: int, end: int, proof: list[bytes]) -> None:
        if end - start == 1:
            return
        k = _split(end - start)
        if index < start + k:
            self._path(index, start, start + k, proof)
            proof.append(self._range_hash(start + k, end))
        else:
            self._path(index, start + k, end, proof)
            proof.append(self._range_hash(start, start + k))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Proof that the tree of ``old_size`` leaves is a prefix of that of ``new_size`` (RFC 6962 PROOF)."""
        new_size = self.size if new_size is None else new_size
        if not 0 <= old_size <= new_size <= self.size:
            raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
        proof: list[bytes] = []
        if 0 < old_size < new_size:
            self._subproof(old_size, 0, new_size, True, proof)
        return proof

    def _subproof(self, m: int, start: int, end: int, complete: bool, proof: list[bytes]) -> None:
        n = end - start
        if m == n:
            if not complete:
                proof.append(self._range_hash(start, end))
            return
        k = _split(n)
        if m <= k:
            self._subproof(m, start, start + k, complete, proof)
            proof.append(self._range_hash(start + k, end))
        else:
            self._subproof(m - k, start + k, end, False, proof)
            proof.append(self._range_hash(start, start + k))


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash of a list of leaf hashes, without keeping the levels."""
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        height, node = 0, leaf
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    if not stack:
        return EMPTY_ROOT
    result = stack[-1][1]
    for _, node in reversed(stack[:-1]):
        result = node_hash(node, result)
    return result


def _check_sizes(proof: Sequence[bytes], *hashes: bytes) -> None:
    for item in (*proof, *hashes):
        if len(item) != HASH_SIZE:
            raise VerificationError(f"hash of {len(item)} bytes where {HASH_SIZE} are required")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a leaf and its audit path imply (RFC 9162 section 2.1.3.2)."""
    _check_sizes(proof, leaf)
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is shorter than the tree is deep")
    return result


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``; raise if not."""
    _check_sizes((), root)
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise VerificationError(f"inclusion proof of leaf {index} does not lead to the expected root")


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Check that the tree (``old_size``, ``old_root``) is a prefix of (``new_size``, ``new_root``).

    RFC 9162 section 2.1.4.2; raises :class:`VerificationError` when it is not.
    """
    if old_size < 0 or new_size < old_size:
        raise VerificationError(f"a log cannot shrink from {old_size} to {new_size} entries")
    if old_size == new_size:
        if proof:
            raise VerificationError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise VerificationError(f"two different roots for the same tree size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise VerificationError("a consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise VerificationError("consistency proof is empty")
    _check_sizes(proof, old_root, new_root)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is shorter than needed")
    if first != old_root:
        raise VerificationError(f"consistency proof does not reproduce the root of size {old_size}")
    if second != new_root:
        raise VerificationError(f"consistency proof does not reproduce the root of size {new_size}")
