"""`tilbook init`: a new workspace. Writes only files that do not exist yet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tilbook.config.load import parse_config, system_timezone
from tilbook.journal.model import Journal
from tilbook.journal.new import plan_new_entry

GITIGNORE = """\
# tilbook build output, caches and the serve preview
/site/
/.tilbook/
__pycache__/
.ipynb_checkpoints/
"""


def _pages_workflow(*, site_dir: str, version: str) -> str:
    """A GitHub Actions workflow that builds the site and publishes it to GitHub Pages on
    every push to main (Settings → Pages → Source: GitHub Actions)."""
    return f"""\
# Publishes the journal to GitHub Pages on every push to main. Turn it on once:
# the repository's Settings → Pages → Build and deployment → Source: GitHub Actions.
name: Publish the journal

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # an entry without a date is dated by the commit that added it
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "tilbook=={version}"
      - id: pages
        uses: actions/configure-pages@v5
      # The last run's cache (keyed by content hashes) and site: only what changed is
      # rendered and indexed again (a one-entry push to 2,000 entries: 2 s, not 10 s).
      - uses: actions/cache@v4
        with:
          path: |
            .tilbook/cache
            {site_dir}
          key: tilbook-${{{{ runner.os }}}}-${{{{ github.sha }}}}
          restore-keys: tilbook-${{{{ runner.os }}}}-
      # Notebooks are not run here: their frozen results (committed with the journal) are published.
      - run: tilbook build --no-execute --site-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: {site_dir}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def config_text(*, site_name: str, language: str, timezone: str) -> str:
    return f"""\
site_name: {site_name}
site_description: What I learn, one day at a time.
docs_dir: journal
site_dir: site
theme:
  name: tilbook
  language: {language}

markdown_extensions:
  - toc
  - tables
  - footnotes
  - admonition
  - pymdownx.tasklist
  - pymdownx.arithmatex

tilbook:
  timezone: {timezone}
  # Headings whose list is the next day's plan; `tilbook new` carries their open items.
  tomorrow_headings: [내일 할 일, Tomorrow, TODO, Next]
  # Where `tilbook new` writes, inside docs_dir.
  entry_path: "{{year}}/{{year}}-{{month}}-{{day}}-{{slug}}.md"
  permalink: "/{{year}}/{{month}}/{{day}}/{{slug}}/"
"""


def init_workspace(folder: Path, *, language: str = "ko", now: dt.datetime | None = None,
                   pages_workflow: bool = True) -> list[tuple[Path, bool]]:
    """Create a workspace in `folder`. Returns (path, created) for each file; an existing
    file is kept as it is (created False)."""
    folder.mkdir(parents=True, exist_ok=True)
    zone, zone_name = system_timezone()
    now = now or dt.datetime.now(zone)
    results: list[tuple[Path, bool]] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            results.append((path, True))
        except FileExistsError:
            results.append((path, False))

    config_path = folder / "mkdocs.yml"
    write(config_path, config_text(site_name=folder.resolve().name or "TIL", language=language, timezone=zone_name))
    write(folder / ".gitignore", GITIGNORE)
    config = parse_config(config_path.read_text(encoding="utf-8-sig"), path=config_path)
    if pages_workflow:
        from tilbook import __version__

        site_dir = config.site_dir.resolve()
        shown = site_dir.relative_to(folder.resolve()).as_posix() if site_dir.is_relative_to(folder.resolve()) else "site"
        write(folder / ".github" / "workflows" / "pages.yml", _pages_workflow(site_dir=shown, version=__version__))
    config.docs_dir.mkdir(parents=True, exist_ok=True)
    if not any(config.docs_dir.rglob("*.md")):
        title = "tilbook으로 시작하는 공부 기록" if language.startswith("ko") else "Starting my learning journal"
        plan = plan_new_entry(
            Journal(entries=(), problems=(), docs_dir=config.docs_dir),
            config,
            day=now.date(),
            now=now,
            title=title,
            tags=("til",),
        )
        write(plan.path, plan.text)
    return results
