"""Rendered bodies on disk, by content key: the build keeps only keys in memory and pages
read the HTML they show when they are rendered."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Mapping

from tilbook.errors import BuildError

_PLACEHOLDER = re.compile(r'(href|src)="tilbook:(entry|post|nb)/([^"#]*)(#[^"]*)?"')
_ROOT_LINK = re.compile(r'((?:href|src)=")(/[^/"][^"]*|/)"')
_FRAGMENT_LINK = re.compile(r'(href=")(#[^"]*)"')
# Connections a forked process inherited: never used nor closed there (SQLite forbids
# carrying a connection across fork), only kept from the garbage collector.
_INHERITED: list[sqlite3.Connection] = []
# The fragment table is emptied when it holds more rows than this and 8 per body.
FRAGMENTS_MIN = 20_000


class HtmlStore:
    """One SQLite file of `key → HTML` rows. Writing an existing key is a no-op (same key,
    same bytes). Any process may read and write: each opens its own connection.

    Why not a file per body: creating 2,000 small files took 1.1 s on an ext4 disk, as
    many rows 0.2 s, and a no-op build lists the keys in 2 ms instead of reading a folder.
    The store is a cache: a file that is not a database is deleted and begun again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._held: tuple[dict[str, str], dict[str, str]] | None = None
        """With `hold_writes`: rows not yet written (html, fragment)."""

    def __getstate__(self) -> dict[str, object]:  # to a spawned worker: the path, no connection
        return {"path": self.path}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["path"])  # type: ignore[misc, arg-type]

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            if self._conn is not None:
                _INHERITED.append(self._conn)
            self._conn, self._pid = _open(self.path), os.getpid()
        return self._conn

    def hold_writes(self, hold: bool = True) -> None:
        """Keep what is put in memory until `flush`, which writes it in one transaction
        (`hold_writes(False)`: flush, and write each row as it comes again).

        A parse worker does (its chunk of entries, then a flush): a transaction for every
        body and code block, with two workers taking turns at the write lock, was a
        twentieth of a cold build's parsing. This process reads the held rows as stored;
        others see them after the flush."""
        if not hold:
            self.flush()
            self._held = None
        elif self._held is None:
            self._held = ({}, {})

    def flush(self) -> None:
        """Write the rows `hold_writes` kept (it goes on holding)."""
        if not self._held or not (self._held[0] or self._held[1]):
            return
        html, fragments = self._held
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # the write lock at once (waits for another writer)
        try:
            db.executemany("INSERT OR IGNORE INTO html (key, body) VALUES (?, ?)", html.items())
            db.executemany("INSERT OR IGNORE INTO fragment (key, body) VALUES (?, ?)", fragments.items())
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        html.clear()
        fragments.clear()

    def put(self, key: str, html: str) -> None:
        if self._held is not None:
            self._held[0][key] = html
            return
        self._db().execute("INSERT OR IGNORE INTO html (key, body) VALUES (?, ?)", (key, html))

    def get_fragment(self, key: str) -> str | None:
        """A piece of a body kept by its own key (a highlighted code block), or None."""
        if self._held is not None and key in self._held[1]:
            return self._held[1][key]
        row = self._db().execute("SELECT body FROM fragment WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put_fragment(self, key: str, html: str) -> None:
        if self._held is not None:
            self._held[1][key] = html
            return
        self._db().execute("INSERT OR IGNORE INTO fragment (key, body) VALUES (?, ?)", (key, html))

    def keys(self) -> set[str]:
        return {row[0] for row in self._db().execute("SELECT key FROM html")}

    def missing(self, keys: set[str]) -> set[str]:
        """Those of `keys` that the store does not hold."""
        held = self._held[0].keys() if self._held is not None else set()
        wanted = [key for key in keys if key not in held]
        found: set[str] = set()
        for i in range(0, len(wanted), 500):  # (SQLite takes at most 999 parameters before 3.32)
            chunk = wanted[i:i + 500]
            found.update(row[0] for row in self._db().execute(
                f"SELECT key FROM html WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        return set(wanted) - found

    def get(self, key: str) -> str:
        if self._held is not None and key in self._held[0]:
            return self._held[0][key]
        row = self._db().execute("SELECT body FROM html WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(f"no rendered body {key} in {self.path}")
        return row[0]

    def prune(self, keep: set[str]) -> None:
        """Drop the bodies not in `keep`; and the fragments, all of them, once they are many
        more than a journal's code blocks (an edited block leaves its old one behind)."""
        db = self._db()
        gone = [(key,) for key in self.keys() - keep]
        if gone:
            with db:
                db.executemany("DELETE FROM html WHERE key = ?", gone)
        fragments = db.execute("SELECT count(*) FROM fragment").fetchone()[0]
        if fragments > max(FRAGMENTS_MIN, 8 * len(keep)):
            db.execute("DELETE FROM fragment")

    def close(self) -> None:
        self.flush()
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None


# How long opening the store waits for another process that holds it (a build's other
# workers, or a second `tilbook build` in the same workspace) before giving up.
BUSY_SECONDS = 60.0


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the store, made and set up if needed.

    Only a file that is not a database (a torn copy, a file of another kind) is deleted and
    begun again. A store that another process holds ("database is locked": SQLite answers
    a switch to WAL at once, without waiting, while another connection makes the same
    switch) is waited for: deleting it then pulled the file from under the other processes
    and their next query found it "malformed"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.005
    rebuilt = False
    while True:
        conn = None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            # WAL lets the parse workers write while others read; no fsync: it is a cache.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, body TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS fragment (key TEXT PRIMARY KEY, body TEXT NOT NULL)")
            return conn
        except sqlite3.OperationalError as exc:  # busy or locked: someone else has it now
            if conn is not None:
                conn.close()
            if time.monotonic() + pause > deadline:
                raise BuildError(f"the build cache {path} stayed locked for {BUSY_SECONDS:.0f} s ({exc})",
                                 path=str(path), hint="another tilbook build or serve may be using it; "
                                 "wait for it to finish, or stop it and build again") from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
        except sqlite3.DatabaseError:  # not a database: a cache, so begun again (once)
            if conn is not None:
                conn.close()
            if rebuilt:
                raise
            rebuilt = True
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def resolve_placeholders(html_text: str, entry_urls: Mapping[str, str], post_urls: Mapping[str, str],
                         nb_urls: Mapping[str, str] | None = None) -> str:
    """Replace `tilbook:entry/REL#frag`, `tilbook:post/NAME` and `tilbook:nb/NAME` with the
    URLs of entries and notebook pages (a target that is not known keeps its written path,
    for --strict to report)."""
    if "tilbook:" not in html_text:
        return html_text
    tables = {"entry": entry_urls, "post": post_urls, "nb": nb_urls or {}}

    def sub(m: re.Match[str]) -> str:
        url = tables[m[2]].get(m[3])
        return f'{m[1]}="{url if url else m[3]}{m[4] or ""}"'

    return _PLACEHOLDER.sub(sub, html_text)


class BodyHtml:
    """A body's HTML from the store, links between entries resolved with the tables the
    caller gives (`collect_site` binds its own, so templates call `site.body_html(key)`);
    `absolute=True` is for feeds: root-relative links made absolute, and no ¶ after headings."""

    def __init__(self, store: HtmlStore, origin: str = "") -> None:
        self.store = store
        self.origin = origin

    def __call__(self, key: str, *, entry_urls: Mapping[str, str], post_urls: Mapping[str, str],
                 nb_urls: Mapping[str, str] | None = None, absolute: bool = False, page: str = "") -> str:
        """`page`: with `absolute`, the address of the page the body is on, for its
        `#fragment` links (a feed reader would resolve them against the feed)."""
        html = resolve_placeholders(self.store.get(key), entry_urls, post_urls, nb_urls)
        if absolute:
            from tilbook.site.markdown import strip_permalinks

            html = strip_permalinks(html)
        if absolute and self.origin:
            origin = self.origin
            html = _ROOT_LINK.sub(lambda m: f'{m[1]}{origin}{m[2]}"', html)
            if page.startswith("/"):
                html = _FRAGMENT_LINK.sub(lambda m: f'{m[1]}{origin}{page}{m[2]}"', html)
        return html

