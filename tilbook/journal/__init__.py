"""Stage 2: entry files → `Entry` → `Journal`, plus the daily-writing helpers."""

from tilbook.journal.load import load_entry, load_journal, scan_journal
from tilbook.journal.model import Entry, FrontMatter, Journal, TermGroup, Todo, entry_url
from tilbook.journal.new import NewEntry, plan_new_entry, write_new_entry
from tilbook.journal.parse import parse_entry
from tilbook.journal.slug import slugify
from tilbook.journal.todo import TrackedTodo, track_todos

__all__ = [
    "Entry",
    "FrontMatter",
    "Journal",
    "NewEntry",
    "TermGroup",
    "Todo",
    "TrackedTodo",
    "entry_url",
    "load_entry",
    "load_journal",
    "parse_entry",
    "plan_new_entry",
    "scan_journal",
    "slugify",
    "track_todos",
    "write_new_entry",
]
