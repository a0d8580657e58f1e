"""The theme's files: built in, overridden file by file by theme.custom_dir."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tilbook import __version__
from tilbook.config.model import Config


def theme_root() -> Path:
    # The theme is a folder inside the package, read by Jinja's FileSystemLoader: the package
    # is never used from a zip, so importlib.resources (8 ms of every no-op build, zipfile
    # and all) is not needed to find it.
    return Path(__file__).resolve().parent.parent / "theme"


def theme_files(config: Config) -> dict[str, Path]:
    """Relative path → file, the custom_dir's files winning over the built-in ones."""
    found: dict[str, Path] = {}
    for root in (theme_root(), config.theme.custom_dir):
        if root is None or not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(root).as_posix()] = path
    return found


def theme_key(config: Config) -> str:
    """Hash of every theme file and tilbook's version: a change re-renders every page."""
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    for rel, path in sorted(theme_files(config).items()):
        if rel.startswith("assets/katex/"):
            continue
        h.update(rel.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
