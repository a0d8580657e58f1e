"""Content keys: what caches and incremental builds compare (never mtimes)."""

from __future__ import annotations

import hashlib


def digest(*parts: object) -> str:
    """A short stable hash of the `repr` of `parts` (strings, numbers, tuples, dataclasses)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
