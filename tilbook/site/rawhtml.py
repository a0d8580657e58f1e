"""Raw HTML in a body, kept from breaking the page around it.

A body's HTML passes through as written (GFM, Jekyll), but the page wraps it: a `<details>`
never closed folded the previous/next links and the footer into it, a `<b>` never closed
made the rest of the page bold (browsers open it again in every block after), and a stray
`</div>` closed the page's own `<div class="body">`. GitHub shows such a post whole (its
sanitizer balances the HTML); Jekyll and MkDocs pass the damage on to the page. tilbook
balances the body's raw HTML and says where it did:

- an element opened in a paragraph (inline HTML) and still open at its end is closed
  there, as a browser closes a `<span>` at the paragraph's `</p>`;
- an element opened in an HTML block and never closed is closed at the end of the body
  (before its footnotes; one opened in a footnote, at the end of the footnotes);
- an end tag that closes another element's children first closes them;
- an end tag with nothing of its name open is dropped;
- `<a name="x"/>` (XHTML's empty element, which HTML reads as an opening) is closed at once,
  as its writer meant.

Only the raw HTML is looked at (the HTML markdown-it makes is balanced), so a body without
any costs nothing, and one whose tags pair up costs a quick look (`needs_balancing`).
Elements whose end tag HTML makes optional (`p`, `li`, `td`, ...) and void ones (`br`,
`img`) are left to the browser; the contents of `<script>`, `<style>`, `<textarea>` and of
`<svg>` and `<math>` (where `<path/>` is complete) are not read as tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.html_re import cdata, close_tag, comment, declaration, open_tag, processing
from markdown_it.token import Token

_TAG = re.compile(f"(?P<skip>{comment}|{processing}|{declaration}|{cdata})|(?P<open>{open_tag})|(?P<close>{close_tag})")
_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr", "keygen", "command", "basefont", "bgsound", "frame"})
# End tags HTML lets a writer leave out (the browser closes these where it must), and the
# document's own elements: neither can break the page.
LEFT_TO_BROWSER = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
                             "optgroup", "rt", "rp", "rb", "rtc", "colgroup", "caption", "html", "head", "body"})
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"})
FOREIGN = frozenset({"svg", "math"})


# HTML's elements: an unclosed tag of another name (`Vec<String>`, `<tensor>` in prose) was
# most likely meant as text, which the browser does not show.
ELEMENTS = frozenset("""a abbr address article aside audio b bdi bdo blockquote button canvas caption center cite
code data datalist del details dfn dialog div dl em fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6
header hgroup i iframe ins kbd label legend main map mark math menu meter nav noscript object ol output picture pre
progress q ruby s samp script search section select slot small span strike strong style sub summary sup svg table
template textarea time title tt u ul var video big nobr marquee""".split()) | VOID | LEFT_TO_BROWSER

MAX_NOTES = 10
"""Warnings one body gets; the rest are counted in one more."""


@dataclass
class _Open:
    name: str
    line: int
    inline: int  # the inline token it was opened in (its index), -1: an HTML block
    written: str = ""  # its name as written (`String` in `List<String>`)


@dataclass
class Balance:
    """What balancing found: `closing` are end tags to put before a token (its index):
    before the footnotes, for what the body left open, and at the end, for what its
    footnotes did; `notes` are (1-based line in the body, message, hint)."""

    closing: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def needs_balancing(tokens: list[Token]) -> bool:
    """Whether the raw HTML of `tokens` may break the page: read as one run of tags, an
    element (one whose end tag is not optional) is closed out of order or not at all. When
    not, whatever else is amiss stays inside the body (a browser ends a `<span>` left open
    at its paragraph's end, and ignores the stray `</span>` after). This look costs a
    fraction of `balance_raw_html`, which then runs only where it is needed (on every body
    it added 30% to rendering posts full of HTML: a Jupyter notebook exported into each)."""
    raw = []
    for token in tokens:
        if token.type == "html_block":
            raw.append(token.content)
        elif token.type == "inline" and token.children:
            raw.extend(c.content for c in token.children if c.type == "html_inline")
    if not raw:
        return False
    stack: list[str] = []
    for closing, name in _TAG_NAME.findall("".join(raw)):
        name = name.lower()
        if name in VOID or name in LEFT_TO_BROWSER:
            continue
        if name in FOREIGN:
            return True  # (`<svg/>` is whole, `<path>` needs no end: these the full reading tells)
        if not closing:
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
        else:
            return True
    return bool(stack)


def balance_raw_html(tokens: list[Token]) -> Balance:
    """Balance the raw HTML of `tokens` (a parsed body) in place: their `content` is
    changed and closing `html_inline` children are added; see the module's docstring."""
    state = _State()
    closing: list[tuple[int, str]] = []

    def close_all(index: int) -> None:
        ends = []
        while state.stack:
            state.notes.append(_unclosed(state.stack[-1], "is never closed", "at the end of the entry"))
            ends.append(state.close_top())
        if ends:
            closing.append((index, "".join(ends)))

    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else state.line
        state.line = line
        if token.type == "html_block":
            token.content = state.scan(token.content, line, inline=-1)
        elif token.type == "inline" and token.children:
            state.scan_inline(token, index, line)
        elif token.type == "footnote_block_open":
            close_all(index)  # the body's own, before the footnotes' section
    close_all(len(tokens))
    notes = sorted(state.notes, key=lambda note: note[0])
    if len(notes) > MAX_NOTES:  # a log pasted without a fence: `<tensor>` on each of 20,000 lines
        more = len(notes) - MAX_NOTES
        notes = [*notes[:MAX_NOTES], (notes[MAX_NOTES][0], f"and {more} more tags balanced in this entry",
                                      "a fence (```) around pasted output shows its <...> as text")]
    return Balance(closing, notes)


class _State:
    def __init__(self) -> None:
        self.stack: list[_Open] = []
        self.notes: list[tuple[int, str, str]] = []
        self.inside = ""  # the raw-text element (`script`) or foreign one (`svg`) open now
        self.depth = 0  # of <svg> (or <math>) elements inside the open one
        self.line = 1

    def scan_inline(self, token: Token, index: int, line: int) -> None:
        children: list[Token] = []
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                child.content = self.scan(child.content, line, inline=index)
            children.append(child)
        left = []
        while self.stack and self.stack[-1].inline == index:
            element = self.stack[-1]
            left.append(element)
            closer = Token("html_inline", "", 0)
            closer.content = self.close_top()
            children.append(closer)
        for element in reversed(left):
            self.notes.append(_unclosed(element, "is not closed in its paragraph", "at the paragraph's end"))
        token.children = children

    def close_top(self) -> str:
        """The end tags that close the innermost open element (an <svg> with the <svg>s
        inside it), taken off the stack."""
        element = self.stack.pop()
        count = 1 + self.depth if self.inside else 1
        self.inside, self.depth = "", 0
        return f"</{element.name}>" * count

    def scan(self, text: str, line: int, *, inline: int) -> str:
        out: list[str] = []
        at = 0  # text[at:] is not in `out` yet
        counted = 0  # the newlines of text[:counted] are in `line`
        for m in _TAG.finditer(text):
            if m.group("skip"):
                continue
            tag = m.group(0)
            written = _NAME.match(tag).group(1)  # type: ignore[union-attr]
            name = written.lower()
            closing = m.group("close") is not None
            if self.inside:
                self._inside(name, closing, tag.endswith("/>"))
                continue
            if name in VOID or name in LEFT_TO_BROWSER:
                continue
            line += text.count("\n", counted, m.start())
            counted, here = m.start(), line
            if not closing:
                if tag.endswith("/>"):
                    if name not in FOREIGN:  # (<svg/> is complete)
                        out.append(text[at:m.end()] + f"</{name}>")
                        at = m.end()
                    continue
                self.stack.append(_Open(name, here, inline, written))
                if name in RAW_TEXT or name in FOREIGN:
                    self.inside, self.depth = name, 0
                continue
            out.append(text[at:m.start()])
            at = m.start()
            if not any(e.name == name for e in self.stack):
                self.notes.append((here, f"</{name}> closes no <{name}>",
                                   "tilbook leaves it out (it would close the page's own elements); delete it, or "
                                   f"open the <{name}> it ends in the same paragraph or HTML block"))
                at = m.end()
                continue
            while self.stack[-1].name != name:
                inner = self.stack.pop()
                self.notes.append(_unclosed(inner, f"is not closed before the </{name}> around it", "there"))
                out.append(f"</{inner.name}>")
            self.stack.pop()
        out.append(text[at:])
        return "".join(out)

    def _inside(self, name: str, closing: bool, empty: bool) -> None:
        """A tag inside a <script> (text to the browser up to `</script>`) or an <svg>
        (where `<path/>` is complete and only the svg's own end matters)."""
        if name != self.inside or empty:
            return
        if not closing:
            self.depth += self.inside in FOREIGN
        elif self.depth:
            self.depth -= 1
        else:
            self.inside = ""
            self.stack.pop()  # its opening: nothing was opened after it


def _unclosed(element: _Open, what: str, where: str) -> tuple[int, str, str]:
    name = element.name
    if name not in ELEMENTS and "-" not in name:  # (a name with a hyphen is a custom element)
        shown = element.written or name
        return (element.line, f"<{shown}> is read as an HTML tag, and the page does not show it",
                f"to show it as text, put it in backticks (`<{shown}>`) or write \\<{shown}>")
    return (element.line, f"<{name}> {what}", f"tilbook closes it {where}; add </{name}> where it should end")
