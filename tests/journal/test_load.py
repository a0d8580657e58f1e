"""load_journal on real folders: scanning rules, git dates, the journal's indexes, the corpora."""

import datetime as dt
import subprocess
import time

import pytest

from tests.conftest import CORPORA, make_workspace, write_files
from tilbook.config import load_config
from tilbook.errors import ConfigError
from tilbook.journal import load_journal, scan_journal


def test_scan_rules(tmp_path):
    write_files(tmp_path, {
        "a.md": "", "b.markdown": "", "c.txt": "", "README.md": "",
        "_posts/2024-01-01-x.md": "", "_drafts/y.md": "", "_includes/z.md": "", "_site/w.md": "",
        ".git/q.md": "", "deep/er/still.md": "", "deep/README.md": "",
    })
    assert [p.as_posix() for p in scan_journal(tmp_path)] == [
        "_drafts/y.md", "_posts/2024-01-01-x.md", "a.md", "b.markdown", "deep/README.md", "deep/er/still.md",
    ]


def test_linked_folders_are_read_once_under_the_links_name(tmp_path):
    """A folder linked into the journal is read as MkDocs reads it (tilbook skipped it
    without a word); a link back up, a second link to one folder and a link into the
    journal itself read nothing twice, and never loop."""
    docs, notes = tmp_path / "journal", tmp_path / "notes"
    write_files(tmp_path, {"journal/2026/a.md": "", "notes/n.md": "", "notes/deep/d.md": "", "notes/_private/p.md": ""})
    (docs / "notes").symlink_to(notes, target_is_directory=True)
    (docs / "again").symlink_to(notes, target_is_directory=True)  # the same folder: walked under 'again', then not
    (docs / "2026" / "up").symlink_to(docs, target_is_directory=True)  # a cycle
    (docs / "this-year").symlink_to(docs / "2026", target_is_directory=True)  # read already, as 2026/
    (notes / "deep" / "loop").symlink_to(notes, target_is_directory=True)
    (docs / "broken").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    (docs / "_hidden").symlink_to(notes, target_is_directory=True)  # the folder rules hold for a link's name
    assert [p.as_posix() for p in scan_journal(docs)] == ["2026/a.md", "again/deep/d.md", "again/n.md"]
    (docs / "again").unlink()
    assert [p.as_posix() for p in scan_journal(docs)] == ["2026/a.md", "notes/deep/d.md", "notes/n.md"]


def test_assets_in_linked_folders_are_found_and_dangling_links_are_not(tmp_path):
    from tilbook.journal.scan import scan_assets

    docs = tmp_path / "journal"
    write_files(tmp_path, {"journal/img/a.png": "a", "shared/b.png": "b", "shared/c.md": ""})
    (docs / "shared").symlink_to(tmp_path / "shared", target_is_directory=True)
    (docs / "img" / "gone.png").symlink_to(tmp_path / "nothing.png")
    assert {rel: p.read_text() for rel, p in scan_assets(docs).items()} == {"img/a.png": "a", "shared/b.png": "b"}


@pytest.mark.parametrize("reader", ["load_journal", "read_journal"])
def test_missing_docs_dir_is_a_config_error(tmp_path, reader):
    """As the journal is read, and as `new` and `todo` read it (through the build's caches,
    of which nothing is made)."""
    from tilbook.site.build import read_journal

    write_files(tmp_path, {"mkdocs.yml": "site_name: x\ndocs_dir: posts\n"})
    with pytest.raises(ConfigError) as info:
        {"load_journal": load_journal, "read_journal": read_journal}[reader](load_config(tmp_path / "mkdocs.yml"))
    assert [p.format() for p in info.value.problems] == [
        "mkdocs.yml: docs_dir: the journal folder 'posts' does not exist\n"
        "  hint: create it, or set docs_dir in mkdocs.yml to the folder that holds your entries"
    ]
    assert not (tmp_path / ".tilbook").exists()


def test_an_mkdocs_site_without_docs_dir_is_told_to_name_its_docs_folder(tmp_path):
    write_files(tmp_path, {"mkdocs.yml": "site_name: x\n", "docs/blog/posts/a.md": "# a\n"})
    with pytest.raises(ConfigError) as info:
        load_journal(load_config(tmp_path / "mkdocs.yml"))
    assert info.value.problems[0].hint == ("MkDocs reads docs/ when docs_dir is not set, tilbook journal/: "
                                           "add the line docs_dir: docs to mkdocs.yml")


def test_git_first_commit_dates_files_without_one(tmp_path):
    config = make_workspace(tmp_path, {"topic/undated.md": "# Undated\n"})
    env = {"GIT_AUTHOR_DATE": "2023-04-05T06:07:08+09:00", "GIT_COMMITTER_DATE": "2023-04-05T06:07:08+09:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "first"]):
        subprocess.run(cmd, cwd=tmp_path, check=True, env=env)
    (tmp_path / "journal" / "topic" / "undated.md").write_text("# Undated, edited later\n", encoding="utf-8")
    entry = load_journal(config).entries[0]
    assert entry.date_source == "git"
    assert entry.date == dt.datetime.fromisoformat("2023-04-05T06:07:08+09:00")
    assert entry.warnings == ()


def test_mtime_fallback_outside_git(tmp_path):
    config = make_workspace(tmp_path, {"undated.md": "# Undated\n"})
    stamp = time.mktime((2022, 5, 6, 12, 0, 0, 0, 0, -1))
    import os

    os.utime(tmp_path / "journal" / "undated.md", (stamp, stamp))
    entry = load_journal(config).entries[0]
    assert entry.date_source == "mtime" and entry.date.year == 2022
    assert "modification time" in entry.warnings[0].message


def test_journal_indexes(tmp_path):
    config = make_workspace(tmp_path, {
        "2024-03-01-a.md": "---\ntags: [PyTorch, gan]\ncategories: DL\n---\n",
        "2024-03-01-b.md": "---\ntags: [pytorch]\ndraft: true\n---\n",
        "2024-03-03-c.md": "---\ntags: [pytorch]\n---\n",
        "2999-01-01-future.md": "---\ntags: [later]\n---\n",
    })
    journal = load_journal(config)
    assert [e.slug for e in journal.entries] == ["a", "b", "c", "future"]
    assert [e.slug for e in journal.by_day[dt.date(2024, 3, 1)]] == ["a", "b"]
    group = journal.by_tag["pytorch"]
    assert group.name == "pytorch" and [e.slug for e in group.entries] == ["a", "b", "c"]
    assert journal.by_category["dl"].name == "DL"
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert [e.slug for e in journal.visible(now)] == ["a", "c"]
    assert [e.slug for e in journal.visible(now, drafts=True, future=True)] == ["a", "b", "c", "future"]
    assert journal.latest_before(dt.date(2024, 3, 3)).slug == "b"
    assert journal.entries[0].url(config.tilbook.permalink) == "/2024/03/01/a/"


# --- the real corpora in ../shared -----------------------------------------------------------

CORPUS_NAMES = sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


def _manifest_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in (CORPORA / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        corpus, path = line.split("\t")[:2]
        if path.endswith((".md", ".markdown")):
            counts[corpus] = counts.get(corpus, 0) + 1
    return counts


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    if not CORPUS_NAMES:
        pytest.fail(f"the corpora are missing: expected them in {CORPORA}")
    loaded = {}
    for name in CORPUS_NAMES:
        root = tmp_path_factory.mktemp(name)
        # Tests may read ../shared but never write there: the workspace points into it.
        write_files(root, {"mkdocs.yml": f"site_name: {name}\ndocs_dir: {CORPORA / name}\ntilbook:\n  timezone: Asia/Seoul\n"})
        loaded[name] = load_journal(load_config(root / "mkdocs.yml"))
    return loaded


def test_every_corpus_post_loads(corpora):
    counts = _manifest_counts()
    assert sum(counts.values()) == 512
    for name, journal in corpora.items():
        assert len(journal.entries) == counts[name], name
        assert journal.errors == (), [p.format() for p in journal.errors]


def test_corpus_dates_and_terms(corpora):
    soohyun = {e.rel_path.as_posix(): e for e in corpora["soohyun-chris-jeon__soohyun-chris-jeon.github.io"].entries}
    onnx = soohyun["_posts/2025-10-20-ONNX.md"]
    assert onnx.date.isoformat() == "2025-10-20T00:00:00+09:00" and onnx.day == dt.date(2025, 10, 20)
    assert soohyun["_posts/2025-08-12-software.md"].day == dt.date(2025, 10, 21)  # front matter wins
    assert soohyun["_posts/2025-11-20.md"].front_matter.format == "none"
    assert soohyun["_posts/2025-06-19-git init.md"].slug == "git-init"
    rust = {e.rel_path.as_posix(): e for e in corpora["rust-lang__blog.rust-lang.org"].entries}
    assert rust["content/changes-in-the-core-team@0.md"].day == dt.date(2022, 1, 31)
    teddy = {e.rel_path.as_posix(): e for e in corpora["teddylee777__teddylee777.github.io"].entries}
    lstm = teddy["_posts/2020-12-25-lstm-stock-forecast.md"]
    assert lstm.day == dt.date(2020, 12, 25) and lstm.date_source == "file name"
    assert "<style" not in lstm.excerpt
    for entry in teddy.values():
        assert isinstance(entry.categories, tuple) and all(isinstance(c, str) for c in entry.categories)
    async_task = teddy["_posts/2018-04-16-Android-AsyncTask.md"]
    assert (async_task.tags, async_task.categories) == (("android",), ("android",))
    simonw = corpora["simonw__til"]
    assert {e.date_source for e in simonw.entries} <= {"git", "mtime"}
    assert all(e.title_source == "heading" for e in simonw.entries)


def test_corpus_problems_are_warnings_with_reasons(corpora):
    for journal in corpora.values():
        for problem in journal.problems:
            assert problem.severity == "warning" and problem.hint and problem.path


def test_parallel_load_gives_the_same_journal(tmp_path):
    from tests.conftest import FIXTURES

    config = load_config(FIXTURES / "edge" / "mkdocs.yml")
    one, two = load_journal(config, workers=1), load_journal(config, workers=2)
    assert one.entries == two.entries and one.problems == two.problems
