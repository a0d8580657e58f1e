"""Emphasis that works in Korean (and Chinese and Japanese): `**코드 포매터(formatter)**는`.

CommonMark decides whether a run of `*`, `_` or `~` can open or close emphasis by what is
on either side of it. A closing `**` after punctuation must be followed by a space or more
punctuation, so `**강조(괄호)**는` and `**'블로킹'**시켜` show their asterisks: Korean
writes particles straight after the word. Jekyll's kramdown made these bold, so every
imported Korean blog has them (about 170 in the two Korean corpora), and people keep writing
them. GitHub shows the asterisks.

This is the "CJK-friendly amendments" to CommonMark (github.com/tats-u/markdown-cjk-friendly,
proposed in commonmark-spec issue 650), written here for markdown-it-py: a delimiter run
next to punctuation also counts as flanking when the character on its other side is a CJK
character (Hangul, or East Asian Wide, Fullwidth or Halfwidth, emoji aside). Text without
CJK characters next to a delimiter parses exactly as CommonMark says (a property test holds
it to that).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Scanned, StateInline

_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))


def is_cjk(ch: str) -> bool:
    """A CJK character in the amendments' sense: Hangul, or East Asian Wide, Fullwidth or
    Halfwidth and not an emoji shown as one by default."""
    cp = ord(ch)
    if any(lo <= cp <= hi for lo, hi in _HANGUL):
        return True
    if unicodedata.east_asian_width(ch) not in ("W", "F", "H"):
        return False
    if 0x1F000 <= cp <= 0x1FAFF:
        return False  # emoji and their symbols
    if 0x2300 <= cp <= 0x2BFF:
        return cp in (0x2329, 0x232A)  # the wide characters here are emoji (⌚, ⭐, ✅), but for two brackets
    return True


def _is_punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def scan_delims(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """`StateInline.scanDelims` with the amended definitions of left- and right-flanking."""
    src, maximum = state.src, state.posMax
    marker = src[start]
    pos = start
    while pos < maximum and src[pos] == marker:
        pos += 1
    last = src[start - 1] if start > 0 else " "  # the line's ends count as white space
    nxt = src[pos] if pos < maximum else " "
    ivs = 0xE0100 <= ord(last) <= 0xE01EF  # an ideographic variation selector ends a CJK character
    if 0xFE00 <= ord(last) <= 0xFE0E and start > 1:
        last = src[start - 2]  # a variation selector: the character it varies decides

    last_ws, next_ws = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    last_punct, next_punct = _is_punct(last), _is_punct(nxt)
    last_cjk, next_cjk = ivs or is_cjk(last), is_cjk(nxt)

    left = not next_ws and (not (next_punct and not next_cjk) or last_ws or last_punct or last_cjk)
    right = not last_ws and (not (last_punct and not last_cjk) or next_ws or next_punct or next_cjk)
    can_open = left and (can_split_word or not right or last_punct)
    can_close = right and (can_split_word or not left or next_punct)
    return Scanned(can_open, can_close, pos - start)


def wrap_rule(ruler: Any, name: str, wrap: Callable[[Callable[..., bool]], Callable[..., bool]]) -> None:
    """Replace the rule `name` of a markdown-it ruler by `wrap(rule)`: markdown-it's (or a
    plugin's) own rule still does the work, inside the wrapper. No such rule: nothing."""
    for rule in ruler.__rules__:
        if rule.name == name:
            ruler.at(name, wrap(rule.fn))


class _CjkStateInline(StateInline):
    """An inline parse whose delimiter runs are scanned the amended way."""

    scanDelims = scan_delims  # type: ignore[assignment]


def cjk_friendly_plugin(md: MarkdownIt, **_: Any) -> None:
    """Emphasis and strikethrough scanned the CJK-friendly way: markdown-it's own rules run,
    on an inline state whose `scanDelims` is `scan_delims`.

    The state is made that way rather than given the method as each parse begins: a wrapper
    that checked `state.__dict__` for it cost a sixth of parsing a Korean body, as reading
    an object's `__dict__` makes Python build one, and the state then lost its fast
    attribute access for the rest of the parse."""
    inline = md.inline

    def parse(src: str, md: MarkdownIt, env: Any, tokens: list[Any]) -> list[Any]:
        # `ParserInline.parse` with the state class ours (markdown-it names it in the body)
        state = _CjkStateInline(src, md, env, tokens)
        inline.tokenize(state)
        for rule in inline.ruler2.getRules(""):
            rule(state)
        return state.tokens

    inline.parse = parse  # type: ignore[method-assign]
