"""Atomic output: the new site is assembled beside the old one and swapped in whole.

Unchanged files are hard-linked from the previous site (cheap), changed ones written; only
when every file is in place does the new folder replace `site/`. A failed or interrupted
build leaves the previous `site/` exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Mapping

from tilbook.errors import BuildError


def safe_relative(path: str) -> PurePosixPath:
    """An output path that cannot leave the site folder."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in path:
        raise BuildError(f"refusing to write {path!r}: outside the site folder",
                         hint="check the permalink pattern and slugs: they may not contain '..'")
    return rel


def write_tree(
    site_dir: Path,
    new_files: Mapping[str, bytes],
    reuse: Mapping[str, str],
) -> None:
    """Make `site_dir` hold exactly `new_files` (path → bytes) plus `reuse` (path → path of a
    file in the current `site_dir` whose bytes are still right)."""
    site_dir = site_dir.resolve()
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=parent))
    try:
        made: set[PurePosixPath] = set()

        def ensure_parent(rel: PurePosixPath) -> Path:
            folder = rel.parent
            if folder not in made and str(folder) != ".":
                (staging / folder).mkdir(parents=True, exist_ok=True)
                made.update(folder.parents)
                made.add(folder)
            return staging / rel

        for path, old in reuse.items():
            target = ensure_parent(safe_relative(path))
            source = site_dir / safe_relative(old)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        for path, data in new_files.items():
            target = ensure_parent(safe_relative(path))
            with open(target, "wb") as fh:
                fh.write(data)
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, site_dir: Path) -> None:
    if not site_dir.exists():
        os.rename(staging, site_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    os.rmdir(old)
    os.rename(site_dir, old)
    try:
        os.rename(staging, site_dir)
    except BaseException:
        os.rename(old, site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
