"""`Config`: what `mkdocs.yml` says, typed and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from tilbook.errors import Problem

DEFAULT_TOMORROW_HEADINGS = (
    "내일 할 일",
    "내일 할일",
    "내일",
    "Tomorrow",
    "TODO",
    "To do",
    "Next",
    "Next steps",
)
DEFAULT_PERMALINK = "/{year}/{month}/{day}/{slug}/"
DEFAULT_ENTRY_PATH = "{year}/{year}-{month}-{day}-{slug}.md"
DEFAULT_SLUG = "til"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "category")
ENTRY_PATH_FIELDS = ("year", "month", "day", "slug")


def pattern_fields(pattern: str) -> list[str]:
    """The `{field}` names of an address or path pattern (`tilbook.permalink`, an entry's
    own `permalink`, `tilbook.entry_path`). Raises ValueError when `str.format` cannot read
    it (a `{` never closed)."""
    import string

    return [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]


@dataclass(frozen=True)
class Theme:
    name: str = "tilbook"
    language: str = "en"
    """BCP 47 tag from `theme.language`; `ko` switches built-in prose to Korean."""
    custom_dir: Path | None = None
    """Folder whose templates override the theme's (absolute)."""
    favicon: str | None = None
    """`theme.favicon` as MkDocs reads it: a file's path under docs_dir (or the theme's
    `assets/`); None: the theme's `assets/favicon.svg`."""
    favicon_line: int | None = None


@dataclass(frozen=True)
class MarkdownExtension:
    name: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    line: int | None = None


@dataclass(frozen=True)
class Remote:
    """A Jupyter Server on another machine whose kernels run notebooks (`--kernel NAME`).
    The token is never in the config: it is read from `token_env` or `token_file`."""

    name: str
    url: str
    kernel: str = "python3"
    """The kernelspec's name on that server."""
    token_env: str | None = None
    token_file: Path | None = None
    verify_tls: bool = True
    password_env: str | None = None
    """For a server with a password and no token: tilbook logs in as a browser does."""
    password_file: Path | None = None


@dataclass(frozen=True)
class Comments:
    """Comments under each entry from a GitHub-backed service (`tilbook.comments`): the one
    request to another host a site makes, and only when configured."""

    provider: str
    """giscus (GitHub Discussions) or utterances (GitHub issues)."""
    repo: str
    """owner/name of the public repository that holds them."""
    options: tuple[tuple[str, str], ...] = ()
    """The provider's other settings, as written (giscus: repo_id, category, category_id,
    mapping; utterances: issue_term, label)."""

    def get(self, key: str, default: str = "") -> str:
        return dict(self.options).get(key, default)


@dataclass(frozen=True)
class TilbookSettings:
    """The keys under `tilbook:` in `mkdocs.yml`."""

    timezone: ZoneInfo
    timezone_name: str
    timezone_source: str
    """"config" when written in mkdocs.yml, else "system"."""
    tomorrow_headings: tuple[str, ...] = DEFAULT_TOMORROW_HEADINGS
    """Headings whose section lists the next day's plan (matched case-insensitively)."""
    entry_path: str = DEFAULT_ENTRY_PATH
    """Where `tilbook new` writes, relative to docs_dir; fields {year} {month} {day} {slug}."""
    default_slug: str = DEFAULT_SLUG
    """Slug `tilbook new` uses when no title is given."""
    permalink: str = DEFAULT_PERMALINK
    """URL of an entry; fields {year} {month} {day} {slug} {category}."""
    entry_template: Path | None = None
    """User template for `tilbook new` (absolute); None uses `templates/entry.md` if present."""
    templates_dir: Path | None = None
    """Workspace folder holding user templates (absolute)."""
    per_page: int = 10
    """Entries per home page."""
    kernel: str = "python3"
    """Jupyter kernel that generated notebooks name (and that runs them)."""
    notebooks_dir: Path | None = None
    """Folder of notebook templates (absolute; default `notebooks_src`)."""
    freeze_dir: Path | None = None
    """Committed folder of executed notebooks and their run records (absolute; default `_freeze`)."""
    feed_size: int = 20
    """Entries in the Atom feed, newest first."""
    search: bool = True
    """Build the search index (Pagefind) and show the search box."""
    remotes: tuple[Remote, ...] = ()
    """Jupyter Servers on other machines, by name."""
    comments: Comments | None = None


def workspace_cache(root: Path) -> Path:
    """The git-ignored cache folder of the workspace whose mkdocs.yml is in `root`."""
    return root / ".tilbook" / "cache"


@dataclass(frozen=True)
class Config:
    config_path: Path
    """Absolute path of mkdocs.yml."""
    root: Path
    """The workspace: the folder holding mkdocs.yml."""
    site_name: str
    docs_dir: Path
    """Absolute folder of journal entries (MkDocs' docs_dir; default `journal`)."""
    site_dir: Path
    """Absolute output folder (default `site`)."""
    tilbook: TilbookSettings
    site_url: str | None = None
    site_description: str | None = None
    site_author: str | None = None
    repo_url: str | None = None
    theme: Theme = field(default_factory=Theme)
    markdown_extensions: tuple[MarkdownExtension, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[Problem, ...] = ()
    """Problems that did not stop loading (unknown keys, ...), for the CLI to show."""

    def display_path(self, path: Path) -> str:
        """`path` as the user sees it: relative to the workspace when inside it, `/`-separated."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
