"""tilbook: a daily learning journal, its tutorial notebooks, and the blog built from both.

Everything the command line does is here as a function: load a config, load the journal,
plan and write the day's entry, follow todos.
"""

__version__ = "0.1.0"

from tilbook.config import Config, load_config, parse_config
from tilbook.errors import (
    BuildError,
    ConfigError,
    EntryError,
    ExecutionError,
    Problem,
    TemplateError,
    TilbookError,
)
from tilbook.journal import (
    Entry,
    Journal,
    Todo,
    TrackedTodo,
    load_entry,
    load_journal,
    parse_entry,
    plan_new_entry,
    track_todos,
    write_new_entry,
)
from tilbook.workspace import init_workspace

__all__ = [
    "BuildError",
    "Config",
    "ConfigError",
    "Entry",
    "EntryError",
    "ExecutionError",
    "Journal",
    "Problem",
    "TemplateError",
    "TilbookError",
    "Todo",
    "TrackedTodo",
    "init_workspace",
    "load_config",
    "load_entry",
    "load_journal",
    "parse_config",
    "parse_entry",
    "plan_new_entry",
    "track_todos",
    "write_new_entry",
]
