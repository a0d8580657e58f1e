"""Entry bodies → HTML with markdown-it-py: GFM as GitHub renders it, plus the MkDocs
`markdown_extensions` that have a markdown-it equivalent.

Why not Python-Markdown (MkDocs' engine): on the 512 real posts in ../shared/corpora it
matches GitHub's block structure in 52% of posts, markdown-it-py in 96% (DESIGN.md).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Protocol
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm import gfm_plugin
from mdit_py_plugins.texmath import texmath_plugin

from tilbook.config.model import Config, MarkdownExtension
from tilbook.errors import Problem
from tilbook.journal.body import token_text
from tilbook.journal.emphasis import cjk_friendly_plugin, wrap_rule
from tilbook.journal.slug import slugify
from tilbook.site.i18n import box_titles
from tilbook.site.rawhtml import balance_raw_html, needs_balancing

# MkDocs extensions tilbook honours. Some are what GFM does anyway (fenced_code, tables,
# sane_lists, meta: the front matter, pymdownx.tilde: ~~strike~~, pymdownx.magiclink:
# autolinks, pymdownx.betterem, pymdownx.saneheaders); md_in_html is CommonMark's HTML
# block, whose Markdown is read when blank lines set it apart from the tags. Any other
# (abbr, pymdownx.emoji, pymdownx.inlinehilite, ...) is a warning naming it.
SUPPORTED_EXTENSIONS = {
    "toc", "tables", "footnotes", "admonition", "attr_list", "def_list", "md_in_html",
    "fenced_code", "codehilite", "sane_lists", "smarty", "meta", "nl2br",
    "pymdownx.tasklist", "pymdownx.arithmatex", "pymdownx.superfences", "pymdownx.highlight",
    "pymdownx.tilde", "pymdownx.magiclink", "pymdownx.details", "pymdownx.betterem", "pymdownx.saneheaders",
}
_PREFIXES = ("markdown.extensions.",)


def extension_name(ext: MarkdownExtension) -> str:
    name = ext.name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name


def extension_warnings(config: Config) -> list[Problem]:
    """A warning for each configured extension tilbook cannot honour."""
    found = []
    for ext in config.markdown_extensions:
        if extension_name(ext) not in SUPPORTED_EXTENSIONS:
            found.append(Problem(
                f"extension '{ext.name}' has no markdown-it equivalent in tilbook; ignored",
                path=config.display_path(config.config_path), line=ext.line, key="markdown_extensions",
                hint="remove it, or tell us which syntax you need", severity="warning",
            ))
    return found


@dataclass(frozen=True)
class MarkdownOptions:
    """What changes how a body renders; part of the render cache key."""

    math: bool
    admonition: bool
    attr_list: bool
    def_list: bool
    nl2br: bool
    toc_depth: int
    permalink: bool = False
    """`toc: {permalink: true}`: a ¶ link after each heading."""
    smarty: bool = False
    """Curly quotes, dashes and ellipses (markdown-it's typographer)."""
    box_titles: tuple[tuple[str, str], ...] = ()
    """Titles of admonitions and GitHub alerts left untitled, by kind, in the site's language
    (`i18n.box_titles`)."""


def markdown_options(config: Config, *, math: bool) -> MarkdownOptions:
    names = {extension_name(e) for e in config.markdown_extensions}
    toc = next((e for e in config.markdown_extensions if extension_name(e) == "toc"), None)
    depth = toc.options.get("toc_depth", 3) if toc else 3
    permalink = bool(toc.options.get("permalink")) if toc else False
    return MarkdownOptions(
        math=math or "pymdownx.arithmatex" in names,
        admonition="admonition" in names or "pymdownx.details" in names,
        attr_list="attr_list" in names,
        def_list="def_list" in names,
        nl2br="nl2br" in names,
        toc_depth=depth if isinstance(depth, int) else 3,
        permalink=permalink,
        smarty="smarty" in names,
        box_titles=box_titles(config.theme.language),
    )


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class TocNode:
    level: int
    id: str
    text: str
    children: tuple[TocNode, ...]


def toc_tree(headings: Iterable[Heading]) -> list[TocNode]:
    """Nest a body's headings as its table of contents shows them: each goes under the
    nearest heading before it of a higher level (an h4 right after an h2 goes under the h2;
    an h2 after an h3 that opened the body is beside it)."""
    top: list[tuple[Heading, list]] = []
    open_: list[tuple[int, list]] = []  # (level, children) of the headings that can still take children
    for heading in headings:
        while open_ and open_[-1][0] >= heading.level:
            open_.pop()
        children: list = []
        (open_[-1][1] if open_ else top).append((heading, children))
        open_.append((heading.level, children))

    def freeze(nodes: list[tuple[Heading, list]]) -> tuple[TocNode, ...]:
        return tuple(TocNode(h.level, h.id, h.text, freeze(kids)) for h, kids in nodes)

    return list(freeze(top))


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: tuple[Heading, ...]
    has_math: bool
    has_code: bool
    links: tuple[str, ...] = ()
    """Other entries this body links to (docs-relative paths), and notebooks (`nb:NAME`);
    their URLs fill placeholders."""
    assets: tuple[str, ...] = ()
    """Local files this body uses (docs-relative paths), to copy into the site."""
    posts: tuple[str, ...] = ()
    """Jekyll `{% post_url NAME %}` targets, resolved like `links`."""
    notes: tuple[Problem, ...] = ()
    """Warnings found while rendering (Liquid left as text, raw HTML balanced, ...). As
    `render_tokens` makes them, without a path and with lines counted from the body's first;
    the build places them in the entry's file (`bodies._with_notes`)."""
    key: str = ""
    """Hash of the HTML and the link targets: what entry pages depend on."""
    summary: str = ""
    """The excerpt as plain text, for cards and feeds (filled in by the build)."""
    summary_html: str = ""
    """The excerpt as HTML with its math marked for KaTeX, for cards; empty when it has
    no math (cards show `summary`)."""
    image: str = ""
    """Its first Markdown image's address as the page links it (under the base path, or
    another host's URL): what a link preview shows (`og:image`); empty when it has none."""
    title_id: str = ""
    """The id of the first heading when it was left out for repeating the title: the page's
    title carries it, so links to that heading (`entry.md#title`, as GitHub shows it) land."""


# How a link to another host begins: a scheme (`https:`, `mailto:`) or `//`. The body's
# links (here) and the todo page's (`render.inline_markdown`) tell them apart with it.
ELSEWHERE = r"[a-zA-Z][a-zA-Z0-9+.-]*:|//"
_SCHEME = re.compile(rf"^(?:{ELSEWHERE})|^#")


def link_rewriter(rel_path: str, base: str) -> Callable[[str, set[str], set[str]], str]:
    """A function that maps a link target found in the entry at `rel_path` to its site URL.

    Root-absolute links get the base path; `other.md` links become `tilbook:entry/...`
    placeholders and `nb:NAME` links `tilbook:nb/NAME` ones (resolved when every entry's and
    notebook's URL is known); other relative links are local files, rewritten to where the
    build copies them.
    """
    folder = posixpath.dirname(rel_path)

    def rewrite(target: str, links: set[str], assets: set[str]) -> str:
        if target.startswith("nb:"):  # a notebook of the freeze store, by name
            name, _, frag = target[3:].partition("#")
            links.add("nb:" + name)
            return f"tilbook:nb/{name}" + (f"#{frag}" if frag else "")
        if not target or _SCHEME.match(target):
            return target
        if target.startswith("/"):
            return target if (base and target.startswith(base + "/")) else base + target
        path, _, frag = target.partition("#")
        path = path.split("?", 1)[0]
        resolved = posixpath.normpath(posixpath.join(folder, unquote(path)))
        if resolved.startswith("../") or resolved == "..":
            return target
        if resolved.lower().endswith((".md", ".markdown")):
            links.add(resolved)
            return f"tilbook:entry/{resolved}" + (f"#{frag}" if frag else "")
        assets.add(resolved)
        return quote(f"{base}/{resolved}", safe="/%:@!$&'()*+,;=~-._") + (f"#{frag}" if frag else "")

    return rewrite


class FragmentCache(Protocol):
    def get_fragment(self, key: str) -> str | None: ...

    def put_fragment(self, key: str, html: str) -> None: ...


# Where highlighted code blocks are kept between builds (the build's HtmlStore, set per
# process by `use_fragment_cache`). Pygments is most of the cost of rendering a body with
# code, and building a lexer's regexes the first time costs 0.17 s (Python's): an edited
# entry whose code blocks did not change is rendered without them.
_FRAGMENTS: list[FragmentCache] = []
# Part of every kept block's key, with tilbook's and Pygments' versions: bump it when what
# `_highlight_now` returns changes.
HIGHLIGHT_FORMAT = 1


def use_fragment_cache(cache: FragmentCache | None) -> None:
    """Keep highlighted code blocks in `cache` (None: highlight every time)."""
    _FRAGMENTS[:] = [cache] if cache is not None else []


def _highlight(code: str, lang: str, attrs: str) -> str:
    name = lang.strip().split()[0].lower() if lang.strip() else ""
    if not name:
        return ""  # markdown-it escapes and wraps it
    key = None
    if _FRAGMENTS:
        from pygments import __version__ as pygments_version

        from tilbook import __version__

        tag = f"{HIGHLIGHT_FORMAT}\0{__version__}\0{pygments_version}\0{lang.strip()}\0"
        key = "hl:" + hashlib.blake2b((tag + code).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        kept = _FRAGMENTS[0].get_fragment(key)
        if kept is not None:
            return kept
    done = _highlight_now(code, lang, name)
    if key is not None:
        _FRAGMENTS[0].put_fragment(key, done)
    return done


def _highlight_now(code: str, lang: str, name: str) -> str:
    from pygments import highlight
    from pygments.util import ClassNotFound

    lexer = _lexer(name)
    if lexer is None:
        return ""
    try:
        body = highlight(code, lexer, _formatter())
    except ClassNotFound:  # pragma: no cover
        return ""
    css_lang = html.escape(lang.strip().split()[0])
    return f'<pre class="highlight"><code class="language-{css_lang}">{body}</code></pre>\n'


@lru_cache(maxsize=256)
def _lexer(name: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    if not name:
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def _math_inline(content: str, env: dict[str, Any]) -> str:
    env["has_math"] = True
    return f'<span class="math inline">\\({html.escape(content)}\\)</span>'


def _math_block(content: str, env: dict[str, Any]) -> str:
    env["has_math"] = True
    return f'<div class="math block">\\[{html.escape(content)}\\]</div>\n'


_DOLLARMATH = {"allow_space": False, "allow_digits": True, "allow_blank_lines": False, "double_inline": True}


# The ¶ link `toc: {permalink: true}` puts after each heading (the theme shows it on hover);
# feeds and the search index leave it out: a feed reader has no hover, and shows every one.
PERMALINK = re.compile(r'<a class="header-anchor" href="[^"]*">[^<]*</a>')
_SPACED_PERMALINK = re.compile(" " + PERMALINK.pattern)


def strip_permalinks(html: str) -> str:
    """`html` without its headings' ¶ links, and the space before each. (In two passes: a
    pattern that starts with an optional space is not searched for by its text, and took
    16 times as long over a body.)"""
    if 'class="header-anchor"' not in html:
        return html
    return PERMALINK.sub("", _SPACED_PERMALINK.sub("", html))


@lru_cache(maxsize=8)
def parser(options: MarkdownOptions) -> MarkdownIt:
    """A configured parser; safe to reuse: per-document state lives in `env`."""
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight, "breaks": options.nl2br,
                                   "typographer": options.smarty})
    if options.smarty:
        md.enable(["replacements", "smartquotes"])
    md.use(gfm_plugin)
    wrap_rule(md.inline.ruler, "gfm_autolink_protocol", _only_after_a_scheme)
    md.use(cjk_friendly_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=lambda s: slugify(s) or "section",
           permalink=options.permalink, permalinkSymbol="¶")
    if options.math:
        md.use(dollarmath_plugin, **_DOLLARMATH, renderer=_math_inline, label_renderer=None)
        md.use(texmath_plugin, delimiters="brackets")  # \( \) and \[ \]: arithmatex's, MathJax's, Jupyter's
        _use_block_math_renderer(md)
    if options.admonition:
        md.use(admon_plugin)
        md.core.ruler.push("collapsible_details", _collapsible_as_details)
    if options.box_titles:
        titles = dict(options.box_titles)
        md.core.ruler.after("block", "box_titles", lambda state: _title_untitled_boxes(state, titles))
    if options.attr_list:
        md.use(attrs_plugin)
        md.use(attrs_block_plugin)
        _liquid_is_not_attributes(md)
    if options.def_list:
        md.use(deflist_plugin)
    _label_task_items(md)
    return md


_SCHEMES = ("http", "https", "mailto", "xmpp")


def _only_after_a_scheme(rule: Callable[..., bool]) -> Callable[..., bool]:
    """mdit-py-plugins' `http://` autolink rule, tried only at a `:` right after a scheme's
    name. At every `:` it searched the paragraph's text so far for one (an unanchored regex)
    and copied the rest of the paragraph: quadratic, 6.6 s for a 20,000-line log pasted
    without a fence (bench/pathological.py). The rule matches only a scheme that ends the
    text so far, so nothing else changes (tests/site/test_units.py holds it to that)."""

    def protocol(state: Any, silent: bool) -> bool:
        return state.pending.endswith(_SCHEMES) and rule(state, silent)

    return protocol


def _title_untitled_boxes(state: Any, titles: dict[str, str]) -> None:
    """An admonition written without a title (`!!! note`) and a GitHub alert (`> [!TIP]`,
    which has none) are titled in the site's language ("참고", "팁"), not with the kind's
    English name; runs before inline parsing reads the titles."""
    if "!!!" not in state.src and "???" not in state.src and "[!" not in state.src:
        return  # (most bodies: no token to look at)
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "alert_open":
            kind = str(token.meta.get("kind", "")).lower()
        elif token.type == "admonition_open" and token.info.strip().lower() == token.meta.get("tag"):
            kind = token.meta["tag"]
        else:
            continue
        if kind in titles and i + 2 < len(tokens) and tokens[i + 1].type in ("alert_title_open", "admonition_title_open"):
            tokens[i + 2].content = titles[kind]


def _collapsible_as_details(state: Any) -> None:
    """`??? note "Title"` (pymdownx.details) as a `<details>` with the title as its
    `<summary>`, open with `???+`: it folds without a script, as Material shows it. (The
    plugin made a `<div class="is-collapsible">` that only a script could fold, and none did.)"""
    stack: list[bool] = []
    for token in state.tokens:
        if token.type == "admonition_open":
            folds = token.markup.startswith("?")
            stack.append(folds)
            if folds:
                token.tag = "details"
                classes = str(token.attrs.get("class", "")).replace(" is-collapsible", "")
                token.attrs["class"] = classes.replace(" collapsible-open", "").replace(" collapsible-closed", "")
                if token.markup.endswith("+"):
                    token.attrs["open"] = ""
        elif token.type == "admonition_close" and stack:
            if stack.pop():
                token.tag = "details"
        elif token.type in ("admonition_title_open", "admonition_title_close") and stack and stack[-1]:
            token.tag = "summary"


def _is_task_item(token: Token) -> bool:
    return token.type == "list_item_open" and bool(token.meta) and "checked" in token.meta


def _label_task_items(md: MarkdownIt) -> None:
    """A task item's checkbox inside a `<label>` with the item's first paragraph: its
    accessible name (WCAG 4.1.2; axe's `label` rule) is the item's text, read once. As
    markdown-it renders it (`<li><input> text`, as GitHub does) a screen reader heard only
    "checkbox, not checked". An item that opens with another block keeps the bare box."""

    from markdown_it.renderer import RendererHTML

    def box(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        """The checkbox markdown-it's own `list_item_open` puts after the `<li>` at `idx`."""
        return RendererHTML.list_item_open(self, tokens, idx, options, env)[len(self.renderToken(tokens, idx, options, env)):]

    def item_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        if _is_task_item(tokens[idx]) and idx + 1 < len(tokens) and tokens[idx + 1].type == "paragraph_open":
            return self.renderToken(tokens, idx, options, env)  # its box goes into the paragraph's <label>
        return RendererHTML.list_item_open(self, tokens, idx, options, env)

    def paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        opened = self.renderToken(tokens, idx, options, env)
        if idx and _is_task_item(tokens[idx - 1]):
            return opened + "<label>" + box(self, tokens, idx - 1, options, env)
        return opened

    def paragraph_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        closed = self.renderToken(tokens, idx, options, env)
        return "</label>" + closed if idx >= 3 and _is_task_item(tokens[idx - 3]) else closed

    md.add_render_rule("list_item_open", item_open)
    md.add_render_rule("paragraph_open", paragraph_open)
    md.add_render_rule("paragraph_close", paragraph_close)


def _liquid_is_not_attributes(md: MarkdownIt) -> None:
    """A line `{% include sidebar.html %}` is Liquid left as text, not an attribute block:
    the plugin's syntax (Djot's) reads `%…%` as a comment, so the line was an empty attribute
    block and vanished from the page (attr_list on; Python-Markdown's attr_list has no such
    comments)."""

    def not_on_liquid(parse_attrs: Callable[..., bool]) -> Callable[..., bool]:
        def attr(state: Any, start: int, end: int, silent: bool) -> bool:
            if state.src.startswith("{%", state.bMarks[start] + state.tShift[start]):
                return False
            return parse_attrs(state, start, end, silent)

        return attr

    wrap_rule(md.block.ruler, "attr", not_on_liquid)


def _use_block_math_renderer(md: MarkdownIt) -> None:
    def block(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        return _math_block(tokens[idx].content.strip(), env)

    def inline(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        return _math_inline(tokens[idx].content, env)

    def numbered(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        """`\\[ E = mc^2 \\] (1)`: the number as KaTeX's \\tag."""
        return _math_block(f"{tokens[idx].content.strip()} \\tag{{{tokens[idx].info.strip()}}}", env)

    for name in ("math_block", "math_block_label"):
        md.add_render_rule(name, block)
    md.add_render_rule("math_block_eqno", numbered)
    md.add_render_rule("math_inline", inline)
    md.add_render_rule("math_inline_double", block)


def _plain(inline: Token) -> str:
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def render_markdown(
    text: str, options: MarkdownOptions, *, link: Callable[[str, set[str], set[str]], str] | None = None,
    title: str | None = None,
) -> RenderedBody:
    """Render a body. `link` (see `link_rewriter`) rewrites link and image targets; see
    `render_tokens` for `title`."""
    env: dict[str, Any] = {}
    tokens = parser(options).parse(text, env)
    return render_tokens(tokens, env, options, link=link, title=title)


def render_tokens(
    tokens: list[Token],
    env: dict[str, Any],
    options: MarkdownOptions,
    *,
    link: Callable[[str, set[str], set[str]], str] | None = None,
    title: str | None = None,
) -> RenderedBody:
    """Render tokens made by `parser(options)` (with the `env` of that parse). A first `# heading`
    that says the entry's `title` again is left out: the page shows the title above the body.
    Raw HTML is balanced (`rawhtml`), with a note for each change."""
    md = parser(options)
    title_id = ""
    if (title and len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1"
            and _plain(tokens[1]).casefold() == " ".join(title.split()).casefold()):
        title_id = str(tokens[0].attrs.get("id") or "")
        tokens = tokens[3:]
    links: set[str] = set()
    assets: set[str] = set()
    toc: list[Heading] = []
    has_code = False
    image = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1])
            if level <= options.toc_depth and token.attrs.get("id"):
                toc.append(Heading(level, str(token.attrs["id"]), _plain(tokens[i + 1])))
        elif token.type in ("fence", "code_block"):
            has_code = True
        elif link is not None and token.type == "inline":
            for child in token.children or ():
                if child.type == "link_open" and "href" in child.attrs:
                    child.attrs["href"] = link(str(child.attrs["href"]), links, assets)
                elif child.type == "image" and "src" in child.attrs:
                    child.attrs["src"] = src = link(str(child.attrs["src"]), links, assets)
                    if not image and src.startswith(("/", "https://", "http://")):
                        image = "https:" + src if src.startswith("//") else src  # no scheme: another host's
    notes: tuple[Problem, ...] = ()
    if needs_balancing(tokens):
        balanced = balance_raw_html(tokens)
        for at, end_tags in reversed(balanced.closing):
            closing = Token("html_block", "", 0)
            closing.content = end_tags + "\n"
            tokens = [*tokens[:at], closing, *tokens[at:]]
        notes = tuple(Problem(message, line=line, hint=hint, severity="warning") for line, message, hint in balanced.notes)
    body = md.renderer.render(tokens, md.options, env)
    posts = tuple(sorted(set(re.findall(r'"tilbook:post/([^"#]*)', body))))
    return RenderedBody(
        body, tuple(toc), bool(env.get("has_math")), has_code, tuple(sorted(links)), tuple(sorted(assets)), posts,
        notes=notes, image=image, title_id=title_id,
        key=hashlib.blake2b((body + "\0" + title_id).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(),
    )


@lru_cache(maxsize=1)
def _excerpt_math_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["strikethrough"]).use(cjk_friendly_plugin)
    md.use(dollarmath_plugin, **_DOLLARMATH).use(texmath_plugin, delimiters="brackets")
    return md


def text_and_math(markdown: str) -> list[tuple[bool, str]]:
    """Inline Markdown as runs of (is TeX, text): markup dropped, code kept, white space
    collapsed, `$…$` found as bodies with math find it."""
    runs: list[tuple[bool, str]] = []
    for inline in _excerpt_math_parser().parseInline(markdown, {}):
        for token in inline.children or ():
            if token.type.startswith("math_inline"):
                runs.append((True, token.content.strip()))
                continue
            text = token_text(token)
            if text is None:
                continue
            if runs and not runs[-1][0]:
                runs[-1] = (False, runs[-1][1] + text)
            else:
                runs.append((False, text))
    runs = [(tex, part if tex else re.sub(r"\s+", " ", part)) for tex, part in runs]
    if runs and not runs[0][0]:
        runs[0] = (False, runs[0][1].lstrip())
    if runs and not runs[-1][0]:
        runs[-1] = (False, runs[-1][1].rstrip())
    return [run for run in runs if run[1]]
