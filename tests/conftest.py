"""Shared test helpers: real workspaces in tmp_path, the real CLI, no mocks of tilbook."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tilbook.cli import main
from tilbook.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"

MINIMAL_CONFIG = "site_name: Test TIL\ntilbook:\n  timezone: Asia/Seoul\n"


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `{relative path: text or bytes}` under `root` (text as UTF-8, untouched)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def make_workspace(root: Path, entries: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG) -> Config:
    """A workspace with `mkdocs.yml` and the given files under `journal/`."""
    files: dict[str, str | bytes] = {"mkdocs.yml": config}
    files.update({f"journal/{k}": v for k, v in (entries or {}).items()})
    write_files(root, files)
    return load_config(root / "mkdocs.yml")


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(FIXTURES / name, target)
    return target


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the real `tilbook` CLI in a folder: run(cwd, "new", "--title", "x") → Result."""

    def _run(cwd: Path, *args: str) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


def copy_example(dest: Path) -> Path:
    """The repo's example workspace (config, journal, notebook templates, frozen runs) in `dest`."""
    import shutil

    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("journal", "notebooks_src", "_freeze"):
        shutil.copytree(REPO / folder, dest / folder)
    return dest


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """Debian's chromium (never a downloaded one); skips the test without it, fails in CI."""
    import os

    found = os.environ.get("TILBOOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        message = "Debian's chromium is needed for the browser tests: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
