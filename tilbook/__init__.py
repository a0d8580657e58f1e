"""tilbook: a daily learning journal, its tutorial notebooks, and the blog built from both.

Everything the command line does is here as a function: load a config, load the journal,
plan and write the day's entry, follow todos, build the site. Names load on first use, so
`import tilbook` (and a no-op `tilbook build`) stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "Config": "tilbook.config",
    "load_config": "tilbook.config",
    "parse_config": "tilbook.config",
    "BuildError": "tilbook.errors",
    "ConfigError": "tilbook.errors",
    "EntryError": "tilbook.errors",
    "ExecutionError": "tilbook.errors",
    "Problem": "tilbook.errors",
    "TemplateError": "tilbook.errors",
    "TilbookError": "tilbook.errors",
    "Entry": "tilbook.journal",
    "Journal": "tilbook.journal",
    "Todo": "tilbook.journal",
    "TrackedTodo": "tilbook.journal",
    "load_entry": "tilbook.journal",
    "load_journal": "tilbook.journal",
    "parse_entry": "tilbook.journal",
    "plan_new_entry": "tilbook.journal",
    "track_todos": "tilbook.journal",
    "write_new_entry": "tilbook.journal",
    "init_workspace": "tilbook.workspace",
    "BuildResult": "tilbook.site.build",
    "build_site": "tilbook.site.build",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tilbook' has no attribute {name!r}")
