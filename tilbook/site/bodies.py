"""Entry files → (Entry, RenderedBody), parsing each body's Markdown once for both, in
parallel worker processes for a big journal."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from markdown_it.token import Token

from tilbook.config.model import Config
from tilbook.errors import EntryError, Problem
from tilbook.journal.model import Entry, FrontMatter, with_todo_views
from tilbook.journal.load import load_entry
from tilbook.parallel import map_with_progress
from tilbook.site.collect import base_path, excerpt_math_html, excerpt_text, site_origin
from tilbook.site.liquid import convert_jekyll
from tilbook.site.markdown import (
    MarkdownOptions,
    RenderedBody,
    link_rewriter,
    markdown_options,
    parser,
    render_markdown,
    render_tokens,
    use_fragment_cache,
)
from tilbook.site.store import HtmlStore

PARALLEL_MIN = 200
Progress = Callable[[str, int, int], None]
Outcome = tuple[str, Entry | EntryError, RenderedBody | None]

_JOB: dict[str, Any] = {}


def _start_job(job: dict[str, Any]) -> None:
    # A function of this module, not `_JOB.update`: a worker started by spawning (macOS
    # and Windows) unpickles a bound method with a copy of the dict, and this module's
    # _JOB stayed empty there.
    _JOB.update(job)
    job["store"].hold_writes()  # written a chunk at a time, by `_flush_job`
    use_fragment_cache(job["store"])


def _flush_job() -> None:
    _JOB["store"].flush()


def _parse_render(path: Path) -> Outcome:
    """Read, parse and render one entry, parsing its Markdown once for both."""
    config: Config = _JOB["config"]
    parsed: dict[str, Any] = {}

    def tokens_for(body: str, front_matter: FrontMatter) -> list[Token]:
        source, options, leftovers = prepare_body(body, front_matter, config)
        env: dict[str, Any] = {}
        parsed.update(tokens=parser(options).parse(source, env), env=env, options=options, leftovers=leftovers)
        return parsed["tokens"]

    rel = unicodedata.normalize("NFC", path.relative_to(config.docs_dir).as_posix())  # as Entry.rel_path
    try:
        entry = load_entry(path, config=config, body_tokens=tokens_for)
    except EntryError as exc:
        return rel, exc, None
    rendered = render_tokens(parsed["tokens"], parsed["env"], parsed["options"],
                             link=link_rewriter(rel, base_path(config)), title=entry.title)
    rendered = _with_notes(rendered, parsed["leftovers"], entry, config.display_path(path), math=parsed["options"].math)
    # The HTML goes to the store, not back to the build: it holds keys, pages read the HTML.
    _JOB["store"].put(rendered.key, rendered.html)
    return rel, with_todo_views(replace(entry, body="")), replace(rendered, html="")


def prepare_body(body: str, front_matter: FrontMatter, config: Config) -> tuple[str, MarkdownOptions, tuple[tuple[int, str], ...]]:
    """The Markdown to render (Jekyll leftovers converted), the options for this entry, and
    the Liquid left as text (body line, text)."""
    leftovers: tuple[tuple[int, str], ...] = ()
    liquid = front_matter.data.get("render_with_liquid") is not False  # Jekyll 4's switch; `tilbook import` sets it
    if front_matter.format == "yaml" and liquid and ("{%" in body or "{{" in body or "{:" in body):
        base = base_path(config)
        # Jekyll: site.url is the origin, site.baseurl the path; posts write {{ site.url }}{{ site.baseurl }}.
        result = convert_jekyll(body, base_path=base, site_url=site_origin(config),
                                post_url=lambda name: f"tilbook:post/{name}")
        body, leftovers = result.text, result.leftovers
    math = any(front_matter.data.get(k) is True for k in ("math", "use_math", "mathjax", "katex"))
    return body, markdown_options(config, math=math), leftovers


def _with_notes(rendered: RenderedBody, leftovers: tuple[tuple[int, str], ...], entry: Entry, shown: str, *,
                math: bool) -> RenderedBody:
    """The rendered body with the entry's plain-text summary (and its math marked, where
    math is on: a `description` may have some when the body has none) and the warnings."""
    notes = (
        *(replace(note, path=shown, line=entry.body_line + (note.line or 1) - 1) for note in rendered.notes),
        *(Problem(f"Liquid {text[:60]!r} is left as text", path=shown, line=entry.body_line + line - 1,
                  hint="tilbook runs no Liquid; wrap it in {% raw %}...{% endraw %} to silence this",
                  severity="warning")
          for line, text in leftovers[:20]),
    )
    return replace(rendered, notes=notes, summary=excerpt_text(entry),
                   summary_html=excerpt_math_html(entry) if rendered.has_math or math else "")


def render_body(entry: Entry, config: Config, shown: str) -> RenderedBody:
    """Render a parsed entry's body (the build does this in one parse with `_parse_render`)."""
    source, options, leftovers = prepare_body(entry.body, entry.front_matter, config)
    rendered = render_markdown(source, options, link=link_rewriter(entry.rel_path.as_posix(), base_path(config)),
                               title=entry.title)
    return _with_notes(rendered, leftovers, entry, shown, math=options.math)


def parse_and_render(paths: list[Path], config: Config, store: HtmlStore, workers: int | None,
                     progress: Progress | None) -> list[Outcome]:
    """Parse and render every file; in worker processes when there are many. Entries come
    back without their body and rendered bodies without their HTML, which is in `store`:
    a build needs neither in memory, and a big journal would not fit in 150 MB with them."""
    job = {"config": config, "store": store}  # each worker process opens its own connection
    show = (lambda done, total: progress("parse", done, total)) if progress else None
    try:
        return list(map_with_progress(_parse_render, paths, threshold=PARALLEL_MIN, workers=workers, progress=show,
                                      initializer=_start_job, initargs=(job,), after_chunk=_flush_job))
    finally:
        store.hold_writes(False)
        use_fragment_cache(None)  # the store closes after the build: nothing else may use it
