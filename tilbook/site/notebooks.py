"""Frozen notebook runs → what the site shows: a page per notebook (its cells rendered in
our theme, images as files, the .ipynb to download) and a card for the entries that name it.

Cells are rendered here rather than with nbconvert: markdown cells go through the same
markdown-it pipeline as entries and code through the same Pygments highlighter, so a
notebook page looks like the rest of the site, and nbconvert's dependency tree (mistune,
bleach, its template system) stays out of the tool.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass, field, replace
from typing import Any, Mapping
from urllib.parse import urlsplit

from tilbook.config.model import Config
from tilbook.notebooks.execute import METRICS_MIME, strip_ansi

HEADLINE_METRICS = 6
# Image outputs, in Jupyter's order of preference, and the file suffix each becomes.
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


@dataclass(frozen=True)
class NotebookCard:
    """What an entry page and the notebook's own page show about a frozen run."""

    name: str
    title: str
    url: str
    status: str
    """ok, error, timeout, dead, interrupted; `stale` when its code changed since it ran."""
    date: str
    device: str
    duration: str
    metrics: tuple[tuple[str, str], ...]
    fallbacks: tuple[str, ...]
    parameters: tuple[tuple[str, str], ...]
    thumbnail: str | None
    ipynb_url: str
    colab_url: str | None
    environment: str
    key: str = ""


@dataclass(frozen=True)
class NotebookPage:
    card: NotebookCard
    html: str
    """The notebook's cells as HTML."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Site-relative path → bytes: the images and the .ipynb."""
    source: str = ""
    """A hash of what it was made from (see `notebook_pages`)."""

    def to_keep(self) -> NotebookPage:
        """This page for the build cache: without the .ipynb, which `notebook_pages` reads
        (to hash it) every build anyway and puts back."""
        return replace(self, files={k: v for k, v in self.files.items() if not k.endswith(".ipynb")})


def notebook_pages(config: Config, frozen: list[Any], *, base: str, href: Any, salt: str = "",
                   kept: Mapping[str, NotebookPage] | None = None) -> dict[str, NotebookPage]:
    """A page for each frozen notebook that has an executed .ipynb in the store. A page in
    `kept` made from the same notebook file, run record, job and `salt` (the caller's hash
    of tilbook's code and the settings) is that page again: reading and rendering the
    notebooks (nbformat's import alone took 0.75 s where jsonschema finds rfc3987-syntax,
    which Jupyter Server installs) was most of a one-entry rebuild of the example."""
    from tilbook.site.keys import digest, hash_bytes

    pages: dict[str, NotebookPage] = {}
    for item in frozen:
        job, record = item.job, item.record
        path = job.folder / f"{job.name}.ipynb"
        if record is None or not path.is_file():
            continue
        raw = path.read_bytes()
        folder = f"notebooks/{job.name}"
        ipynb = f"{folder}/{job.name}.ipynb"
        source = digest(salt, base, job.name, job.template, job.title, job.profile, job.parameters, job.kernel,
                        item.state, record, hash_bytes(raw))
        page = (kept or {}).get(source)
        if page is not None:
            page = replace(page, files={ipynb: raw, **page.files})
        else:
            import nbformat

            nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
            url = href(base, f"/{folder}/")
            body, images = _render_cells(nb, config, folder=folder, base=base)
            files = {ipynb: raw, **images}
            page = NotebookPage(card=_card(config, item, url=url, folder=folder, base=base, href=href,
                                           thumbnail=next(reversed(images), None), raw=raw),
                                html=body, files=files, source=source)
        pages[job.name] = page
    return pages


def _card(config: Config, item: Any, *, url: str, folder: str, base: str, href: Any, thumbnail: str | None,
          raw: bytes) -> NotebookCard:
    job, record = item.job, item.record
    env = record.get("environment") or {}
    metrics = record.get("metrics") or {}
    shown = tuple((k, _short(v)) for k, v in metrics.items()
                  if k not in ("fallbacks", "device", "data") and isinstance(v, (int, float, str)))[:HEADLINE_METRICS]
    status = "stale" if item.state == "stale" else str(record.get("status", "?"))
    card = NotebookCard(
        name=job.name,
        title=job.title,
        url=url,
        status=status,
        date=str(record.get("started", ""))[:10],
        device=str(env.get("device") or metrics.get("device") or "?"),
        duration=_duration(record.get("duration"), config.theme.language),
        metrics=shown,
        fallbacks=tuple(str(f) for f in record.get("fallbacks") or ()),
        parameters=tuple((str(k), _short(v)) for k, v in (record.get("parameters") or {}).items()),
        thumbnail=href(base, "/" + thumbnail) if thumbnail else None,
        ipynb_url=href(base, f"/{folder}/{job.name}.ipynb"),
        colab_url=_colab(config, job),
        environment=", ".join(f"{k} {v}" for k, v in (("Python", env.get("python")), ("torch", env.get("torch")),
                                                        ("NumPy", env.get("numpy"))) if v),
    )
    key = hashlib.blake2b(repr((card, raw)).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return replace(card, key=key)


def _colab(config: Config, job: Any) -> str | None:
    """Colab opens a notebook straight from a public GitHub repository."""
    repo = config.repo_url or ""
    parts = urlsplit(repo)
    if parts.netloc != "github.com" or len(parts.path.strip("/").split("/")) < 2:
        return None
    owner, name = parts.path.strip("/").split("/")[:2]
    store = config.tilbook.freeze_dir
    try:
        rel = (store / job.name / f"{job.name}.ipynb").relative_to(config.root).as_posix() if store else None
    except ValueError:
        return None
    return f"https://colab.research.google.com/github/{owner}/{name.removesuffix('.git')}/blob/main/{rel}" if rel else None


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _duration(seconds: Any, language: str) -> str:
    if not isinstance(seconds, (int, float)):
        return "?"
    from tilbook.site.i18n import strings

    s = strings(language)
    minutes, rest = divmod(int(round(seconds)), 60)
    return s["run_minutes"].format(m=minutes, s=rest) if minutes else s["run_seconds"].format(s=f"{seconds:.1f}")


def _render_cells(nb: Any, config: Config, *, folder: str, base: str) -> tuple[str, dict[str, bytes]]:
    from tilbook.site.markdown import _highlight, markdown_options, render_markdown

    options = markdown_options(config, math=True)
    parts: list[str] = []
    images: dict[str, bytes] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            parts.append(f'<div class="nb-cell nb-markdown">{render_markdown(cell.source, options).html}</div>')
            continue
        if cell.cell_type != "code":
            continue
        prompt = f"[{cell.execution_count}]" if cell.execution_count else "[ ]"
        code = _highlight(cell.source, "python", "") or f"<pre><code>{html.escape(cell.source)}</code></pre>"
        parts.append(f'<div class="nb-cell nb-code"><div class="nb-input"><span class="nb-prompt">{prompt}</span>{code}</div>')
        n = 0
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                parts.append(f'<pre class="nb-output nb-{html.escape(output.get("name", "stdout"))}">'
                             f"{html.escape(_terminal_text(output.get('text', '')))}</pre>")
            elif kind == "error":
                parts.append(f'<pre class="nb-output nb-error">{html.escape(strip_ansi(chr(10).join(output.get("traceback", []))))}</pre>')
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                image = next((m for m in _IMAGE_TYPES if m in data), None)
                if image is not None:
                    n += 1
                    rel = f"{folder}/cell-{index}-{n}.{_IMAGE_TYPES[image]}"
                    payload = data[image]
                    images[rel] = ("".join(payload).encode("utf-8") if image == "image/svg+xml"
                                   else base64.b64decode("".join(payload)))
                    size = _display_size(images[rel], output.get("metadata", {}).get(image))
                    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
                    parts.append(f'<figure class="nb-output"><img src="{html.escape(base)}/{html.escape(rel)}" '
                                 f'alt="output {n} of cell {prompt}"{dims} loading="lazy"></figure>')
                elif METRICS_MIME in data:
                    continue  # the header card shows them
                elif "text/html" in data:
                    parts.append(f'<div class="nb-output nb-html">{"".join(data["text/html"])}</div>')
                elif "text/plain" in data:
                    parts.append(f'<pre class="nb-output">{html.escape(strip_ansi("".join(data["text/plain"])))}</pre>')
        parts.append("</div>")
    return "\n".join(parts), images


def _display_size(data: bytes, meta: Any) -> tuple[int, int] | None:
    """The size an output image is shown at, in CSS pixels: what the notebook's metadata says
    (a retina figure is twice its size in pixels), else the PNG's or JPEG's own. With it the
    page keeps the image's room while it loads lazily, instead of jumping as each arrives."""
    if isinstance(meta, dict) and isinstance(meta.get("width"), int) and isinstance(meta.get("height"), int):
        return meta["width"], meta["height"]
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":  # JPEG: the first start-of-frame marker holds the size
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
            i += 2 + length
    return None


def _terminal_text(text: str) -> str:
    """What a terminal would show: ANSI colours dropped, and of a line redrawn with `\\r`
    (tqdm's progress bars) only its last state."""
    text = strip_ansi(text)
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line.rstrip("\r") else line.rstrip("\r")
                     for line in text.split("\n"))
