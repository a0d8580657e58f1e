"""Writing a file whole or not at all: what caches, run records, configs and imported
entries need."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then `os.replace` it into place: a
    reader sees the old file or the new one, never half of one. The file gets the usual
    permissions (the umask's), as a plain write would; the temporary name is unique to this
    process and thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
