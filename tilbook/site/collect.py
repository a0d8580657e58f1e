"""Journal + rendered bodies + Config → `Site`: every page to write, with its template, its
context and a key over everything that decides its bytes. Pure: no I/O, no rendering.

Keys make incremental builds exact: a page whose key is unchanged since the last build has
the same bytes, so it is not rendered again.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from functools import partial
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, unquote, urlsplit

from tilbook.config.model import Config
from tilbook.errors import Problem
from tilbook.journal.body import plain_text
from tilbook.journal.model import Entry, Journal, entry_file
from tilbook.journal.slug import slugify
from tilbook.journal.todo import TrackedTodo, track_todos
from tilbook.site.heatmap import compute_streaks, heatmap_svg
from tilbook.site.keys import digest
from tilbook.site.i18n import format_date, format_month, strings
from tilbook.site.markdown import RenderedBody
from tilbook.site.search import SearchDoc

EXCERPT_CHARS = 220


def base_path(config: Config) -> str:
    """The site's path under its host, '' or '/til' (no trailing slash)."""
    if not config.site_url:
        return ""
    return urlsplit(config.site_url).path.rstrip("/")


# Open Graph wants a territory: the usual one for a bare language tag.
_OG_LOCALES = {"ko": "ko_KR", "en": "en_US", "ja": "ja_JP", "zh": "zh_CN", "de": "de_DE", "fr": "fr_FR", "es": "es_ES"}


def site_origin(config: Config) -> str:
    if not config.site_url:
        return ""
    parts = urlsplit(config.site_url)
    return f"{parts.scheme}://{parts.netloc}"


_HREF_SAFE = "/#%:@!$&'()*+,;=~-._"
_HREF_AS_IS = re.compile(r"[A-Za-z0-9/#%:@!$&'()*+,;=~._-]*")


def href(base: str, path: str) -> str:
    """A link to an output path ('/2024/03/05/파이토치/'), percent-encoded, under the base."""
    url = base + path
    if _HREF_AS_IS.fullmatch(url):  # most addresses: quote would return them as they are
        return url
    return quote(url, safe=_HREF_SAFE)


def output_file(url_path: str) -> str:
    """'/a/b/' → 'a/b/index.html'; '/a/b.html' → 'a/b.html'."""
    rel = url_path.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def redirect_file(old: str) -> str:
    """The file that answers an old address: '/a/b.html' → 'a/b.html'; '/a/b/', '/a/b' and
    '/releases/1.88.0' → '…/index.html' (a static host answers '/a/b' with it too; a file
    named '1.88.0' would be served as a download, not a page)."""
    rel = old.lstrip("/")
    if rel.lower().endswith((".html", ".htm")):
        return rel
    return rel.rstrip("/") + "/index.html"


@dataclass(frozen=True)
class Term:
    """A tag or category with its page."""

    name: str
    slug: str
    url: str
    count: int


@dataclass(frozen=True)
class TermLink:
    """A tag or category as an entry's card and page show it: a link to the term's page.
    Not its count, which changes whenever an entry gets or loses the term: a card holding
    it was a new card for each of the term's entries, and a new entry in a category of
    2,000 made all their pages again."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Card:
    """What list pages show about an entry."""

    url: str
    title: str
    date: str
    date_iso: str
    tags: tuple[TermLink, ...]
    categories: tuple[TermLink, ...]
    excerpt: str
    reading: str
    draft: bool
    excerpt_html: str
    """The excerpt with its math marked for KaTeX; empty when it has none."""
    authors: tuple[str, ...]
    """Who wrote it when the front matter says (the page and the feed name them)."""
    pinned: bool
    """First on the home page (`pin: true`), badged there."""
    key: str


@dataclass(frozen=True)
class Page:
    path: str
    """Output file, relative to site_dir, '/'-separated."""
    template: str
    context: Mapping[str, Any]
    key: str
    url: str = ""
    """Its address (encoded, with the base path) for sitemaps and link checks."""


@dataclass(frozen=True)
class Site:
    pages: tuple[Page, ...]
    entries: tuple[Entry, ...]
    """The entries published in this build, oldest first."""
    urls: Mapping[str, Entry] = field(default_factory=dict)
    """Entry URL path (unencoded) → entry."""
    has_math: bool = False
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Other files to publish (site-relative path → bytes): notebook downloads and images."""
    search: tuple[SearchDoc, ...] = ()
    """What the search index holds: one document per entry page, then one per page of the site."""
    problems: tuple[Problem, ...] = ()
    """Warnings about the site as a whole (an old address that clashes with a page)."""
    errors: tuple[Problem, ...] = ()
    """What stops the build: an entry whose address is another page's (`page_clashes`)."""
    body_pages: BodyPages | None = None
    """What the next build needs to make the pages that show bodies again on its own."""
    page_entries: tuple[Entry, ...] = ()
    """The journal's pages (`Entry.is_page`: an About page) published in this build."""

    @property
    def with_bodies(self) -> tuple[Entry, ...]:
        """Every file whose body the site shows: the entries, then the pages."""
        return (*self.entries, *self.page_entries)


Links = tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]]
"""The URLs of entries (by rel_path), Jekyll posts (by name) and notebook pages (by name):
where bodies' links go."""


@dataclass(frozen=True)
class EntryPageInputs:
    """What an entry's page shows besides the entry and its body."""

    url_path: str
    card: Card
    prev: Card | None
    next: Card | None
    notebooks: tuple[Any, ...]
    """The cards of the notebooks it names."""


@dataclass(frozen=True)
class FeedItem:
    rel: str
    card: Card
    date: str
    updated: str
    body: RenderedBody


@dataclass(frozen=True)
class BodyPages:
    """What the pages that show bodies (each entry's own page and the feed) were made of,
    bodies aside: a build whose only change is in bodies' HTML makes those pages again from
    it (`pages_for_bodies`) without reading the rest of the journal."""

    site_key: str
    links: Links
    entry_pages: Mapping[str, EntryPageInputs]
    """By rel_path, for each entry the site shows."""
    feed: tuple[FeedItem, ...]
    feed_updated: str
    search: Mapping[str, SearchDoc]
    """By rel_path, in journal order; empty when search is off."""
    nav: tuple[tuple[str, str], ...] = ()
    """The pages the navigation links to (`page_nav`)."""


# What of a body nothing but its own page and the feed shows (a body's key is the hash of
# its HTML and links; links to entries and posts are resolved on the page). Two bodies
# that differ in these alone give the same cards, lists, heatmaps, todo page and warnings.
_ONLY_ON_ITS_PAGE = {"html": "", "key": "", "toc": (), "image": "", "title_id": "", "has_code": False,
                     "links": (), "posts": ()}


def same_but_page(a: RenderedBody, b: RenderedBody) -> bool:
    """Whether `a` and `b` differ only in what their entry's page and the feed show. (Not
    their links to notebooks: a build checks that each names a notebook it knows. Nor
    anything `--strict` checks: its link checks read every page.)"""
    return (replace(a, **_ONLY_ON_ITS_PAGE) == replace(b, **_ONLY_ON_ITS_PAGE)
            and [t for t in a.links if t.startswith("nb:")] == [t for t in b.links if t.startswith("nb:")])


def excerpt_text(entry: Entry) -> str:
    text = plain_text(entry.excerpt) if entry.excerpt else ""
    if len(text) > EXCERPT_CHARS:
        text = _cut(text[:EXCERPT_CHARS]) + "…"
    return text


def _cut(head: str) -> str:
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(",.;:")


def excerpt_math_html(entry: Entry) -> str:
    """The excerpt as HTML with its TeX marked as bodies mark it (KaTeX typesets it), cut
    where `excerpt_text` would cut, never inside a formula; '' when it has no math."""
    from tilbook.site.markdown import text_and_math

    runs = text_and_math(entry.excerpt) if entry.excerpt and ("$" in entry.excerpt or "\\(" in entry.excerpt) else []
    if not any(tex for tex, _ in runs):
        return ""
    out: list[str] = []
    room = EXCERPT_CHARS  # as excerpt_text counts: a formula with its two dollar signs
    for tex, part in runs:
        size = len(part) + 2 if tex else len(part)
        if size > room:
            if not tex and _cut(part[:room]):
                out.append(html.escape(_cut(part[:room]), quote=False))
            out.append("…")
            break
        room -= size
        out.append(f'<span class="math inline">\\({html.escape(part, quote=False)}\\)</span>' if tex
                   else html.escape(part, quote=False))
    return "".join(out)


# A tag's `++` and `#` after a letter say which language it is: C++, C# and C were all `c`,
# told apart by -2, -3 in the order of their names, so a new C# tag moved C++'s page.
_PLUS_PLUS = re.compile(r"(?<=\w)\+\+")
_SHARP = re.compile(r"(?<=\w)#(?!\w)")


def term_slug(name: str) -> str:
    """The slug of a tag's or category's page: `C++` → `cpp`, `C#` → `csharp` (as GitHub's
    topics name them), the rest as `slugify` makes it."""
    return slugify(_SHARP.sub("sharp", _PLUS_PLUS.sub("pp", name))) or "t"


def _terms(groups: Iterable[tuple[str, str, int]], prefix: str, base: str) -> dict[str, Term]:
    """Casefolded name → Term, with slugs unique even when names differ only in punctuation."""
    found: dict[str, Term] = {}
    used: set[str] = set()
    for key, name, count in sorted(groups):
        slug = term_slug(name)
        candidate, n = slug, 2
        while candidate in used:
            candidate, n = f"{slug}-{n}", n + 1
        used.add(candidate)
        path = f"/{prefix}/{candidate}/"
        found[key] = Term(name, candidate, href(base, path), count)
    return found


def collect_site(
    journal: Journal,
    config: Config,
    bodies: Mapping[str, RenderedBody],
    *,
    now: dt.datetime,
    drafts: bool = False,
    build_key: str = "",
    body_html: Callable[..., str] | None = None,
    notebooks: Mapping[str, Any] | None = None,
    fold_case: bool = False,
) -> Site:
    """Every page of the site. `bodies` maps an entry's rel_path to its rendered body (its
    HTML may be left out). `body_html(key, entry_urls=, post_urls=, absolute=)` gives a
    body's HTML (see `store.BodyHtml`); templates call it as `site.body_html(key)`, bound to
    the URLs of the entries this build publishes. `build_key` is a hash of the theme and the
    config: it is part of every page's key. `fold_case`: the site's file system does not
    tell `A/index.html` from `a/index.html` (Windows, macOS), so neither may two pages."""
    lang = config.theme.language
    s = strings(lang)
    base = base_path(config)
    entries = journal.visible(now, drafts=drafts, future=drafts)
    page_entries = tuple(p for p in journal.pages if drafts or not p.draft)
    nav_pages = page_nav(page_entries, config)
    site_key = digest(build_key, lang, drafts, nav_pages)  # (the nav is on every page)
    tag_groups, cat_groups, tags, cats = _grouped(entries, base)
    url_paths = {entry.rel: entry.url(config.tilbook.permalink) for entry in (*entries, *page_entries)}
    entry_urls, post_urls = _link_tables(url_paths, base)
    nb_urls = {name: p.card.url for name, p in (notebooks or {}).items()}
    links = (entry_urls, post_urls, nb_urls)

    cards: dict[str, Card] = {}
    term_keys = {id(t): (t.name, t.slug, t.url, t.count) for t in (*tags.values(), *cats.values())}
    # What a card shows of each term (its link, not its count), by casefolded name
    tag_link_keys = {k: (t.name, t.slug, t.url) for k, t in tags.items()}
    cat_link_keys = {k: (t.name, t.slug, t.url) for k, t in cats.items()}
    tag_links = {k: TermLink(*v) for k, v in tag_link_keys.items()}
    cat_links = {k: TermLink(*v) for k, v in cat_link_keys.items()}
    # An entry's card and search document depend on the entry, its body, its terms and the
    # site's settings only: `serve` rebuilds with the same entry and body objects for all
    # but the edited entries, so they are kept by rel_path and reused while all of those
    # are the same (building them again was a third of a warm one-entry rebuild).
    rows = _memo("cards", len(entries))
    static = (base, lang, config.tilbook.permalink)
    term_state = (static, tag_link_keys, cat_link_keys)
    # Every row of an entry the last build showed was checked against that build's terms.
    # When it showed the same entries with the same settings, a row of the same entry and
    # body needs no other check unless one of its terms changed (a new tag: only its
    # entries); otherwise (first build, settings, entries shown or hidden) every row is.
    last = _MEMOS.get("card terms")
    checked: set[str] | None = None
    if last is not None and last["state"][0] == static and last["shown"].keys() == url_paths.keys():
        checked = set()
        for now_keys, last_keys, groups in ((term_state[1], last["state"][1], tag_groups),
                                            (term_state[2], last["state"][2], cat_groups)):
            for key, term in now_keys.items():
                if last_keys.get(key) != term:
                    checked.update(groups[key])
    _MEMOS.pop("card terms", None)  # until this loop ends: a build that fails in it leaves rows unchecked
    for entry in entries:
        rel = entry.rel
        body = bodies[rel]
        row = rows.get(rel)
        if checked is not None and row is not None and row[0] is entry and row[1] is body and rel not in checked:
            cards[rel] = row[4]
            continue
        tag_names = tuple(t.casefold() for t in entry.tags)
        cat_names = tuple(c.casefold() for c in entry.categories)
        entry_tags = tuple(tag_links[k] for k in tag_names)
        entry_cats = tuple(cat_links[k] for k in cat_names)
        terms = (tuple(tag_link_keys[k] for k in tag_names), tuple(cat_link_keys[k] for k in cat_names))
        if row is None or row[0] is not entry or row[1] is not body or row[2] != static or row[3] != terms:
            fields = (
                href(base, url_paths[rel]), entry.title, format_date(entry.day, lang), entry.date.isoformat(),
                entry_tags, entry_cats, body.summary, s["min_read"].format(n=entry.reading_minutes), entry.draft,
                body.summary_html, entry.authors, entry.pinned,
            )
            # The key hashes the fields as plain tuples: a dataclass repr of 2,000 cards and
            # their terms took a fifth of a warm one-entry rebuild.
            card = Card(*fields, key=digest(*fields[:4], *terms, *fields[6:]))
            doc = SearchDoc(card.url, entry.title, entry.day.isoformat(), tuple(t.name for t in entry_tags), body.key)
            row = (entry, body, static, terms, card, doc)
            rows[rel] = row
        cards[rel] = row[4]
    _MEMOS["card terms"] = {"state": term_state, "shown": url_paths}

    site = _site_globals(config, links, body_html, nav_pages)
    pages: list[Page] = []

    page_keys = _memo("pages", len(entries))

    def add(url_path: str, template: str, key_parts: tuple[Any, ...], *, same: tuple[Any, ...] | None = None,
            link: str | None = None, **context: Any) -> None:
        """A page; `same`, when given, is `key_parts` made of strings, numbers and None only
        (so that equal tuples have equal reprs): its key is remembered between builds.
        `link`: `href(base, url_path)`, when the caller has it already."""
        key = page_keys.get((site_key, template, url_path, same)) if same is not None else None
        if key is None:
            key = _page_key(site_key, template, url_path, key_parts)
            if same is not None:
                page_keys[(site_key, template, url_path, same)] = key
        pages.append(_page(site, url_path, template, key, link or href(base, url_path), context))

    newest_first = list(reversed(entries))

    # --- entry pages -------------------------------------------------------------------------
    has_math = False
    search: list[SearchDoc] = []
    # An entry page whose card (so entry and body), neighbours' cards, link targets and
    # notebooks are the very ones of an earlier build is that build's page again.
    entry_pages = _memo("entry pages", len(entries))
    shown: dict[str, EntryPageInputs] = {}
    for i, entry in enumerate(entries):
        rel = entry.rel
        body = bodies[rel]
        targets = _targets(body, links)
        has_math = has_math or body.has_math or bool(body.summary_html)  # (a card's math needs KaTeX too)
        prev_card = cards[entries[i - 1].rel] if i > 0 else None
        next_card = cards[entries[i + 1].rel] if i + 1 < len(entries) else None
        card = cards[rel]
        nb_cards = (tuple(notebooks[ref.name].card for ref in entry.notebooks if ref.name in notebooks)
                    if entry.notebooks else ())
        search.append(rows[rel][5])
        kept = entry_pages.get(rel)
        if (kept is not None and kept[0] is card and kept[1] is prev_card and kept[2] is next_card
                and kept[3] == targets and kept[4] == nb_cards and kept[5] == site_key):
            kept[6].context["site"] = site  # type: ignore[index]
            pages.append(kept[6])
            shown[rel] = kept[7]
            continue
        inputs = shown[rel] = EntryPageInputs(url_paths[rel], card, prev_card, next_card, nb_cards)
        parts, context = _entry_page(inputs, entry, body, targets, lang, base)
        add(inputs.url_path, "entry.html", parts,
            same=(*parts[:7], entry.updated and entry.updated.isoformat(), parts[8], parts[9]), link=card.url,
            **context)
        entry_pages[rel] = (card, prev_card, next_card, targets, nb_cards, site_key, pages[-1], inputs)

    # --- the journal's pages (an About page) --------------------------------------------------
    for entry in page_entries:
        body = bodies[entry.rel]
        has_math = has_math or body.has_math
        parts, context = _standalone_page(entry, body, _targets(body, links), lang, base)
        add(url_paths[entry.rel], "page.html", parts, **context)
        search.append(SearchDoc(pages[-1].url, entry.title, "", (), body.key))  # (no date: `search.shard_docs`)

    # --- notebook pages ---------------------------------------------------------------------
    notebooks = notebooks or {}
    used_by: dict[str, list[Card]] = defaultdict(list)
    for entry in entries:
        for ref in entry.notebooks:
            if ref.name in notebooks:
                used_by[ref.name].append(cards[entry.rel])
    files: dict[str, bytes] = {}
    for name, nb_page in sorted(notebooks.items()):
        referrers = tuple(used_by.get(name, ()))
        add(f"/notebooks/{name}/", "notebook.html", (nb_page.card.key, tuple(c.key for c in referrers)),
            notebook=nb_page.card, cells=nb_page.html, entries=referrers, title=nb_page.card.title)
        files.update(nb_page.files)

    # --- home, paginated ---------------------------------------------------------------------
    today = now.astimezone(config.tilbook.timezone).date()
    counts = Counter(e.day for e in entries)
    streaks = compute_streaks(counts, today)
    year_ago = today - dt.timedelta(days=364)
    first_day_url = {}
    for e in entries:
        first_day_url.setdefault(e.day, cards[e.rel].url)
    recent_svg = heatmap_svg(
        counts, start=year_ago, end=today,
        weekdays=s["weekdays"].split(), months=s["months"].split(), label=s["heatmap"],
        entry_word=(s["entry"], s["entries"]), day_url=first_day_url,
    )
    streaks_plain = (streaks.current, streaks.longest, streaks.longest_end and streaks.longest_end.isoformat())
    per_page = config.tilbook.per_page
    pages_total = max(1, math.ceil(len(newest_first) / per_page))
    home_order = [e for e in newest_first if e.pinned] + [e for e in newest_first if not e.pinned]
    for n in range(1, pages_total + 1):
        chunk = [cards[e.rel] for e in home_order[(n - 1) * per_page : n * per_page]]
        url_path = "/" if n == 1 else f"/page/{n}/"
        newer = None if n == 1 else href(base, "/" if n == 2 else f"/page/{n - 1}/")
        older = href(base, f"/page/{n + 1}/") if n < pages_total else None
        extra = (recent_svg, streaks) if n == 1 else ()
        keys = tuple(c.key for c in chunk)
        plain = (recent_svg, *streaks_plain)
        add(url_path, "home.html", (keys, n, pages_total, *extra), same=(keys, n, pages_total, *(plain if extra else ())),
            cards=chunk, number=n, total=pages_total, newer=newer, older=older,
            heatmap=recent_svg if n == 1 else None, streaks=streaks, title=None)

    # --- tags and categories -----------------------------------------------------------------
    for kind, terms, groups, label in (("tags", tags, tag_groups, "tagged"), ("categories", cats, cat_groups, "in_category")):
        listed = sorted(terms.values(), key=lambda t: (-t.count, t.name.casefold()))
        add(f"/{kind}/", "terms.html", (tuple((t.name, t.url, t.count) for t in listed),),
            terms=listed, kind=kind, title=s[kind])
        for key, term in terms.items():
            members = [cards[rel] for rel in reversed(groups[key])]
            keys = tuple(c.key for c in members)
            add(f"/{kind}/{term.slug}/", "term.html", (term, keys), same=(term_keys[id(term)], keys),
                term=term, cards=members, title=s[label].format(t=term.name))

    # --- archive -----------------------------------------------------------------------------
    by_year: dict[int, dict[int, list[Card]]] = defaultdict(lambda: defaultdict(list))
    for e in newest_first:
        by_year[e.day.year][e.day.month].append(cards[e.rel])
    years = sorted(by_year, reverse=True)
    summary = [(y, href(base, f"/archive/{y}/"), sum(len(v) for v in by_year[y].values()),
                [(format_month(y, m, lang), f"{href(base, f'/archive/{y}/')}#m{m:02d}", len(by_year[y][m]))
                 for m in sorted(by_year[y], reverse=True)]) for y in years]
    add("/archive/", "archive.html", (summary,), years=summary, title=s["archive"])
    for y in years:
        months = [(f"m{m:02d}", format_month(y, m, lang), by_year[y][m]) for m in sorted(by_year[y], reverse=True)]
        parts = (y, tuple((a, b, tuple(c.key for c in cs)) for a, b, cs in months))
        add(f"/archive/{y}/", "archive_year.html", parts, same=parts,
            year=y, months=months, title=f"{s['archive']} {y}")

    # --- heatmap ------------------------------------------------------------------------------
    grids = []
    year_days: dict[int, Counter[dt.date]] = defaultdict(Counter)
    for d, n in counts.items():
        year_days[d.year][d] = n
    for y in years:
        grid = heatmap_svg(year_days[y], start=dt.date(y, 1, 1), end=dt.date(y, 12, 31),
                           weekdays=s["weekdays"].split(), months=s["months"].split(), label=f"{s['heatmap']} {y}",
                           entry_word=(s["entry"], s["entries"]), day_url=first_day_url)
        grids.append((y, sum(year_days[y].values()), len(year_days[y]), grid))
    add("/heatmap/", "heatmap.html", (tuple(grids), streaks), same=(tuple(grids), streaks_plain), grids=grids,
        streaks=streaks, total_days=len(counts), title=s["heatmap"])

    # --- todo ---------------------------------------------------------------------------------
    todos = [t for t in _tracked_todos(journal) if t.is_open and t.rel_path.as_posix() in url_paths]
    rows = [(t.text, t.first_day.isoformat(), t.age(today), t.is_overdue(today),
             cards[t.rel_path.as_posix()].url, cards[t.rel_path.as_posix()].title) for t in todos]
    # Each row's deadline (ISO day) and days left, or Nones: beside the rows, not in them, so
    # that a todo.html of `theme.custom_dir` that unpacks six values a row keeps working.
    deadlines = [(t.deadline and t.deadline.isoformat(), t.days_left(today)) for t in todos]
    add("/todo/", "todo.html", (tuple(rows), tuple(deadlines), today), rows=rows, deadlines=deadlines, title=s["todo"])

    # --- redirects from old addresses (`redirect_from`, `aliases`) ----------------------------
    problems: list[Problem] = []
    fold = str.casefold if fold_case else str
    taken = {fold(p.path): p.url for p in pages} | {f: "" for f in ("404.html", "feed.xml", "sitemap.xml", "robots.txt")}
    for entry in (*entries, *page_entries):
        if not entry.redirects:
            continue
        target_url = href(base, url_paths[entry.rel])
        for old in entry.redirects:
            path = redirect_file(old)
            folded = fold(path)
            if folded in taken:
                own = output_file(url_paths[entry.rel])
                if fold_case and path != own and folded == fold(own):
                    problems.append(Problem(
                        f"old address {old!r} differs from this entry's address only in upper and lower case, which "
                        "this computer's file system does not tell apart; no redirect written",
                        path=entry_file(config, entry),
                        line=entry.front_matter.lines.get("redirect_from", entry.front_matter.lines.get("aliases")),
                        key="redirect_from", context="front matter", severity="warning",
                        hint="build on Linux (a CI runner) to publish it, or remove it from this entry's redirect_from"))
                elif taken[folded] != target_url:
                    problems.append(Problem(
                        f"old address {old!r} is also {'the address of ' + taken[folded] if taken[folded] else 'a page of the site'}"
                        "; no redirect written", path=entry_file(config, entry),
                        line=entry.front_matter.lines.get("redirect_from", entry.front_matter.lines.get("aliases")),
                        key="redirect_from", context="front matter", severity="warning",
                        hint="remove it from this entry's redirect_from"))
                continue
            taken[folded] = target_url
            pages.append(Page(path=path, template="redirect.html",
                              context={"site": site, "target": target_url, "title": entry.title},
                              key=digest(site_key, "redirect.html", path, target_url, entry.title), url=href(base, "/" + path)))

    # --- 404, feed, sitemap, robots ----------------------------------------------------------
    add("/404.html", "404.html", (), title=s["not_found"])
    feed = tuple(FeedItem(e.rel, cards[e.rel], e.date.isoformat(), (e.updated or e.date).isoformat(), bodies[e.rel])
                 for e in newest_first[: config.tilbook.feed_size])
    feed_updated = newest_first[0].date.isoformat() if newest_first else now.isoformat()
    origin = site["origin"]
    feed_parts, feed_context = _feed_page(feed, feed_updated, links, origin)
    add("/feed.xml", "feed.xml", feed_parts, **feed_context)
    # An entry's <lastmod> is its `updated` date, else its date: crawlers come back for those
    # that changed. List pages change with every entry and say nothing.
    modified = {cards[e.rel].url: (e.updated or e.date).isoformat() for e in entries}
    # A page's, when its front matter or name dates it (an undated one's file time says nothing)
    modified.update((href(base, url_paths[p.rel]), (p.updated or p.date).isoformat()) for p in page_entries
                    if p.updated or p.date_source in ("front matter", "front matter path", "file name"))
    sitemap_urls = [(p.url, modified.get(p.url)) for p in pages if p.template not in ("404.html", "feed.xml", "redirect.html")]
    add("/sitemap.xml", "sitemap.xml", (tuple(sitemap_urls), origin), urls=sitemap_urls, origin=origin)
    add("/robots.txt", "robots.txt", (origin,), origin=origin)
    return Site(
        errors=page_clashes(pages, {output_file(url_paths[e.rel]): e for e in (*entries, *page_entries)}, config,
                            fold_case=fold_case),
        pages=tuple(pages),
        entries=entries,
        page_entries=page_entries,
        urls={url_paths[e.rel]: e for e in (*entries, *page_entries)},
        has_math=has_math or bool(notebooks),
        files=files,
        search=tuple(search) if config.tilbook.search else (),
        problems=tuple(problems),
        body_pages=BodyPages(site_key, links, shown, feed, feed_updated,
                             {e.rel: doc for e, doc in zip((*entries, *page_entries), search)} if config.tilbook.search else {},
                             nav_pages),
    )


_OF_FILES = ("entry.html", "page.html")
"""The templates of pages made from the journal's files: `unique_slugs` keeps those apart."""
_PAGE_KINDS = {"home.html": "home page", "archive.html": "archive", "archive_year.html": "archive of a year",
               "heatmap.html": "heatmap page", "todo.html": "todo page", "notebook.html": "page of a notebook",
               "404.html": "404 page", "feed.xml": "feed", "sitemap.xml": "sitemap", "robots.txt": "robots.txt"}


def _page_kind(page: Page) -> str:
    """What a page of the site is, for a message: "list of tags", "page of the tag 'gan'"."""
    if page.template == "terms.html":
        return f"list of {page.context['kind']}"
    if page.template == "term.html":
        kind = "tag" if "/tags/" in page.url else "category"
        return f"page of the {kind} {page.context['term'].name!r}"
    if page.template == "page.html":
        return f"page {page.context['title']!r}"
    return _PAGE_KINDS.get(page.template, page.template)


def page_clashes(pages: Sequence[Page], entry_files: Mapping[str, Entry], config: Config, *,
                 fold_case: bool = False) -> tuple[Problem, ...]:
    """An error for each entry page written to the file of another page (with `fold_case`,
    compared as case-insensitive file systems do): a permalink pattern such as `/{slug}/`
    gives an entry slugged `tags` the address of the list of tags (as does its own
    `permalink: /tags/`), and one page silently replaced the other. (`unique_slugs` keeps
    entries apart; the site's own pages never share a file.)"""
    seen: dict[str, Page] = {}
    errors: list[Problem] = []
    for page in pages:
        first = seen.setdefault(page.path.casefold() if fold_case else page.path, page)
        if first is page or (first.template in _OF_FILES and page.template in _OF_FILES):  # (`unique_slugs` reported those)
            continue
        entry = entry_files.get(first.path) or entry_files.get(page.path)
        if entry is None:  # pragma: no cover - a bug of ours, not the writer's
            raise AssertionError(f"two pages of the site are written to {page.path}")
        mine, other = (first, page) if entry_files.get(first.path) is entry else (page, first)
        key = "permalink" if entry.permalink else "slug"
        errors.append(Problem(
            f"this {'page' if entry.is_page else 'entry'}'s address {unquote(mine.url)} is also that of the site's "
            f"{_page_kind(other)}; one page would replace the other",
            path=entry_file(config, entry),
            line=entry.front_matter.lines.get(key), key=key if key in entry.front_matter.lines else None,
            context="front matter",
            hint="give the entry another permalink: in its front matter" if entry.permalink else
                 "give the page another slug (or a permalink): in its front matter" if entry.is_page else
                 "give the entry another slug: in its front matter, or set a tilbook.permalink in mkdocs.yml that "
                 "keeps entries apart from the site's own pages (the default starts with /{year}/)"))
    return tuple(errors)


def pages_for_bodies(kept: BodyPages, config: Config, edited: Mapping[str, tuple[Entry, RenderedBody]], *,
                     body_html: Callable[..., str] | None = None) -> tuple[list[Page], BodyPages]:
    """The pages that show the bodies in `edited` (rel_path → the entry and its new body),
    made from what the last build kept, and what to keep now. Only for bodies that are
    `same_but_page` as that build's, of entries equal to its: then no other page changes."""
    lang = config.theme.language
    site = _site_globals(config, kept.links, body_html, kept.nav)
    pages: list[Page] = []
    for rel, (entry, body) in edited.items():
        inputs = kept.entry_pages.get(rel)
        if inputs is None:  # a draft, or dated after now: it has no page
            continue
        parts, context = _entry_page(inputs, entry, body, _targets(body, kept.links), lang, base_path(config))
        key = _page_key(kept.site_key, "entry.html", inputs.url_path, parts)
        pages.append(_page(site, inputs.url_path, "entry.html", key, inputs.card.url, context))
    feed = tuple(replace(item, body=edited[item.rel][1]) if item.rel in edited else item for item in kept.feed)
    if any(item.rel in edited for item in feed):
        parts, context = _feed_page(feed, kept.feed_updated, kept.links, site["origin"])
        key = _page_key(kept.site_key, "feed.xml", "/feed.xml", parts)
        pages.append(_page(site, "/feed.xml", "feed.xml", key, href(base_path(config), "/feed.xml"), context))
    search = {rel: replace(doc, body_key=edited[rel][1].key) if rel in edited else doc
              for rel, doc in kept.search.items()}
    return pages, replace(kept, feed=feed, search=search)


def _page_key(site_key: str, template: str, url_path: str, parts: tuple[Any, ...]) -> str:
    """A page's key: what `collect_site` records and `pages_for_bodies` must make alike."""
    return digest(site_key, template, url_path, *parts)


def _page(site: dict[str, Any], url_path: str, template: str, key: str, url: str, context: dict[str, Any]) -> Page:
    return Page(path=output_file(url_path), template=template, context={"site": site, "url": url, **context},
                key=key, url=url)


def page_nav(page_entries: Sequence[Entry], config: Config) -> tuple[tuple[str, str], ...]:
    """(title, URL path) of the pages the site's navigation links to, after its own: in
    order of their `nav_order` (a number; Just the Docs' key), then of their titles. A page
    with `nav: false` has no link there."""
    listed = sorted((math.inf if e.nav_order is None else e.nav_order, e.title.casefold(), e.rel, e)
                    for e in page_entries if e.in_nav)
    return tuple((e.title, e.url(config.tilbook.permalink)) for *_, e in listed)


def _site_globals(config: Config, links: Links, body_html: Callable[..., str] | None,
                  nav_pages: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """What every page's templates see as `site`; `nav_pages` (`page_nav`) after the site's own links."""
    lang = config.theme.language
    s = strings(lang)
    base = base_path(config)
    entry_urls, post_urls, nb_urls = links
    return {
        "name": config.site_name,
        "description": config.site_description or "",
        "author": config.site_author or "",
        "base": base,
        "home": href(base, "/"),
        "lang": lang,
        "s": s,
        "repo_url": config.repo_url,
        "feed": href(base, "/feed.xml"),
        "favicon": href(base, "/" + (config.theme.favicon or "assets/favicon.svg")),
        "origin": site_origin(config),
        "og_locale": _OG_LOCALES.get(lang.split("-")[0], lang.replace("-", "_")),
        "search": config.tilbook.search,
        "comments": config.tilbook.comments,
        "nav": [
            (s["home"], href(base, "/")),
            (s["archive"], href(base, "/archive/")),
            (s["tags"], href(base, "/tags/")),
            (s["categories"], href(base, "/categories/")),
            (s["heatmap"], href(base, "/heatmap/")),
            (s["todo"], href(base, "/todo/")),
            *((title, href(base, path)) for title, path in nav_pages),
        ],
        "extra": dict(config.extra),
        "body_html": partial(body_html, entry_urls=entry_urls, post_urls=post_urls, nb_urls=nb_urls) if body_html else None,
    }


def _targets(body: RenderedBody, links: Links) -> tuple[tuple[str, str | None], ...]:
    """Where the body's links to entries, notebooks and Jekyll posts go."""
    if not body.links and not body.posts:
        return ()
    entry_urls, post_urls, nb_urls = links
    return (tuple((t, nb_urls.get(t[3:]) if t.startswith("nb:") else entry_urls.get(t)) for t in body.links)
            + tuple((t, post_urls.get(t)) for t in body.posts))


def _entry_page(inputs: EntryPageInputs, entry: Entry, body: RenderedBody, targets: tuple[Any, ...],
                lang: str, base: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """An entry page's key parts and context."""
    card, prev_card, next_card = inputs.card, inputs.prev, inputs.next
    carried_in, left_open = entry.carried_in, entry.open_items
    image = entry_image(entry, base)
    parts = (card.key, body.key, targets, prev_card and prev_card.key, next_card and next_card.key, carried_in,
             left_open, entry.updated, tuple(c.key for c in inputs.notebooks), image)
    context = dict(
        entry=card, body=body, prev=prev_card, next=next_card, carried_in=carried_in, left_open=left_open,
        notebooks=inputs.notebooks, image=image,
        updated=format_date(entry.updated.date(), lang) if entry.updated else None,
        updated_iso=entry.updated.isoformat() if entry.updated else None,
        toc=body.toc if len(body.toc) >= 3 else (), title=entry.title,
    )
    return parts, context


def _standalone_page(entry: Entry, body: RenderedBody, targets: tuple[Any, ...], lang: str,
                     base: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A page's (`Entry.is_page`) key parts and context: its title and body, no date, terms or
    neighbours; the day it was updated when its front matter says."""
    image = entry_image(entry, base)
    updated = entry.updated
    parts = (entry.title, body.key, body.summary, targets, updated, image, entry.draft)
    context = dict(
        body=body, image=image, title=entry.title, description=body.summary, draft=entry.draft,
        updated=format_date(updated.date(), lang) if updated else None,
        updated_iso=updated.isoformat() if updated else None,
        toc=body.toc if len(body.toc) >= 3 else (),
    )
    return parts, context


def entry_image(entry: Entry, base: str, assets: set[str] | None = None) -> str:
    """The address of the entry's own preview picture (front matter `image`) as its page
    links it: another host's as written, one of this site under the base path; '' if none.
    A picture beside the entry is added to `assets` (its docs-relative path)."""
    if not entry.image:
        return ""
    from tilbook.site.markdown import link_rewriter

    return link_rewriter(entry.rel_path.as_posix(), base)(entry.image, set(), assets if assets is not None else set())


def _feed_page(feed: tuple[FeedItem, ...], updated: str, links: Links, origin: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The feed's key parts and context."""
    targets = tuple(target for item in feed for target in _targets(item.body, links))
    parts = (tuple((item.card.key, item.body.key) for item in feed), targets, origin, updated)
    context = dict(items=[(item.card, item.date, item.updated, item.body.key) for item in feed],
                   origin=origin, updated=updated)
    return parts, context


# Cards and page keys of the last builds in this process (`serve` rebuilds many times):
# most entries are unchanged, and hashing their fields again was a third of a rebuild.
_MEMOS: dict[str, dict[Any, Any]] = {}


def forget_earlier_builds() -> None:
    """Drop what this process remembers from earlier builds (a `--no-cache` build uses none)."""
    _MEMOS.clear()


def _memo(name: str, entries: int) -> dict[Any, Any]:
    """A memo kept between builds, emptied when it holds far more than a build uses."""
    memo = _MEMOS.setdefault(name, {})
    if len(memo) > 4 * entries + 1000:
        memo.clear()
    return memo


def _same_as_last(name: str, state: Any, make: Callable[[], Any]) -> Any:
    """`make()`, or what it gave the last build when `state` equals that build's. `state`
    holds the very objects of unchanged entries (their fields, as tuples): comparing it
    is one identity check for each of them."""
    memo = _MEMOS.setdefault(name, {})
    if "value" not in memo or memo["state"] != state:
        memo["state"], memo["value"] = state, make()
    return memo["value"]


Groups = dict[str, list[str]]


def _grouped(entries: Sequence[Entry], base: str) -> tuple[Groups, Groups, dict[str, Term], dict[str, Term]]:
    """(tag → rel_paths, category → rel_paths, tag → Term, category → Term), casefolded
    names as keys, entries in journal order; each term spelt as most of its entries spell it."""

    def make() -> tuple[Groups, Groups, dict[str, Term], dict[str, Term]]:
        tag_groups: Groups = defaultdict(list)
        cat_groups: Groups = defaultdict(list)
        tag_names: dict[str, list[str]] = defaultdict(list)
        cat_names: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            rel = entry.rel
            for tag in entry.tags:
                key = tag.casefold()
                tag_groups[key].append(rel)
                tag_names[key].append(tag)
            for cat in entry.categories:
                key = cat.casefold()
                cat_groups[key].append(rel)
                cat_names[key].append(cat)
        tags = _terms(((k, _spelling(tag_names[k]), len(v)) for k, v in tag_groups.items()), "tags", base)
        cats = _terms(((k, _spelling(cat_names[k]), len(v)) for k, v in cat_groups.items()), "categories", base)
        return tag_groups, cat_groups, tags, cats

    return _same_as_last("terms of entries", (base, tuple((e.rel, e.tags, e.categories) for e in entries)), make)


def _spelling(names: list[str]) -> str:
    """The most used of a term's spellings (the first seen of the most used)."""
    first = names[0]
    if names.count(first) == len(names):
        return first
    return Counter(names).most_common(1)[0][0]


def _tracked_todos(journal: Journal) -> list[TrackedTodo]:
    """`track_todos(journal)`, again only when an entry's items, day or place changed."""
    return _same_as_last("todos", tuple((e.rel, e.day, e.todos) for e in journal.entries), lambda: track_todos(journal))


def _link_tables(url_paths: Mapping[str, str], base: str) -> tuple[dict[str, str], dict[str, str]]:
    """(entry rel_path → URL, Jekyll post name → URL), for links between entries."""

    def make() -> tuple[dict[str, str], dict[str, str]]:
        entry_urls = {rel: href(base, path) for rel, path in url_paths.items()}
        post_urls = {_stem(rel): url for rel, url in entry_urls.items()}
        return entry_urls, post_urls

    return _same_as_last("link tables", (base, url_paths), make)


def _stem(rel: str) -> str:
    """`PurePosixPath(rel).stem`, without pathlib's cost (it ran 2,000 times a build)."""
    name = rel.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name
