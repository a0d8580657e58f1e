"""Pages → bytes with the Jinja2 theme (built in, overridable file by file via theme.custom_dir)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from tilbook.config.model import Config
from tilbook.errors import BuildError
from tilbook.site.collect import Page
from tilbook.site.i18n import counted
from tilbook.site.markdown import ELSEWHERE, toc_tree
from tilbook.site.theme import theme_files, theme_root

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Markup:
    """Escaped for XML, without the characters XML 1.0 forbids (they break feed readers)."""
    text = _XML_ILLEGAL.sub("", str(value))
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


@lru_cache(maxsize=4)
def _environment(custom_dir: Path | None, theme: str, compiled: Path | None) -> jinja2.Environment:
    """The theme's Jinja environment, for the theme files whose key is `theme`: templates do
    not change during a build, so they are not checked for changes at every page (three
    stats a page), and an edited template gives a new key and a new environment. Compiled
    templates are kept in `compiled` (Jinja checks each against its source): compiling the
    theme was a tenth of a one-entry rebuild."""
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(compiled))
    loaders: list[jinja2.BaseLoader] = []
    if custom_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(custom_dir)))
    loaders.append(jinja2.FileSystemLoader(str(theme_root())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=cache,
    )
    env.filters["xml_text"] = xml_text
    env.filters["toc_tree"] = toc_tree
    env.filters["counted"] = counted
    env.filters["inline_markdown"] = inline_markdown
    env.globals["each_card"] = _card_memo()
    return env


def _card_memo(limit: int = 50_000) -> Any:
    """The theme's `each_card(name, cards, macro)`: `macro(card)` for each card, joined, each
    made once per card and name for this environment (the theme's files, so the macro, are
    fixed for it). A macro sees only its arguments, and a card's `key` hashes every field,
    so a kept item is what the macro would give again. A category's page of 2,000 entries
    took 16 ms to make, and a one-entry rebuild makes it again."""
    kept: dict[tuple[str, str], str] = {}

    def each_card(name: str, cards: Any, macro: Any) -> Markup:
        if len(kept) > limit:
            kept.clear()
        out = []
        for card in cards:
            item = kept.get((name, card.key))
            if item is None:
                item = kept[(name, card.key)] = str(macro(card))
            out.append(item)
        return Markup("".join(out))  # each item is the markup its macro made

    return each_card


def environment(config: Config, key: str | None = None, compiled: Path | None = None) -> jinja2.Environment:
    """The environment for the config's theme; `key`: its `theme_key`, when known;
    `compiled`: a folder for compiled templates (a cache)."""
    from tilbook.site.theme import theme_key

    return _environment(config.theme.custom_dir, key or theme_key(config), compiled)


def render_page(env: jinja2.Environment, page: Page) -> bytes:
    try:
        template = env.get_template(page.template)
        return template.render(**page.context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"theme template error: {exc.message}", path=exc.filename or page.template, line=exc.lineno,
                         hint="fix the template in theme.custom_dir") from exc
    except jinja2.TemplateError as exc:
        raise BuildError(f"rendering {page.path} with {page.template} failed: {exc}", path=page.template,
                         hint="check the template in theme.custom_dir against the built-in one") from exc


@lru_cache(maxsize=4096)
def inline_markdown(text: str) -> Markup:
    """One line of Markdown as the body renders it inline (code spans, emphasis, links),
    without raw HTML: a todo item is written in Markdown (`` `torch.compile` 써 보기 ``) and
    its backticks are not meant to show. `{{ text | inline_markdown }}` in a template.

    A link to a web address stays a link; one to a file of the journal (`[어제 글](2026-11-20.md)`)
    keeps only its text: without the entry it was written in, its address cannot be resolved,
    and on the todo page it would lead nowhere."""
    return Markup(_RELATIVE_LINK.sub(r"\1", _inline_parser().renderInline(text).strip()))


_RELATIVE_LINK = re.compile(rf'<a href="(?!{ELSEWHERE})[^"]*">(.*?)</a>', re.S)


@lru_cache(maxsize=1)
def _inline_parser() -> Any:
    from markdown_it import MarkdownIt

    from tilbook.journal.emphasis import cjk_friendly_plugin

    return MarkdownIt("commonmark", {"html": False}).enable(["strikethrough"]).use(cjk_friendly_plugin)


# Code blocks' background in the built-in theme (--code-bg in tilbook.css), light and dark.
CODE_BACKGROUNDS = ("#f4f6f8", "#1c2128")
MIN_CONTRAST = 4.5
"""WCAG 2's AA level for body-size text."""


@lru_cache(maxsize=1)
def pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    # The page's background, not the style's. And no "Error" look: Pygments marks what its
    # lexer could not read (`──▶` in a diagram in a ```java block, a stray backtick), not
    # mistakes in the code, and a red box around an arrow reads as one.
    light, dark = (re.sub(r"\.highlight \{ background: [^;]+; \}|\.highlight \.err \{[^}]*\}[^\n]*", "", css)
                   for css in (light, dark))
    # friendly's comments, numbers and string escapes are pale (2.5-3.9 : 1 on the code
    # background): each colour is taken darker (lighter in dark mode), its hue kept, to AA.
    light, dark = (re.sub(r"(?<![-\w])(color: )(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b",
                          lambda m, bg=bg: m[1] + readable_color(m[2], bg), css)  # type: ignore[misc]
                   for css, bg in zip((light, dark), CODE_BACKGROUNDS))
    return f"\n/* Pygments */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _rgb(color: str) -> tuple[float, float, float]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21)."""
    def luminance(color: str) -> float:
        r, g, b_ = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in _rgb(color))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def readable_color(color: str, background: str) -> str:
    """`color` if it has MIN_CONTRAST on `background`; else the nearest lightness of its hue
    (darker on a light background, lighter on a dark one) that has: luminance only grows
    with lightness, so a bisection finds it."""
    import colorsys

    if contrast(color, background) >= MIN_CONTRAST:
        return color
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(color))

    def at(value: float) -> str:
        return "#%02x%02x%02x" % tuple(round(v * 255) for v in colorsys.hls_to_rgb(hue, value, saturation))

    # `good` reaches the contrast (black or white always does), `bad` does not
    good, bad = (0.0, lightness) if colorsys.rgb_to_hls(*_rgb(background))[1] > 0.5 else (1.0, lightness)
    for _ in range(16):
        middle = (good + bad) / 2
        good, bad = (middle, bad) if contrast(at(middle), background) >= MIN_CONTRAST else (good, middle)
    return at(good)


def asset_files(config: Config, *, math: bool) -> dict[str, bytes]:
    """Files under `assets/` in the site: the theme's (custom_dir wins), KaTeX only with math."""
    out: dict[str, bytes] = {}
    for rel, path in theme_files(config).items():
        if not rel.startswith("assets/") or (rel.startswith("assets/katex/") and not math):
            continue
        if not math and rel == "assets/math.js":
            continue
        out[rel] = path.read_bytes()
    out["assets/tilbook.css"] = out.get("assets/tilbook.css", b"") + pygments_css().encode("utf-8")
    return out
