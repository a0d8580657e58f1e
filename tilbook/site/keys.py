"""Content keys: what caches and incremental builds compare (never mtimes)."""

from __future__ import annotations

import hashlib


def digest(*parts: object) -> str:
    """A short stable hash of the `repr` of `parts` (strings, numbers, tuples, dataclasses)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
