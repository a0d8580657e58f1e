"""Rendered bodies on disk, by content key: the build keeps only keys in memory and pages
read the HTML they show when they are rendered."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Mapping

_PLACEHOLDER = re.compile(r'(href|src)="tilbook:(entry|post)/([^"#]*)(#[^"]*)?"')
_ROOT_LINK = re.compile(r'((?:href|src)=")(/[^/"][^"]*|/)"')


class HtmlStore:
    """A folder of `<key>.html` files. Writing an existing key is a no-op (same key, same bytes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.html"

    def put(self, key: str, html: str) -> None:
        target = self.path(key)
        if target.exists():
            return
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(html)
        os.replace(tmp, target)

    def keys(self) -> set[str]:
        return {name[:-5] for name in os.listdir(self.folder) if name.endswith(".html")}

    def get(self, key: str) -> str:
        return self.path(key).read_text(encoding="utf-8")

    def prune(self, keep: set[str]) -> None:
        for item in self.folder.iterdir():
            if item.suffix == ".html" and item.stem not in keep:
                item.unlink(missing_ok=True)


def resolve_placeholders(html_text: str, entry_urls: Mapping[str, str], post_urls: Mapping[str, str]) -> str:
    """Replace `tilbook:entry/REL#frag` and `tilbook:post/NAME` with the entries' URLs (a target
    that is not an entry keeps its written path, for --strict to report)."""
    if "tilbook:" not in html_text:
        return html_text

    def sub(m: re.Match[str]) -> str:
        table = entry_urls if m[2] == "entry" else post_urls
        url = table.get(m[3])
        return f'{m[1]}="{url if url else m[3]}{m[4] or ""}"'

    return _PLACEHOLDER.sub(sub, html_text)


class BodyHtml:
    """A body's HTML from the store, links between entries resolved with the tables the
    caller gives (`collect_site` binds its own, so templates call `site.body_html(key)`);
    `absolute=True` also makes root-relative links absolute (for feeds)."""

    def __init__(self, store: HtmlStore, origin: str = "") -> None:
        self.store = store
        self.origin = origin

    def __call__(self, key: str, *, entry_urls: Mapping[str, str], post_urls: Mapping[str, str],
                 absolute: bool = False) -> str:
        html = resolve_placeholders(self.store.get(key), entry_urls, post_urls)
        if absolute and self.origin:
            origin = self.origin
            html = _ROOT_LINK.sub(lambda m: f'{m[1]}{origin}{m[2]}"', html)
        return html

