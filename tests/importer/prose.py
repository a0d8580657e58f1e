"""The content check of an import (every word of a source post's prose is in its built page),
and the corpora it is run on.

Prose is the post without front matter, Liquid/shortcodes, HTML tags, comments, scripts
and styles, link destinations, images and emoji shortcodes; a word is a run of letters
and digits (NFC, case-folded), found in the page's text. Used by the corpus tests and by bench/import_corpora.py.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

from tilbook.journal.parse import split_front_matter

# The corpora of ../shared/corpora as `tilbook import` takes them: kind, folder, the old
# site's address, posts. And the workspace they are imported into (attr_list on).
CORPUS_SOURCES = [
    ("jekyll", "teddylee777__teddylee777.github.io", "https://teddylee777.github.io", 102),
    ("jekyll", "soohyun-chris-jeon__soohyun-chris-jeon.github.io", "https://soohyun-chris-jeon.github.io", 110),
    ("zola", "rust-lang__blog.rust-lang.org", "https://blog.rust-lang.org", 150),
    ("mkdocs", "simonw__til", "https://til.simonwillison.net", 150),
]
ATTR_CONFIG = """site_name: Imported
site_url: https://me.github.io/
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - footnotes
  - attr_list
tilbook:
  timezone: Asia/Seoul
  entry_path: "{year}-{month}-{day}-{slug}.md"
"""

_DROP = [
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I),
    re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S),  # Liquid, Hugo and Zola shortcodes
    re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\((?:[^()]|\([^()]*\))*\)"),  # images: their alt is an attribute
    re.compile(r"!\[[^\]]*\]\[[^\]]*\]"),
    re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:.*$", re.M),  # reference definitions
    re.compile(r"\]\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\))*\)"),  # link destinations
    re.compile(r"\[\^[^\]\n]+\]:?"),  # footnote labels: drawn as numbers
    re.compile(r"\]\[[^\]\n]*\]"),  # reference links' labels
    re.compile(r"<[a-zA-Z/!][^>]*>"),  # tags (their attributes hold base64 images, styles, addresses)
    re.compile(r"\{:[^}\n]*\}"),  # kramdown attribute lists
    re.compile(r":[a-z0-9_+-]+:"),  # emoji shortcodes
    re.compile(r"^([ \t>]*(?:`{3,}|~{3,})).*$", re.M),  # a fence's info string names a language, not shown
    re.compile(r"^[ \t>]*\d+[.)](?=[ \t])", re.M),  # an ordered list's numbers are drawn, not text
]
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", text))}


def prose_words(source: str) -> set[str]:
    """The words of a source post's prose."""
    try:
        body = split_front_matter(source.replace("\r\n", "\n"))[2]
    except ValueError:
        body = source
    # autolinks <https://x.y/z> show their address as text: keep it, as text
    body = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r" \1 ", body)
    for pattern in _DROP:
        body = pattern.sub(" ", body)
    return words(html.unescape(body))


# Tags that separate words; inline ones (a highlighted token's <span>) do not.
_BLOCKS = {"p", "div", "li", "ul", "ol", "br", "td", "th", "tr", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5",
           "h6", "hr", "dt", "dd", "section", "article", "header", "footer", "nav", "table", "figure", "figcaption",
           "details", "summary", "img", "sup", "sub", "main", "aside"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def page_text(page_html: str) -> str:
    """The text a reader sees on a built page (NFC, case-folded)."""
    parser = _Text()
    parser.feed(page_html)
    return unicodedata.normalize("NFC", "".join(parser.parts)).casefold()


def lost_words(source: str, page_html: str) -> set[str]:
    """Words of the source's prose that are nowhere in the page's text. A word may sit
    inside a longer run there: `**파이썬**이다` is two runs in Markdown, one on the page."""
    text = page_text(page_html)
    return {w for w in prose_words(source) if w not in text}
