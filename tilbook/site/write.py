"""Safe output. Nothing touches `site/` until every page is rendered, into a staging folder
beside it: a build that fails on the journal, a template or a link leaves `site/` as it was.
Then `Staging.publish`:

- a first (or cache-less) build swaps the staging folder in whole with two renames;
- an incremental build moves each changed file into place (`os.replace`, atomic per file)
  and removes the files that no longer belong. Re-creating thousands of folders for a small
  change costs seconds on some file systems, which is why it is not copied into a fresh tree.
  Its staging folder is flat (each file under a name hashed from its path): making the
  page's folders there and removing them after was half the writing of a new entry's 200
  home pages.
"""

from __future__ import annotations

import glob
import hashlib
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


_FOLDS_CASE: dict[int, bool] = {}


def folds_case(folder: Path) -> bool:
    """Whether the file system of `folder` takes `A` and `a` for one name (as Windows and
    macOS do by default): then `Post/index.html` and `post/index.html` are one file, and a
    page written to one replaces the other. Asked of `folder` or a folder above it on the
    same device whose name has letters (is its name in the other case the same folder?),
    else by making a file in it; False where neither can tell. Kept per device (`serve`
    asks at every build)."""
    try:
        folder = folder.resolve()
        device = folder.stat().st_dev
        if device in _FOLDS_CASE:
            return _FOLDS_CASE[device]
        for place in (folder, *folder.parents):
            if place.name.swapcase() != place.name and place.stat().st_dev == device:
                try:  # (lstat: a link of that name elsewhere is not the folder itself)
                    mine, twin = place.lstat(), place.with_name(place.name.swapcase()).lstat()
                    _FOLDS_CASE[device] = (mine.st_dev, mine.st_ino) == (twin.st_dev, twin.st_ino)
                except FileNotFoundError:
                    _FOLDS_CASE[device] = False
                return _FOLDS_CASE[device]
            if place.parent == place or place.parent.stat().st_dev != device:
                break
        fd, probe = tempfile.mkstemp(prefix=".tilbook-Case-", dir=folder)  # no name to ask: a file that is
        os.close(fd)
        try:
            _FOLDS_CASE[device] = os.path.exists(os.path.join(folder, os.path.basename(probe).lower()))
        finally:
            os.unlink(probe)
        return _FOLDS_CASE[device]
    except OSError:
        return False


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
    makes `site_dir` the result: with `full`, the staging folder itself (one rename: a first
    build); else each staged file moved into place (atomic per file) and stale files removed."""

    def __init__(self, site_dir: Path, *, full: bool) -> None:
        self.site_dir = site_dir.resolve()
        self.full = full
        self.site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.new-", dir=self.site_dir.parent))
        self.files: list[str] = []

    def staged(self, path: str) -> str:
        """Where `path` is written before it is published (in any process; folders are
        made as `write_staged` finds them missing)."""
        rel = safe_relative(path)
        if self.full:
            return os.path.join(self.folder, rel)
        return os.path.join(self.folder, hashlib.blake2b(str(rel).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest())

    def write(self, path: str, data: bytes) -> None:
        write_staged(self.staged(path), data)
        self.files.append(path)

    def written_elsewhere(self, paths: Iterable[str]) -> None:
        """Record files that worker processes wrote with `write_staged`."""
        self.files.extend(paths)

    def publish(self, *, stale: Iterable[str] = ()) -> None:
        if self.full:
            _swap(self.folder, self.site_dir)
            return
        site = str(self.site_dir)
        for path in self.files:
            target = os.path.join(site, safe_relative(path))
            try:
                os.replace(self.staged(path), target)
            except FileNotFoundError:  # a new page's folder
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(self.staged(path), target)
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


def write_staged(target: str, data: bytes) -> None:
    """Write one staged file (`Staging.staged`) from any process, making its folders only
    when the open says they are missing (cheaper than a mkdir for each of thousands of pages)."""
    try:
        fh = open(target, "wb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fh = open(target, "wb")
    with fh:
        fh.write(data)
