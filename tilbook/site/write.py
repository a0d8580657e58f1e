"""Safe output. Nothing touches `site/` until every page is rendered, into a staging folder
beside it: a build that fails on the journal, a template or a link leaves `site/` as it was.
Then `Staging.publish`:

- a first (or cache-less) build swaps the staging folder in whole with two renames;
- an incremental build moves each changed file into place (`os.replace`, atomic per file)
  and removes the files that no longer belong. Re-creating thousands of folders for a small
  change costs seconds on some file systems, which is why it is not copied into a fresh tree.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterable

from tilbook.errors import BuildError
from tilbook.parallel import ctrl_c_held


def safe_relative(path: str) -> PurePosixPath:
    """An output path that cannot leave the site folder."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in path:
        raise BuildError(f"refusing to write {path!r}: outside the site folder",
                         hint="check the permalink pattern and slugs: they may not contain '..'")
    return rel


def _swap(staging: Path, site_dir: Path) -> None:
    """`staging` becomes `site_dir`; the old one is deleted, with any that a build stopped
    while deleting left beside it. Ctrl-C waits until this is done: stopped between the
    renames or in the deleting, it left `.site.old-*` folders of thousands of files."""
    with ctrl_c_held():
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
        for left in site_dir.parent.glob(f".{glob.escape(site_dir.name)}.old-*"):
            shutil.rmtree(left, ignore_errors=True)


class Staging:
    """A folder beside `site_dir` that receives the files a build produces. `publish` then
    makes `site_dir` the result: the staging folder itself on a first build (one rename), or
    each staged file moved into place (atomic per file) and stale files removed."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir.resolve()
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.new-", dir=self.site_dir.parent))
        self.files: list[str] = []
        self._made: set[PurePosixPath] = set()

    def target(self, path: str) -> Path:
        """Where to write `path` (folders made); the caller writes the bytes."""
        rel = safe_relative(path)
        for folder in reversed(rel.parents):
            if str(folder) != "." and folder not in self._made:
                (self.folder / folder).mkdir(exist_ok=True)
                self._made.add(folder)
        self.files.append(path)
        return self.folder / rel

    def write(self, path: str, data: bytes) -> None:
        with open(self.target(path), "wb") as fh:
            fh.write(data)

    def written_elsewhere(self, paths: Iterable[str]) -> None:
        """Record files that worker processes wrote with `write_staged`."""
        self.files.extend(paths)


    def publish(self, *, full: bool, stale: Iterable[str] = ()) -> None:
        if full:
            _swap(self.folder, self.site_dir)
            return
        for path in self.files:
            target = self.site_dir / safe_relative(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / path, target)
        for path in stale:
            target = self.site_dir / safe_relative(path)
            target.unlink(missing_ok=True)
            folder = target.parent
            while folder != self.site_dir and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        with ctrl_c_held():  # the Ctrl-C that stopped the build must not leave it half deleted
            shutil.rmtree(self.folder, ignore_errors=True)


def write_staged(folder: Path, path: str, data: bytes) -> None:
    """Write one staged file from any process, making its folders only when the open says
    they are missing (cheaper than a mkdir for each of thousands of pages)."""
    target = os.path.join(folder, safe_relative(path))
    try:
        fh = open(target, "wb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fh = open(target, "wb")
    with fh:
        fh.write(data)
