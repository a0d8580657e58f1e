"""Stage 2: entry files → `Entry` → `Journal`, plus the daily-writing helpers.

Names load on first use (see `tilbook/__init__.py`)."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "load_entry": "load", "load_journal": "load", "assemble_journal": "load",
    "scan_journal": "scan", "entry_paths": "scan",
    "Entry": "model", "FrontMatter": "model", "Journal": "model", "TermGroup": "model", "Todo": "model",
    "entry_url": "model",
    "NewEntry": "new", "plan_new_entry": "new", "write_new_entry": "new",
    "parse_entry": "parse",
    "slugify": "slug",
    "TrackedTodo": "todo", "track_todos": "todo",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"tilbook.journal.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'tilbook.journal' has no attribute {name!r}")
