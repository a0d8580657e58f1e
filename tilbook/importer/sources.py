"""The blogs `tilbook import` reads: where each kind keeps its posts, its settings, and the
address each post had (so the new site can redirect from it).

Only what decides those three things is read from a source's config; the rest of a
theme's settings has no meaning here.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from tilbook.errors import UsageError
from tilbook.source import YamlProblem, load_yaml_mapping, read_text

Kind = Literal["jekyll", "hugo", "zola", "mkdocs"]
KINDS: tuple[Kind, ...] = ("jekyll", "hugo", "zola", "mkdocs")
POST_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mdown")


@dataclass(frozen=True)
class SourcePost:
    path: Path
    """Absolute path of the post's file."""
    rel: str
    """Path from the source folder, '/'-separated, NFC: how reports name the post."""
    section: str
    """Folders between the content root and the post ('inside-rust'); '' at the top."""
    bundle: bool = False
    """A page bundle (`name/index.md`): the other files of its folder travel with it."""
    draft_folder: bool = False
    """In Jekyll's `_drafts/`."""
    page: bool = False
    """A page of the old site (an About page), not a post: Jekyll's files outside `_posts`,
    the pages of an MkDocs site beside its blog. (Hugo's and Zola's are known by what they
    say: see `run_import`.)"""


@dataclass(frozen=True)
class SourceSite:
    kind: Kind
    root: Path
    content: Path
    """The folder post paths (and sections) are relative to."""
    files_roots: tuple[Path, ...]
    """Where a root-absolute link (`/images/a.png`) finds its file, in order."""
    url: str
    """The old site's address ('https://host/base'), or ''."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Kind-specific: Jekyll `permalink`, Hugo `permalinks`, MkDocs `blog` options."""
    posts: tuple[SourcePost, ...] = ()
    config_file: str | None = None

    @property
    def base(self) -> str:
        """The old site's path under its host ('' or '/blog')."""
        return urlsplit(self.url).path.rstrip("/") if self.url else ""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _read_mapping(path: Path) -> dict[str, Any]:
    """A site config (YAML or TOML) as a dict; a broken one is a usage error at its line."""
    text = read_text(path)
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"cannot read {path}: {exc}", path=str(path), hint="fix the file, or pass --site-url") from None
    if path.suffix == ".json":
        import json

        return dict(json.loads(text))
    try:
        return dict(load_yaml_mapping(text).data)
    except YamlProblem as exc:
        raise UsageError(f"cannot read {path}: {exc}", path=str(path), line=exc.line, hint=exc.hint) from None


def _posts_under(folder: Path, root: Path, *, skip: tuple[str, ...] = ()) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in POST_SUFFIXES:
            continue
        parts = path.relative_to(root).parts
        if any(p.startswith(".") for p in parts) or any(p in skip for p in parts):
            continue
        found.append(path)
    return found


def _section(path: Path, content: Path) -> tuple[str, bool]:
    """(section, is a page bundle) of a post under a Hugo/Zola/MkDocs content folder."""
    parts = [_nfc(p) for p in path.relative_to(content).parts]
    bundle = path.stem == "index" and len(parts) > 1
    folders = parts[:-2] if bundle else parts[:-1]
    return "/".join(folders), bundle


def discover(kind: Kind, src: Path, *, site_url: str | None = None) -> SourceSite:
    """Read the source folder of a blog of `kind`: its posts, settings and address."""
    src = src.resolve()
    if not src.is_dir():
        raise UsageError(f"{src} is not a folder", hint=f"pass the folder of your {kind} site")
    reader = {"jekyll": _jekyll, "hugo": _hugo, "zola": _zola, "mkdocs": _mkdocs}[kind]
    site = reader(src)
    if site_url is not None:
        site = SourceSite(**{**site.__dict__, "url": site_url.rstrip("/")})
    if not site.posts:
        raise UsageError(f"no posts found in {src} for a {kind} site",
                         hint=_WHERE[kind] + "; or import the site with the kind it really is")
    return site


_WHERE = {
    "jekyll": "Jekyll posts live in _posts/ and _drafts/ (pass the site folder, or _posts itself)",
    "hugo": "Hugo posts live in content/ (pass the site folder, or content itself)",
    "zola": "Zola posts live in content/ (pass the site folder, or content itself)",
    "mkdocs": "MkDocs pages live in docs/ (or docs_dir of mkdocs.yml); Material blog posts in docs/blog/posts",
}


# --- Jekyll -----------------------------------------------------------------------------

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def _jekyll(src: Path) -> SourceSite:
    root = src
    if src.name in ("_posts", "_drafts") and not (src / "_posts").is_dir():
        root = src.parent
    config: dict[str, Any] = {}
    config_file = None
    for name in ("_config.yml", "_config.yaml", "_config.toml"):
        if (root / name).is_file():
            config, config_file = _read_mapping(root / name), name
            break
    posts = []
    for folder, draft in (("_posts", False), ("_drafts", True)):
        base = root / folder
        if not base.is_dir():
            continue
        for path in _posts_under(base, base):
            posts.append(SourcePost(path, _nfc(path.relative_to(root).as_posix()), "", draft_folder=draft))
    posts.extend(SourcePost(path, _nfc(path.relative_to(root).as_posix()), "", page=True) for path in _jekyll_pages(root))
    url = str(config.get("url") or "").rstrip("/") + str(config.get("baseurl") or "").rstrip("/")
    permalink = str(config.get("permalink") or "date")
    return SourceSite("jekyll", root, root / "_posts", (root,), url,
                      {"permalink": JEKYLL_STYLES.get(permalink, permalink), "timezone": config.get("timezone")},
                      tuple(posts), config_file)


# Files of a site's folder that are no page of it: the home page (tilbook makes its own), the
# 404 page, and the repository's own documents.
_NOT_PAGES = ("index", "404", "readme", "changelog", "license", "contributing", "code_of_conduct")
# Jekyll's folders of pages: minimal-mistakes' `_pages`, Chirpy's `_tabs`.
_PAGE_FOLDERS = ("_pages", "_tabs")


def _jekyll_pages(root: Path) -> list[Path]:
    """A Jekyll site's pages: Markdown files with front matter (Jekyll makes pages of those
    only) at the top of the site or in its folders of pages. Not folders deeper down: a site
    copied from its theme's repository has the theme's documentation there."""
    found = [p for p in sorted(root.iterdir()) if p.is_file()]
    for folder in _PAGE_FOLDERS:
        if (root / folder).is_dir():
            found.extend(_posts_under(root / folder, root))
    pages = []
    for path in found:
        if path.suffix.lower() not in POST_SUFFIXES or path.stem.lower() in _NOT_PAGES:
            continue
        try:
            with open(path, "rb") as fh:
                starts = fh.read(4)
        except OSError:
            continue
        if starts.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
            pages.append(path)
    return pages


# --- Hugo and Zola ----------------------------------------------------------------------


def _content_site(kind: Kind, src: Path, config_names: tuple[str, ...], url_key: str) -> SourceSite:
    root, content = src, src / "content"
    if not content.is_dir():
        root, content = (src.parent, src) if src.name == "content" else (src, src)
    config: dict[str, Any] = {}
    config_file = None
    for name in config_names:
        if (root / name).is_file():
            config, config_file = _read_mapping(root / name), name
            break
    posts = []
    for path in _posts_under(content, content):
        section, bundle = _section(path, content)
        if path.stem == "_index":  # a section's own page (its list), not a post
            continue
        posts.append(SourcePost(path, _nfc(path.relative_to(root).as_posix()), section, bundle=bundle))
    files = tuple(p for p in (root / "static", root / "assets") if p.is_dir())
    return SourceSite(kind, root, content, files, str(config.get(url_key) or "").rstrip("/"), config, tuple(posts),
                      config_file)


def _hugo(src: Path) -> SourceSite:
    names = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
    return _content_site("hugo", src, names, "baseURL")


def _zola(src: Path) -> SourceSite:
    return _content_site("zola", src, ("config.toml", "zola.toml"), "base_url")


# --- MkDocs -----------------------------------------------------------------------------


def _material_authors(docs: Path, blog_dir: str, blog: dict[str, Any]) -> dict[str, str]:
    """Material's blog names its posts' authors by id (`authors: [squidfunk]`), the names in
    `.authors.yml` beside the posts (`authors_file`): id → name."""
    wanted = str(blog.get("authors_file") or "{blog}/.authors.yml").replace("{blog}", blog_dir)
    path = docs / wanted
    if not path.is_file():
        return {}
    authors = _read_mapping(path).get("authors")
    if not isinstance(authors, dict):
        return {}
    return {str(key): str(value["name"]) for key, value in authors.items()
            if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"].strip()}


def _mkdocs(src: Path) -> SourceSite:
    config: dict[str, Any] = {}
    config_file = None
    if (src / "mkdocs.yml").is_file():
        config, config_file = _read_mapping(src / "mkdocs.yml"), "mkdocs.yml"
    docs = src / str(config.get("docs_dir") or "docs")
    if not docs.is_dir():
        docs = src
    blog: dict[str, Any] | None = None
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "blog" in plugin:
            blog = dict(plugin["blog"] or {})
        elif plugin == "blog":
            blog = {}
    blog_dir = str((blog or {}).get("blog_dir") or "blog").strip("/")
    if blog is None and (docs / blog_dir / "posts").is_dir():
        blog = {}
    posts = []
    if blog is not None:
        content = docs / blog_dir / "posts"
        for path in _posts_under(content, content):
            posts.append(SourcePost(path, _nfc(path.relative_to(src).as_posix()), ""))
        for path in _posts_under(docs, docs, skip=("overrides",)):  # the site's pages beside its blog
            rel = _nfc(path.relative_to(docs).as_posix())
            if rel.split("/")[0] == blog_dir or (path.parent == docs and path.stem.lower() in _NOT_PAGES):
                continue
            posts.append(SourcePost(path, _nfc(path.relative_to(src).as_posix()), "", page=True))
    else:
        content = docs
        for path in _posts_under(docs, docs, skip=("overrides",)):
            rel = _nfc(path.relative_to(docs).as_posix())
            if rel.lower() in ("index.md", "readme.md"):
                continue
            section, _ = _section(path, docs)
            posts.append(SourcePost(path, _nfc(path.relative_to(src).as_posix()), section))
    settings = {"blog": blog, "blog_dir": blog_dir, "directory_urls": config.get("use_directory_urls", True) is not False,
                "authors": _material_authors(docs, blog_dir, blog) if blog is not None else {}}
    return SourceSite("mkdocs", src, content, (docs,), str(config.get("site_url") or "").rstrip("/"), settings,
                      tuple(posts), config_file)


# --- old addresses ----------------------------------------------------------------------


def jekyll_slugify(text: str, *, mode: Literal["default", "pretty"] = "default", cased: bool = False) -> str:
    """Jekyll's `Utils.slugify`: 'default' keeps letters, marks and digits; 'pretty' also
    keeps ._~!$&'()+,;=@. Other runs become '-'."""
    keep = "._~!$&'()+,;=@" if mode == "pretty" else ""
    out, dash = [], False
    for ch in text:
        if unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd" or ch in keep:
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out).strip("-")
    return slug if cased else slug.lower()


def urlize(text: str) -> str:
    """Hugo's and Zola's path form of a name: lower case, spaces and unsafe characters to '-'."""
    text = _nfc(text).lower()
    text = re.sub(r"[^\w.~-]+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def ascii_slug(text: str) -> str:
    """Python-Markdown's `toc.slugify` (MkDocs Material's default for post slugs): ASCII only."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


@dataclass(frozen=True)
class PostFacts:
    """What the old address of a post is made of."""

    date: dt.datetime
    title: str
    name: str
    """The file name's slug part (Jekyll: after the date; a bundle: its folder)."""
    categories: tuple[str, ...]
    data: dict[str, Any]


def _fill(pattern: str, values: dict[str, str]) -> str:
    """A permalink pattern with its placeholders filled; an empty one leaves no `//` (Jekyll
    and Hugo drop them too: a post without categories is at `/2019/04/27/x.html`, and
    `//2019/...` would read as the address of a host named 2019)."""
    def sub(m: re.Match[str]) -> str:
        return values.get(m[1], m[0])

    return re.sub(r"/{2,}", "/", re.sub(r":([a-z_]+)", sub, pattern))


def old_addresses(site: SourceSite, post: SourcePost, facts: PostFacts) -> list[str]:
    """The address a post had on its old site (first), then the ones it redirected from,
    as paths below the old site's base (unencoded): the new site is meant to take the old
    one's place, so its redirect pages sit where the old pages were."""
    data, d = facts.data, facts.date
    values = {"year": f"{d.year:04d}", "month": f"{d.month:02d}", "day": f"{d.day:02d}",
              "i_month": str(d.month), "i_day": str(d.day), "short_year": f"{d.year % 100:02d}",
              "y_day": f"{d.timetuple().tm_yday:03d}", "hour": f"{d.hour:02d}", "minute": f"{d.minute:02d}",
              "second": f"{d.second:02d}", "week": d.strftime("%V"), "short_day": d.strftime("%a")}
    found: list[str] = []
    extra: list[str] = []
    if site.kind == "jekyll":
        name = str(data.get("slug") or facts.name)
        values.update(title=jekyll_slugify(name, mode="pretty", cased=True), slug=jekyll_slugify(name),
                      name=facts.name, output_ext=".html",
                      categories="/".join(dict.fromkeys(c.lower() for c in facts.categories)))
        pattern = data.get("permalink") if isinstance(data.get("permalink"), str) else site.settings["permalink"]
        if post.page and not isinstance(data.get("permalink"), str):  # a page is where its file is
            stem = post.path.relative_to(site.root).with_suffix("").as_posix()
            found.append(stem + "/" if str(pattern).endswith("/") else stem + ".html")
        elif not post.draft_folder:
            found.append(_fill(str(pattern), values))
        extra = _as_list(data.get("redirect_from"))
    elif site.kind in ("hugo", "zola"):
        slug = str(data.get("slug") or facts.name)
        if isinstance(data.get("url"), str):  # Hugo: the page's whole address
            found.append(data["url"])
        elif isinstance(data.get("path"), str):  # Zola: the same, from the root
            found.append(data["path"])
        else:
            section_key = post.section.split("/")[0] if post.section else ""
            permalinks = site.settings.get("permalinks") if site.kind == "hugo" else None
            pattern = permalinks.get(section_key) if isinstance(permalinks, dict) else None
            if pattern:
                values.update(slug=urlize(slug), title=urlize(facts.title), filename=urlize(facts.name),
                              section=post.section, contentbasename=urlize(facts.name))
                found.append(_fill(str(pattern), values))
            else:
                found.append("/".join(x for x in (post.section, urlize(slug)) if x) + "/")
        extra = _as_list(data.get("aliases"))
        if site.kind == "hugo":  # a relative alias is relative to the page's section
            extra = [a if a.startswith("/") or "://" in a else f"{post.section}/{a}" for a in extra]
    else:  # mkdocs
        blog = site.settings.get("blog")
        if blog is not None and not post.page:
            slug = str(data.get("slug") or ascii_slug(facts.title) or urlize(facts.name))
            date_format = str(blog.get("post_url_date_format") or "yyyy/MM/dd")
            date = (date_format.replace("yyyy", values["year"]).replace("MM", values["month"])
                    .replace("dd", values["day"]))
            url_format = str(blog.get("post_url_format") or "{date}/{slug}")
            found.append(f"{site.settings['blog_dir']}/" + url_format.format(
                date=date, slug=slug, file=facts.name,
                categories="/".join(ascii_slug(c) for c in facts.categories)) + "/")
        else:
            docs = site.files_roots[0] if post.page else site.content
            rel = post.path.relative_to(docs).with_suffix("").as_posix()
            if rel.endswith("/index") or rel.endswith("/README"):
                rel = rel.rsplit("/", 1)[0]
            found.append(rel + "/" if site.settings["directory_urls"] else rel + ".html")
    found.extend(extra)
    result = []
    for address in found:
        if "://" in address or address.startswith("//"):
            address = urlsplit(address).path
        else:
            address = "/" + address.lstrip("/")
        address = "/" + _nfc(re.sub(r"/{2,}", "/", address)).lstrip("/")
        if address not in result and address != "/":
            result.append(address)
    return result


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(x) for x in value if isinstance(x, (str, int, float))]
    return []
