"""How many worker processes a batch of CPU-bound work gets."""

from __future__ import annotations

import os


def worker_count(items: int, *, threshold: int, requested: int | None = None) -> int:
    """`requested` if given; else one per core (at most 8) once there are `threshold` items,
    below which starting processes costs more than it saves (measured in bench/)."""
    if requested is not None:
        return max(1, requested)
    return min(os.cpu_count() or 1, 8) if items >= threshold else 1
