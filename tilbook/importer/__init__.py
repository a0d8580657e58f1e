"""`tilbook import KIND SRC`: bring the posts of a Jekyll, Hugo, Zola or MkDocs blog into
the journal, with their dates, titles, terms and drafts, their files, and their old
addresses (the site redirects from each).

Nothing in the journal is overwritten unless `force` (which keeps a backup); a post that
cannot be converted is reported and the others still come; `dry_run` writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import shutil
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tilbook.config.model import Config
from tilbook.errors import EntryError, Problem
from tilbook.files import write_atomic
from tilbook.importer.convert import Targets, address_key, convert_body, fix_anchors
from tilbook.importer.sources import KINDS, Kind, PostFacts, SourcePost, SourceSite, discover, old_addresses
from tilbook.journal.dates import parse_date_text
from tilbook.journal.model import Entry
from tilbook.journal.parse import DESCRIPTION_KEYS, parse_entry, split_front_matter
from tilbook.source import DecodeProblem, read_text

__all__ = ["KINDS", "ImportReport", "run_import"]

# Keys that carry over (under our name); every other key is dropped and counted in the report.
_KEPT = {**{key: "description" for key in DESCRIPTION_KEYS},  # (what the site shows on cards)
         "math": "math", "use_math": "math", "mathjax": "math", "katex": "math",
         "author": "authors", "authors": "authors", "image": "image", "images": "image", "pin": "pin", "pinned": "pin"}
# A page whose text is made by its theme's code, not written: a list of posts, an archive.
_MADE_BY_ITS_THEME = re.compile(r"\{%-?\s*for\b|\bsite\.(?:posts|categories|tags)\b|\bpaginator\.")
# Keys whose meaning the new front matter already holds (not reported as dropped).
_ABSORBED = {"title", "date", "categories", "category", "tags", "tag", "keywords", "draft", "published",
             "slug", "path", "permalink", "url", "redirect_from", "aliases", "taxonomies", "last_modified_at",
             "updated", "lastmod", "pubDate", "published_at", "page"}


@dataclass
class Planned:
    post: SourcePost
    entry: Entry
    rel: str
    """The new entry's path in the journal."""
    addresses: list[str]
    text: str = ""
    files: dict[Path, str] = field(default_factory=dict)
    body_offset: int = 0


@dataclass
class ImportReport:
    kind: str
    src: Path
    imported: list[tuple[str, str]] = field(default_factory=list)
    """(source path, journal path) of each post written (or, dry run, to be written)."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(source path, why): already in the journal."""
    left: list[tuple[str, str]] = field(default_factory=list)
    """(source path, why): a page of the old site with nothing of its own to bring (its theme
    made it: a list of posts, an archive), which tilbook's site makes its own way."""
    pages: int = 0
    """How many of `imported` are pages of the site (`page: true`), not entries."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(source path, why): could not be converted."""
    converted: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    dropped_keys: Counter[str] = field(default_factory=Counter)
    files_copied: int = 0
    redirects: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "imported": len(self.imported), "pages": self.pages, "left": len(self.left),
                "skipped": len(self.skipped),
                "failed": len(self.failed), "converted": dict(sorted((k, v) for k, v in self.converted.items() if v)),
                "warnings": len(self.warnings), "files_copied": self.files_copied, "redirects": self.redirects,
                "dropped_keys": dict(self.dropped_keys.most_common()), "seconds": round(self.seconds, 2)}


def _source_config(config: Config, site: SourceSite) -> Config:
    """The workspace config, read in the old site's time zone when it names one."""
    zone_name = site.settings.get("timezone") if site.kind == "jekyll" else None
    if not zone_name:
        return config
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        return config
    return replace(config, tilbook=replace(config.tilbook, timezone=zone))


def _fallback_dates(site: SourceSite, config: Config) -> Callable[[Path], tuple[dt.datetime, Any]]:
    from tilbook.journal.load import git_first_commits, mtime_date

    first = git_first_commits(site.root)

    def when(path: Path) -> tuple[dt.datetime, Any]:
        found = first.get(Path(unicodedata.normalize("NFC", str(path))))
        if found is not None:
            return found, "git"
        return mtime_date(path, config), "mtime"

    return when


def _date_text(entry: Entry, raw: Any) -> str:
    """The date as the new front matter writes it: the day alone when only a day was
    known, else the time with the author's own offset."""
    d = entry.date
    has_time = entry.date_source in ("git", "mtime") or isinstance(raw, dt.datetime)
    if isinstance(raw, str):
        try:
            has_time = parse_date_text(raw, entry.date.tzinfo)[1]  # type: ignore[arg-type]
        except ValueError:
            pass
    if not has_time:
        return d.date().isoformat()
    offset = d.strftime("%z")
    return d.strftime("%Y-%m-%d %H:%M:%S") + (f" {offset}" if offset else "")


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _front_matter(entry: Entry, date: str, addresses: list[str], data: dict[str, Any], source: str,
                  body: str, *, author_names: dict[str, str]) -> tuple[str, list[str]]:
    """Our front matter for an imported entry (or page), and the source keys it drops."""
    if entry.is_page:  # no date, nor terms: a page is in no list
        lines = [f"title: {_yaml_scalar(entry.title)}", "page: true"]
    else:
        lines = [f"title: {_yaml_scalar(entry.title)}", f"date: {date}"]
    if entry.updated:
        u = entry.updated
        lines.append(f"updated: {u.date().isoformat() if u.time() == dt.time() else u.strftime('%Y-%m-%d %H:%M:%S %z').strip()}")
    for key, values in (("categories", entry.categories), ("tags", entry.tags)):
        if values and not entry.is_page:
            lines.append(f"{key}: [{', '.join(_yaml_scalar(v) for v in values)}]")
    if entry.draft:
        lines.append("draft: true")
    written: set[str] = set()
    for key, value in data.items():
        ours = _KEPT.get(key)
        if ours is None or ours in written or value is None:
            continue
        if ours in ("math", "pin"):
            if value is True:
                lines.append(f"{ours}: true")
                written.add(ours)
        elif ours == "authors":  # as the entry read them (`parse._authors`), Material's ids named
            names = [author_names.get(n, n) for n in entry.authors]
            if names:
                lines.append(f"authors: [{', '.join(_yaml_scalar(n) for n in names)}]")
                written.add(ours)
        elif ours == "image":  # as the entry read it (`parse._image`): Chirpy's {path: ...}, Hugo's [first, ...]
            if entry.image:
                lines.append(f"image: {_yaml_scalar(entry.image)}")
                written.add(ours)
        elif isinstance(value, str) and value.strip():
            lines.append(f"{ours}: {_yaml_scalar(' '.join(value.split()))}")
            written.add(ours)
    if addresses:
        lines.append("redirect_from:")
        lines.extend(f"  - {_yaml_scalar(a)}" for a in addresses)
    if "{{" in body or "{%" in body or "{:" in body:
        lines.append("render_with_liquid: false  # braces in this entry are text")
    lines.append(f"imported_from: {_yaml_scalar(source)}")
    dropped = [k for k in data if k not in _ABSORBED and k not in _KEPT]
    extra = data.get("extra")
    if isinstance(extra, dict):
        dropped = [k for k in dropped if k != "extra"] + [f"extra.{k}" for k in extra]
    return "---\n" + "\n".join(lines) + "\n---\n", dropped


def _heading_ids(text: str, config: Config) -> list[str]:
    """The heading ids the site gives an entry (front matter and all, as the build sees it)."""
    from tilbook.site.markdown import markdown_options, parser

    body = split_front_matter(text)[2]
    tokens = parser(markdown_options(config, math=False)).parse(body)
    ids = [str(t.attrs["id"]) for t in tokens if t.type == "heading_open" and t.attrs.get("id")]
    return ids + [a or b for a, b in re.findall(r'<a\s[^>]*?\bname="([^"]*)"|<[a-z]+\s[^>]*?\bid="([^"]*)"', body)]


def _plan_path(config: Config, entry: Entry, post: SourcePost, taken: set[str]) -> str:
    from tilbook.journal.new import entry_path

    if entry.is_page:  # at the top of the journal, by its slug (`about.md`)
        rel = f"{entry.slug}.md"
    else:
        rel = entry_path(config, entry.day, entry.slug).relative_to(config.docs_dir).as_posix()
    stem, n = rel[:-3] if rel.endswith(".md") else rel, 2
    candidate = rel
    while candidate.casefold() in taken:
        candidate, n = f"{stem}-{n}.md", n + 1
    taken.add(candidate.casefold())
    return candidate[:-3] + "/index.md" if post.bundle else candidate


def run_import(kind: Kind, src: Path, config: Config, *, dry_run: bool = False, force: bool = False,
               site_url: str | None = None, show: Callable[[str], None] | None = None) -> ImportReport:
    """Import every post of the blog at `src` into the journal (config.docs_dir)."""
    started = time.perf_counter()
    site = discover(kind, src, site_url=site_url)
    report = ImportReport(kind, site.root)
    pconfig = _source_config(config, site)
    fallback = _fallback_dates(site, pconfig)
    attr_list = any(getattr(e, "name", e) == "attr_list" or (isinstance(e, dict) and "attr_list" in e)
                    for e in config.markdown_extensions)

    def shown(path: Path) -> str:
        return config.display_path(path)

    # --- pass 1: parse every post, decide its new path and its old addresses ----------------
    planned: list[Planned] = []
    taken: set[str] = set()
    for post in sorted(site.posts, key=lambda p: p.rel):
        try:
            text = read_text(post.path, display=shown(post.path))
        except DecodeProblem as exc:
            report.failed.append((post.rel, exc.problem.message))
            report.warnings.append(exc.problem)
            continue
        # (an MkDocs blog's pages are beside its posts' folder, in docs/)
        content = site.files_roots[0] if post.page and kind == "mkdocs" else site.content
        rel_for_parse = post.rel if kind == "jekyll" else post.path.relative_to(content).as_posix()

        def parse(page: bool | None) -> Entry:
            return parse_entry(text, rel_for_parse, config=pconfig, display_path=shown(post.path),
                               fallback_date=fallback(post.path), abs_path=post.path, own_permalink=False, page=page)

        try:
            entry = parse(True if post.page else None)
            if kind in ("hugo", "zola") and not post.section and entry.date_source in ("git", "mtime"):
                entry = parse(True)  # a file at the top of content/ with no date: a page, as Hugo has it
        except EntryError as exc:
            report.failed.append((post.rel, "; ".join(p.message for p in exc.problems if p.is_error)))
            report.warnings.extend(exc.problems)
            continue
        if entry.is_page and (_MADE_BY_ITS_THEME.search(entry.body) or not entry.body.strip()):
            report.left.append((post.rel, "a page with no text of its own (its theme made it: a list, an archive); "
                                          "tilbook's site has its own"))
            continue
        report.warnings.extend(entry.warnings)
        if kind != "jekyll" and not entry.categories and post.section:
            # A section (Hugo, Zola) or a docs folder (MkDocs) is how those sites group posts.
            entry = replace(entry, categories=(post.section.split("/")[0],))
        data = dict(entry.front_matter.data)
        name = Path(rel_for_parse).parent.name if post.bundle else Path(rel_for_parse).stem
        named = name.split("-", 3)[3] if kind == "jekyll" and name[:4].isdigit() and name.count("-") >= 3 else name
        facts = PostFacts(entry.date, entry.title, named or entry.slug, entry.categories, data)
        addresses = old_addresses(site, post, facts)
        if entry.is_page:  # (one where the page will be again needs no redirect)
            addresses = [a for a in addresses if a.rstrip("/") != f"/{entry.slug}"]
        rel = _plan_path(config, entry, post, taken)
        planned.append(Planned(post, entry, rel, addresses))

    targets = Targets(
        by_address={address_key(a): p.rel for p in planned for a in p.addresses},
        by_file={p.post.path.resolve(): p.rel for p in planned},
        by_post_name={p.post.path.stem: p.rel for p in planned if kind == "jekyll"},
    )

    # --- pass 2: convert each body, write it with its files ----------------------------------
    backup = config.root / ".tilbook" / "import-backup" / time.strftime("%Y%m%d-%H%M%S")
    for plan in planned:
        entry, post = plan.entry, plan.post
        raw_date = next((entry.front_matter.data[k] for k in ("date", "pubDate", "published_at")
                         if k in entry.front_matter.data), None)
        converted = convert_body(entry.body, site=site, post=post, new_rel=plan.rel, targets=targets,
                                 old_address=plan.addresses[0] if plan.addresses else None,
                                 yaml_front_matter=entry.front_matter.format == "yaml", attr_list=attr_list)
        report.converted.update(converted.counts)
        for line, message, hint in converted.notes:
            report.warnings.append(Problem(message, path=shown(post.path),
                                           line=(entry.body_line + line - 1) if line else None,
                                           hint=hint or None, severity="warning"))
        front, dropped = _front_matter(entry, _date_text(entry, raw_date), plan.addresses,
                                       dict(entry.front_matter.data), post.rel, converted.body,
                                       author_names=site.settings.get("authors") or {})
        report.dropped_keys.update(dropped)
        body = converted.body.lstrip("\n")
        gap = "\n" if body else ""
        plan.text = front + gap + body
        if not plan.text.endswith("\n"):
            plan.text += "\n"
        plan.files = converted.files
        # a line of the new file → the same line of the source (front matter lengths differ)
        plan.body_offset = entry.body_line - 1 - front.count("\n") - len(gap) + len(converted.body) - len(body)
        if post.bundle:  # a bundle's other files come along even when no link names them
            for other in sorted(post.path.parent.rglob("*")):
                if other.is_file() and other != post.path and other.suffix.lower() not in (".md", ".markdown"):
                    plan.files.setdefault(other.resolve(), posixpath.join(posixpath.dirname(plan.rel),
                                                                          other.relative_to(post.path.parent).as_posix()))

    # --- pass 3: anchors the old site made, pointed at the headings as this site names them ---
    ids_of = {plan.rel: _heading_ids(plan.text, config) for plan in planned}
    for plan in planned:
        plan.text, changed, unmatched = fix_anchors(plan.text, plan.rel, ids_of)
        report.converted["anchor matched to its heading"] += changed
        for line, link in unmatched:
            report.warnings.append(Problem(f"link {link!r} names no heading of that entry; left as written",
                                           path=shown(plan.post.path), line=plan.body_offset + line,
                                           hint="fix the anchor by hand (tilbook build --strict lists them)",
                                           severity="warning"))

    # --- write ---------------------------------------------------------------------------
    for plan in planned:
        post = plan.post
        target = config.docs_dir / plan.rel
        if target.exists() and not force:
            report.skipped.append((post.rel, f"{shown(target)} exists (--force replaces it, keeping a backup)"))
            continue
        report.imported.append((post.rel, shown(target)))
        report.pages += plan.entry.is_page
        report.redirects += len(plan.addresses)
        if show:
            show(f"{'would write' if dry_run else 'wrote'} {shown(target)}  ← {post.rel}")
        if dry_run:
            report.files_copied += len(plan.files)
            continue
        if target.exists():
            _backup(target, config, backup)
        write_atomic(target, plan.text.encode("utf-8"))
        for source, where in plan.files.items():
            dest = config.docs_dir / where
            if dest.exists():
                if dest.read_bytes() == source.read_bytes():
                    continue
                if not force:
                    report.warnings.append(Problem(f"{shown(dest)} exists and differs from {source}; not copied",
                                                   path=shown(post.path), severity="warning",
                                                   hint="compare the two files; --force replaces it, keeping a backup"))
                    continue
                _backup(dest, config, backup)
            write_atomic(dest, source.read_bytes())
            report.files_copied += 1
    report.seconds = time.perf_counter() - started
    return report


def _backup(path: Path, config: Config, folder: Path) -> None:
    dest = folder / path.relative_to(config.root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, dest)

