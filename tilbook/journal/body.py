"""What tilbook reads out of an entry's Markdown body without rendering it.

One markdown-it parse per entry gives the first heading (a title fallback), the excerpt,
the reading time and the todos. Working on the token tree, not on lines, keeps a `- [ ]`
inside a code fence or a `# heading` inside a ``` block from being mistaken for the real thing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Literal, Mapping

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tilbook.journal.emphasis import cjk_friendly_plugin
from tilbook.journal.model import Todo

# Reading speeds (Medium's published figures): Korean, Chinese and Japanese are read by
# characters, not by words separated by spaces.
WORDS_PER_MINUTE = 265
CJK_CHARS_PER_MINUTE = 500


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # One parser, reused: markdown-it keeps per-document state in `env`, not in the parser.
    # Block structure only: inline parsing is most of the cost and only headings need it
    # (see `heading_text`); items and reading time work on the inline source text.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("inline")


_NO_META: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class BodyFacts:
    first_heading: str | None
    excerpt: str
    reading_minutes: int
    todos: tuple[Todo, ...]
    problems: tuple[tuple[int, str], ...] = ()
    """(line, message): a todo's `(since …)` or deadline marker whose day is no date."""


class Block:
    """A light block tree over markdown-it's flat tokens (its Block costs a third of
    the parse time; tilbook only needs type, tag, line map, inline source and children)."""

    __slots__ = ("type", "tag", "map", "content", "children", "meta", "inline")

    def __init__(self, type: str, tag: str = "", map: list[int] | None = None, content: str = "",
                 meta: Mapping[str, Any] = _NO_META, inline: list[Token] | None = None) -> None:
        self.type = type
        self.tag = tag
        self.map = map
        self.content = content
        self.children: list[Block] = []
        self.meta = meta
        self.inline = inline
        """Parsed inline tokens, when the parser that made the tree parsed inlines."""


def block_tree(tokens: list[Token]) -> Block:
    root = Block("root")
    stack = [root]
    children = root.children  # of the innermost open block
    for token in tokens:
        nesting = token.nesting
        if nesting == 1:
            node = Block(token.type[:-5], token.tag, token.map, meta=token.meta)
            children.append(node)
            stack.append(node)
            children = node.children
        elif nesting == -1:
            stack.pop()
            children = stack[-1].children
        else:
            children.append(Block(token.type, token.tag, token.map, token.content, inline=token.children))
    return root


def scan_body(
    body: str, *, first_line: int, tomorrow_headings: Iterable[str], tokens: list[Token] | None = None
) -> BodyFacts:
    """Read the facts tilbook needs from a Markdown body that starts on `first_line`.

    `tokens`: the body already parsed by a richer markdown-it parser (the site's), so that a
    build parses each body once; by default a block-only parse is made here.
    """
    if tokens is None:
        tokens = _parser().parse(body, {})
    blocks = block_tree(tokens).children
    lines = body.split("\n")
    heading = next((heading_text(b) for b in blocks if b.type == "heading"), None)
    todos = _TodoCollector(first_line, tomorrow_headings).collect(blocks)
    return BodyFacts(
        first_heading=heading or None,
        excerpt=_excerpt(blocks, lines),
        reading_minutes=reading_minutes(_words_of(tokens)),
        todos=todos,
        problems=tuple(_bad_markers(todos)),
    )


def _bad_markers(todos: tuple[Todo, ...]) -> Iterator[tuple[int, str]]:
    """A marker left at an item's end after `split_markers`: its day is no date (`2026-02-30`)."""
    for top in todos:
        for todo in top.walk():
            found = _SINCE.search(todo.text) or _DUE.search(todo.text)
            if found:
                yield todo.line, f"{found[0].strip()!r} at the end of a todo names no real day; it is read as text"


def heading_text(block: Block) -> str:
    """Plain text of a heading block (or of a paragraph)."""
    if not block.children:
        return ""
    leaf = block.children[0]
    if leaf.inline:
        return _text_of(leaf.inline)
    return plain_text(leaf.content)


def plain_text(markdown: str) -> str:
    """Text of inline Markdown: markup dropped, code kept, line breaks as spaces."""
    return " ".join(_text_of(inline.children or []) for inline in _inline_parser().parseInline(markdown, {})).strip()


def _text_of(tokens: list[Token]) -> str:
    return re.sub(r"\s+", " ", "".join(filter(None, map(token_text, tokens)))).strip()


def token_text(token: Token) -> str | None:
    """What an inline token adds to plain text: its text, code or image alt text, a space
    for a line break; None for markup."""
    if token.type in ("text", "code_inline", "image"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return None


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["strikethrough"]).use(cjk_friendly_plugin)


# --- excerpt ----------------------------------------------------------------------------

_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# Blocks a paragraph's sentence may go on into. Display math is a block only for a parser
# with math on (the site's, when the entry or the config asks for it).
_GOES_ON_INTO = ("bullet_list", "ordered_list", "math_block", "math_block_label")
_ENDS_A_THOUGHT = tuple(".!?。！？…:：;)）\"”'’」』]")


def _excerpt(blocks: list[Block], lines: list[str]) -> str:
    for block in blocks:
        if block.type == "html_block" and _MORE.search(block.content) and block.map:
            return "\n".join(lines[: block.map[0]]).strip()
        if block.type == "paragraph" and block.map and block.children and _MORE.search(block.children[0].content):
            start, end = block.map
            text = "\n".join(lines[:end])
            return _MORE.split(text)[0].strip()
    for i, block in enumerate(blocks):
        if block.type == "paragraph" and block.map:
            start, end = block.map
            text = "\n".join(lines[start:end]).strip()
            after = blocks[i + 1].type if i + 1 < len(blocks) else ""
            if after in _GOES_ON_INTO and text and not text.endswith(_ENDS_A_THOUGHT):
                # The sentence goes on into the list or formula below it ("…흔한 방법은
                # 레이블을 임베딩해서" and then what goes where): the card says it does.
                text += "…"
            return text
    return ""


# --- reading time -----------------------------------------------------------------------

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
# Hangul syllables and compatibility jamo, CJK ideographs, kana.
_CJK = re.compile(r"[\uac00-\ud7a3\u3130-\u318f\u4e00-\u9fff\u3040-\u30ff]")
_CJK_RUNS = re.compile(_CJK.pattern + "+")


def _words_of(tokens: list[Token]) -> str:
    """The text a reader reads: inline source without link targets, code, HTML without tags
    (in no particular order: it is only counted)."""
    parts: list[str] = []
    html_parts: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "inline" or kind == "fence" or kind == "code_block":
            parts.append(token.content)
        elif kind == "html_block":
            html_parts.append(_TAG.sub(" ", token.content))
    # One substitution over the joined text, not one per block: a link target never spans
    # the space that joins two blocks.
    return _DATA_URI.sub(" ", " ".join((_LINK_TARGET.sub("]", " ".join(parts)), *html_parts)))


def reading_minutes(text: str) -> int:
    """Minutes to read `text`: CJK counted by characters, everything else by words."""
    rest, runs = _CJK_RUNS.subn(" ", text)  # one pass: each run became one space
    cjk = len(text) - len(rest) + runs
    words = len(rest.split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))


# --- todos ------------------------------------------------------------------------------

_CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\](?:\s+|$)")
_SINCE = re.compile(
    r"\s*[(（]\s*(?:(?:since|from)\s+(?P<a>\d{4}-\d{2}-\d{2})|(?P<b>\d{4}-\d{2}-\d{2})\s*부터)\s*[)）]\s*$",
    re.IGNORECASE,
)
# A deadline: `(due 2026-12-15)`, `(by 2026-12-15)`, `(2026-12-15까지)` (a goal with a date to meet)
_DUE = re.compile(
    r"\s*[(（]\s*(?:(?:due|by)\s+(?P<a>\d{4}-\d{2}-\d{2})|(?P<b>\d{4}-\d{2}-\d{2})\s*까지)\s*[)）]\s*$",
    re.IGNORECASE,
)
_STRUCK = re.compile(r"^~~.+~~$", re.DOTALL)


@lru_cache(maxsize=4096)
def normalize_heading(text: str) -> str:
    """Casefolded heading text without emoji, markup, numbering or a trailing colon."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[*_`~]", "", text)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("S"))
    text = re.sub(r"^\s*(?:\d+[.)]\s*)?", "", text)
    text = re.sub(r"\s+", " ", text).strip(" \t:：-—.").casefold()
    return text


def matches_tomorrow(text: str, names: Iterable[str]) -> bool:
    """Whether a heading (or a label line) opens the tomorrow section."""
    got = normalize_heading(text)
    for name in names:
        want = normalize_heading(name)
        if want and (got == want or (got.startswith(want) and re.match(r"[\s(（:：\-—'’]", got[len(want)]))):
            return True
    return False


def split_since(text: str) -> tuple[str, dt.date | None]:
    """`"read the paper (since 2026-11-20)"` → ("read the paper", date(2026, 11, 20))."""
    return _split_marker(text, _SINCE)


def split_markers(text: str) -> tuple[str, dt.date | None, dt.date | None]:
    """An item's text without the markers at its end, in either order, and their days:
    `"GAN 튜토리얼 끝내기 (2026-12-15까지) (2026-11-20부터)"` → ("GAN 튜토리얼 끝내기",
    since 2026-11-20, due 2026-12-15). A marker with a day that is no date stays text."""
    since = due = None
    while True:
        if since is None and (found := _split_marker(text, _SINCE))[1] is not None:
            text, since = found
        elif due is None and (found := _split_marker(text, _DUE))[1] is not None:
            text, due = found
        else:
            return text, since, due


def _split_marker(text: str, marker: re.Pattern[str]) -> tuple[str, dt.date | None]:
    m = marker.search(text)
    if not m:
        return text, None
    try:
        day = dt.date.fromisoformat(m["a"] or m["b"])
    except ValueError:
        return text, None
    return text[: m.start()].rstrip(), day


@dataclass
class _Item:
    text: str
    done: bool
    line: int
    kind: Literal["task", "tomorrow"]
    children: list[_Item] = field(default_factory=list)

    def freeze(self) -> Todo:
        text, since, due = split_markers(self.text)
        return Todo(
            text=text,
            done=self.done,
            line=self.line,
            kind=self.kind,
            since=since,
            due=due,
            children=tuple(c.freeze() for c in self.children),
        )


class _TodoCollector:
    def __init__(self, first_line: int, names: Iterable[str]) -> None:
        self.offset = first_line
        self.names = tuple(names)

    def collect(self, blocks: list[Block]) -> tuple[Todo, ...]:
        top: list[_Item] = []
        section_level: int | None = None  # level of the tomorrow heading we are under
        stack: list[tuple[int, _Item]] = []  # sub-headings inside the section
        label_list = False  # a "내일 할 일:" paragraph was just seen: the next list is the plan
        for block in blocks:
            if block.type == "heading":
                level = int(block.tag[1:])
                text = heading_text(block)
                label_list = False
                if section_level is not None and level <= section_level:
                    section_level, stack = None, []
                if section_level is None:
                    if matches_tomorrow(text, self.names):
                        section_level, stack = level, []
                    continue
                while stack and stack[-1][0] >= level:
                    stack.pop()
                item = _Item(text, False, self._line(block), "tomorrow")
                (stack[-1][1].children if stack else top).append(item)
                stack.append((level, item))
            elif block.type in ("bullet_list", "ordered_list"):
                if section_level is not None or label_list:
                    items = [self._tomorrow_item(li) for li in block.children]
                    (stack[-1][1].children if stack else top).extend(items)
                else:
                    top.extend(self._tasks(block))
                label_list = False
            elif block.type == "paragraph" and section_level is None:
                label_list = _is_label(block) and matches_tomorrow(heading_text(block), self.names)
            else:
                label_list = False
                if section_level is None:
                    for lst in _lists_inside(block):
                        top.extend(self._tasks(lst))
        return tuple(item.freeze() for item in _drop_empty(top))

    def _line(self, node: Block) -> int:
        return (node.map[0] if node.map else 0) + self.offset

    def _head(self, li: Block) -> tuple[str, bool | None]:
        """(text, checked) of a list item's first line; checked is None without a checkbox."""
        first = next((c for c in li.children if c.type == "paragraph"), None)
        if first is None or not first.children:
            return "", None
        inline = first.children[0]
        content = inline.content.strip()
        if "checked" in li.meta:  # a GFM parser already took the checkbox off
            return " ".join(content.split()), bool(li.meta["checked"])
        m = _CHECKBOX.match(content)
        if not m:
            return " ".join(content.split()), None
        return " ".join(content[m.end():].split()), m["mark"] != " "

    def _tomorrow_item(self, li: Block) -> _Item:
        text, checked = self._head(li)
        done = bool(checked) or bool(_STRUCK.match(text))
        item = _Item(text, done, self._line(li), "tomorrow")
        for sub in li.children:
            if sub.type in ("bullet_list", "ordered_list"):
                item.children.extend(self._tomorrow_item(c) for c in sub.children)
        return item

    def _tasks(self, lst: Block) -> list[_Item]:
        """Task items of a list outside the tomorrow section (other items are notes)."""
        found: list[_Item] = []
        for li in lst.children:
            text, checked = self._head(li)
            nested = [t for sub in li.children for l2 in _lists_inside(sub, include_self=True) for t in self._tasks(l2)]
            if checked is None:
                found.extend(nested)
            else:
                found.append(_Item(text, checked, self._line(li), "task", nested))
        return found


def _drop_empty(items: list[_Item]) -> list[_Item]:
    """Leave out blank items (`- ` or `- [ ]` waiting to be filled in)."""
    kept = []
    for item in items:
        item.children = _drop_empty(item.children)
        if item.text.strip() or item.children:
            kept.append(item)
    return kept


def _is_label(paragraph: Block) -> bool:
    """A short one-line paragraph such as `**내일 할 일**` or `Tomorrow:`."""
    if not paragraph.children:
        return False
    content = paragraph.children[0].content
    return "\n" not in content and len(content) <= 40


def _lists_inside(node: Block, *, include_self: bool = False) -> Iterator[Block]:
    """The outermost lists within a block (blockquotes, details...)."""
    if node.type in ("bullet_list", "ordered_list"):
        if include_self:
            yield node
        return
    for child in node.children:
        yield from _lists_inside(child, include_self=True)
