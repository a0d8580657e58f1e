"""The CLI on real temp workspaces: files written, exit codes, messages word for word."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import FIXTURES, MINIMAL_CONFIG, copy_fixture, make_workspace, write_files
from tilbook.config import load_config
from tilbook.journal import load_entry, load_journal, track_todos

SEOUL = ZoneInfo("Asia/Seoul")


def today() -> dt.date:
    return dt.datetime.now(SEOUL).date()


def test_init_then_init_again_keeps_everything(tmp_path, run):
    result = run(tmp_path, "init", "ws")
    assert result.code == 0
    ws = tmp_path / "ws"
    created = sorted(p.relative_to(ws).as_posix() for p in ws.rglob("*") if p.is_file())
    assert created[:3] == [".github/workflows/pages.yml", ".gitignore", "journal/" + created[2].split("/", 1)[1]]
    assert "mkdocs.yml" in created
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    (ws / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")
    before[ws / "mkdocs.yml"] = b"site_name: mine\n"
    again = run(tmp_path, "init", "ws")
    assert again.code == 0 and again.out.count("kept") == 3
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before
    check = run(ws, "check")
    assert check.code == 0, check.err


def test_init_writes_a_github_pages_workflow_that_builds_for_the_pages_address(tmp_path, run):
    import yaml

    assert run(tmp_path, "init", "ws").code == 0
    flow = yaml.safe_load((tmp_path / "ws/.github/workflows/pages.yml").read_text(encoding="utf-8"))
    build = flow["jobs"]["build"]["steps"]
    assert build[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}  # git dates need history
    assert {"path": ".tilbook/cache\nsite\n", "key": "tilbook-${{ runner.os }}-${{ github.sha }}",
            "restore-keys": "tilbook-${{ runner.os }}-"} in [s.get("with") for s in build]
    assert 'tilbook build --no-execute --site-url "${{ steps.pages.outputs.base_url }}/"' in [s.get("run") for s in build]
    assert build[-1] == {"uses": "actions/upload-pages-artifact@v3", "with": {"path": "site"}}
    assert flow["jobs"]["deploy"]["steps"] == [{"id": "deployment", "uses": "actions/deploy-pages@v4"}]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert run(tmp_path, "init", "bare", "--no-pages-workflow").code == 0
    assert not (tmp_path / "bare/.github").exists()


def test_build_site_url_builds_for_another_address(tmp_path, run):
    make_workspace(tmp_path, {"2026-11-01-하나.md": "# 하나\n\n[둘](2026-11-02-둘.md)\n", "2026-11-02-둘.md": "# 둘\n"})
    assert run(tmp_path, "build").code == 0
    page = tmp_path / "site/2026/11/01/하나/index.html"
    assert 'href="/2026/11/02/%EB%91%98/"' in page.read_text(encoding="utf-8")
    again = run(tmp_path, "build", "--site-url", "https://me.github.io/til")
    assert again.code == 0 and "up to date" not in again.out  # same files, another address: built again
    html = page.read_text(encoding="utf-8")
    assert 'href="/til/2026/11/02/%EB%91%98/"' in html
    assert '<link rel="canonical" href="https://me.github.io/til/2026/11/01/%ED%95%98%EB%82%98/">' in html
    bad = run(tmp_path, "build", "--site-url", "me.github.io/til")
    assert bad.code == 2 and "--site-url: 'me.github.io/til' is not an http(s) address" in bad.err
    assert 'href="/til/2026/11/02/%EB%91%98/"' in page.read_text(encoding="utf-8")  # left as it was


def test_new_twice_leaves_the_first_file_byte_identical(tmp_path, run):
    make_workspace(tmp_path)
    first = run(tmp_path, "new")
    assert first.code == 0
    path = tmp_path / first.out.strip()
    expected = f"journal/{today():%Y}/{today():%Y-%m-%d}-til.md"
    assert first.out.strip() == expected
    path.write_text(path.read_text(encoding="utf-8") + "\nmy own words\n", encoding="utf-8")
    before = path.read_bytes()
    second = run(tmp_path, "new")
    assert second.code == 1
    assert second.err == (f"{expected}: already exists; left untouched\n"
                          "  hint: open it in your editor, or pass --title to start a second entry for the day\n")
    assert path.read_bytes() == before


def test_new_carries_open_items_and_keeps_their_first_day(tmp_path, run):
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\n---\n- [ ] read {{ paper }}\n- [x] done already\n\n## Tomorrow\n- write code\n  - [x] step one\n  - step two\n",
        "2026-11-03-b.md": "---\ntitle: b\n---\n## Plan\n- [ ] old item (since 2026-10-20)\n\n## 내일 할 일\n- 새 일\n",
    })
    result = run(tmp_path, "new", "--date", "2026-11-04", "--title", "GAN: 첫 학습", "--tag", "gan", "--tag", "파이토치")
    assert result.code == 0, result.err
    assert result.out.strip() == "journal/2026/2026-11-04-gan-첫-학습.md"
    assert result.err == "carried 2 open items from journal/2026-11-03-b.md\n"
    entry = load_entry(tmp_path / result.out.strip(), config=config)
    assert entry.title == "GAN: 첫 학습" and entry.tags == ("gan", "파이토치")
    assert entry.date == dt.datetime(2026, 11, 4, tzinfo=SEOUL)
    assert [(t.text, t.since, t.done) for t in entry.todos] == [
        ("old item", dt.date(2026, 10, 20), False),
        ("새 일", dt.date(2026, 11, 3), False),
    ]
    # Carrying from the first entry: done items stay behind, nested open items come along, braces stay text.
    result = run(tmp_path, "new", "--date", "2026-11-02")
    text = (tmp_path / result.out.strip()).read_text(encoding="utf-8")
    assert "- [ ] read {{ paper }} (since 2026-11-01)\n" in text
    assert "- [ ] write code (since 2026-11-01)\n  - [ ] step two (since 2026-11-01)\n" in text
    assert "done already" not in text and "step one" not in text



def test_a_goals_deadline_is_carried_by_new_and_shown_by_todo(tmp_path, run):
    make_workspace(tmp_path, {
        "2026-11-01-a.md": "## 목표\n- [ ] GAN 튜토리얼 끝내기 (2026-12-15까지)\n- [ ] 논문 읽기 (due 2026-11-03)\n",
    }, config="site_name: x\ntheme:\n  language: ko\ntilbook:\n  timezone: Asia/Seoul\n")
    result = run(tmp_path, "new", "--date", "2026-11-02")
    text = (tmp_path / result.out.strip()).read_text(encoding="utf-8")
    assert "- [ ] GAN 튜토리얼 끝내기 (2026-12-15까지) (2026-11-01부터)\n" in text
    assert "- [ ] 논문 읽기 (2026-11-03까지) (2026-11-01부터)\n" in text
    todo = run(tmp_path, "todo", "--json")
    found = {t["text"]: (t["deadline"], t["overdue"]) for t in __import__("json").loads(todo.out)}
    assert found["GAN 튜토리얼 끝내기"] == ("2026-12-15", False) and found["논문 읽기"][0] == "2026-11-03"
    lines = run(tmp_path, "todo").out.splitlines()
    assert any("GAN 튜토리얼 끝내기  due 2026-12-15, " in line and "d left" in line for line in lines), lines


def test_new_and_todo_leave_the_sites_pages_alone(tmp_path, run):
    """A page (an About page, a reading list) may have task items and a date: it is no day
    of the journal, so nothing is carried from it and its items are no todos."""
    make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\n---\n## 내일 할 일\n- 코드 정리\n",
        "reading.md": "---\ntitle: 읽을 것\npage: true\ndate: 2026-11-05\n---\n- [ ] GAN 논문\n\n## 내일 할 일\n- 없음\n",
    })
    result = run(tmp_path, "new", "--date", "2026-11-06")
    assert result.code == 0 and result.err == "carried 1 open item from journal/2026-11-01-a.md\n", result.err
    todo = run(tmp_path, "todo")
    assert "코드 정리" in todo.out and "GAN 논문" not in todo.out and "없음" not in todo.out


def test_new_and_todo_read_entries_through_the_caches_and_follow_a_moved_workspace(tmp_path, run, monkeypatch):
    """`new` and `todo` read the journal as a build does: an entry kept in the caches is not
    parsed again (parsing them all was most of a `tilbook new` of a big journal). A
    workspace moved or copied with its caches names its own files, not the old ones."""
    import shutil

    import tilbook.site.bodies as bodies

    old = tmp_path / "old"
    make_workspace(old, {"2026-11-01-a.md": "---\ntitle: a\n---\n## 내일 할 일\n- 논문 읽기\n",
                         "2026-11-02-b.md": "---\ntitle: b\n---\n## Tomorrow\n- [ ] write code\n"})
    assert run(old, "todo").code == 0
    assert (old / ".tilbook/cache").is_dir()
    new = tmp_path / "new"
    shutil.copytree(old, new)
    shutil.rmtree(old)
    parsed: list[str] = []
    monkeypatch.setattr(bodies, "parse_and_render",
                        lambda paths, *a, real=bodies.parse_and_render: parsed.extend(p.name for p in paths) or real(paths, *a))
    result = run(new, "new", "--date", "2026-11-03")
    assert result.code == 0, result.err
    assert parsed == []
    assert result.err == "carried 1 open item from journal/2026-11-02-b.md\n"
    todo = run(new, "todo")
    assert parsed == [Path(result.out.strip()).name]  # the day's new entry alone
    assert "write code" in todo.out
    # a workspace this user may only read: every entry is read, nothing is written
    monkeypatch.undo()
    shutil.rmtree(new / ".tilbook")
    import tilbook.site.build as build

    monkeypatch.setattr(build.os, "access", lambda path, mode, real=os.access: False if ".tilbook" in str(path) else real(path, mode))
    assert run(new, "todo").out == todo.out
    assert not any((new / ".tilbook").rglob("*.*"))

def test_new_korean_template_and_user_template(tmp_path, run):
    make_workspace(tmp_path, {"2026-11-01-a.md": "## 내일 할 일\n- 논문\n"},
                   config=MINIMAL_CONFIG + "theme:\n  language: ko\n")
    result = run(tmp_path, "new", "--date", "2026-11-02")
    text = (tmp_path / result.out.strip()).read_text(encoding="utf-8")
    assert "## 오늘 할 일\n\n- [ ] 논문 (2026-11-01부터)\n" in text and "## 내일 할 일" in text
    write_files(tmp_path, {"templates/entry.md": "---\ntitle: {{ title | yaml }}\n---\n{{ weekday }}\n{{ carried }}\n"})
    result = run(tmp_path, "new", "--date", "2026-11-03", "--title", "내 템플릿")
    assert (tmp_path / result.out.strip()).read_text(encoding="utf-8") == (
        '---\ntitle: "내 템플릿"\n---\n화요일\n- [ ] 논문 (2026-11-01부터)\n'
    )


def test_template_errors_name_the_template_line(tmp_path, run):
    make_workspace(tmp_path)
    write_files(tmp_path, {"templates/entry.md": "---\ntitle: x\n---\n{% if %}\n"})
    result = run(tmp_path, "new")
    assert result.code == 1
    assert result.err.startswith("templates/entry.md:4: template error:")
    write_files(tmp_path, {"templates/entry.md": "{{ nope }}\n"})
    result = run(tmp_path, "new")
    assert result.code == 1 and "'nope' is undefined" in result.err and "the template can use: " in result.err
    assert not any((tmp_path / "journal").rglob("*.md"))  # nothing written on a failed render


def test_new_bad_date_is_usage_error(tmp_path, run):
    make_workspace(tmp_path)
    result = run(tmp_path, "new", "--date", "2026-02-30")
    assert result.code == 2
    assert result.err == "tilbook new: --date: expected YYYY-MM-DD, today, yesterday or -N, got '2026-02-30'\n"


def test_new_edit_opens_the_editor(tmp_path, run, monkeypatch):
    make_workspace(tmp_path)
    log = tmp_path / "editor.log"
    script = tmp_path / "fake editor.py"
    script.write_text(f"import sys, pathlib\npathlib.Path({str(log)!r}).write_text(sys.argv[-1])\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f'"{sys.executable}" "{script}"')
    monkeypatch.delenv("VISUAL", raising=False)
    result = run(tmp_path, "new", "--edit", "--date", "yesterday")
    assert result.code == 0
    assert Path(log.read_text()) == tmp_path / result.out.strip()


def test_todo_lists_open_items(tmp_path, run):
    make_workspace(tmp_path, {
        "2020-01-01-a.md": "- [ ] ancient task\n- [x] finished\n",
        "2020-01-02-b.md": "## Tomorrow\n- plan item\n",
    })
    result = run(tmp_path, "todo")
    age_a = (today() - dt.date(2020, 1, 1)).days
    age_b = (today() - dt.date(2020, 1, 2)).days
    assert result.out.splitlines() == [
        f"[!] 2020-01-01 {age_a}d  ancient task  (journal/2020-01-01-a.md:1)",
        f"[!] 2020-01-02 {age_b}d  plan item  (journal/2020-01-02-b.md:2)",
    ]
    assert result.err == "2 open, 2 overdue\n"
    data = json.loads(run(tmp_path, "todo", "--all", "--json").out)
    assert [(d["text"], d["state"], d["overdue"]) for d in data] == [
        ("ancient task", "open", True),
        ("finished", "done", False),
        ("plan item", "open", True),
    ]
    assert data[0]["first_day"] == "2020-01-01" and data[0]["age_days"] == age_a and data[0]["line"] == 1


def test_check_exit_codes_and_messages(tmp_path, run):
    edge = run(copy_fixture("edge", tmp_path), "check")
    assert edge.code == 0
    assert edge.out == "checked 17 entries: 0 errors, 6 warnings\n"  # 3 Liquid leftovers among them, as `build` says
    assert "journal/2026-03-09-colon.md:2: warning: value contains ': ' and is not quoted; read it as text" in edge.err
    assert "journal/2026-03-05-liquid.md:12: warning: Liquid '{{ call }}' is left as text" in edge.err
    broken = run(copy_fixture("broken", tmp_path), "check")
    assert broken.code == 1
    assert broken.out == "checked 7 entries: 8 errors, 0 warnings\n"
    assert "journal/2024-01-05-bad-flag.md:3: front matter 'draft': expected true or false, got 'maybe'\n" in broken.err
    assert "\x1b[" not in broken.err  # no colour in a pipe
    todo = run(tmp_path / "broken", "todo")
    assert todo.code == 0
    assert todo.err.startswith("note: 6 entries were skipped for errors; run `tilbook check` to see them\n")
    # an entry whose address another has is read whole: its items are listed, not "skipped"
    write_files(tmp_path / "broken", {"journal/2024-02-01-same.md": "---\npermalink: /about/\n---\n- [ ] 할 일\n",
                                      "journal/2024-02-02-same.md": "---\npermalink: /about/\n---\n- [ ] 또\n"})
    todo = run(tmp_path / "broken", "todo")
    assert "또  (journal/2024-02-02-same.md:4)" in todo.out
    assert "note: 6 entries were skipped for errors" in todo.err
    assert "note: 1 entry has an error that stops `tilbook build`; run `tilbook check` to see it\n" in todo.err
    config = run(copy_fixture("broken-config", tmp_path), "check")
    assert config.code == 2
    assert config.err.startswith("mkdocs.yml:1: site_name: missing: every site needs a name\n")


def test_no_workspace(tmp_path, run):
    result = run(tmp_path, "todo")
    assert result.code == 2
    assert f"no mkdocs.yml in {tmp_path.resolve()} or any folder above it" in result.err
    assert "hint: run `tilbook init`" in result.err


def test_explicit_config_path(tmp_path, run):
    make_workspace(tmp_path / "ws", {"2026-11-01-a.md": "- [ ] x\n"})
    result = run(tmp_path, "--config", str(tmp_path / "ws" / "mkdocs.yml"), "check")
    assert result.code == 0 and result.out == "checked 1 entry: 0 errors, 0 warnings\n"


def test_bad_usage_exits_2(tmp_path, run):
    with pytest.raises(SystemExit) as info:
        run(tmp_path, "nonsense")
    assert info.value.code == 2


def test_console_script_and_module(tmp_path):
    make_workspace(tmp_path, {"2026-11-01-a.md": "- [ ] x\n"})
    exe = Path(sys.executable).parent / ("tilbook.exe" if os.name == "nt" else "tilbook")
    for command in ([str(exe), "check"], [sys.executable, "-m", "tilbook", "check"]):
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8")
        assert done.returncode == 0, done.stderr
        assert done.stdout == "checked 1 entry: 0 errors, 0 warnings\n"
        # and a failure's exit code comes through the entry point (no mkdocs.yml here)
        empty = tmp_path.parent / f"{tmp_path.name}-empty"  # beside the workspace: no mkdocs.yml above it
        empty.mkdir(exist_ok=True)
        failed = subprocess.run([*command[:-1], "build"], cwd=empty, capture_output=True, text=True, encoding="utf-8")
        assert failed.returncode == 2 and "mkdocs.yml" in failed.stderr, failed.stderr


def test_example_journal_in_this_repo():
    """The repo's own journal/ is the example: it must stay clean and show what tilbook does."""
    config = load_config(FIXTURES.parent.parent / "mkdocs.yml")
    journal = load_journal(config)
    assert journal.problems == ()
    entries = journal.entries
    assert len(entries) >= 12
    assert (entries[-1].day - entries[0].day).days >= 21
    bodies = "\n".join(e.body for e in entries)
    assert "| ---" in bodies or "|---" in bodies or "|--" in bodies  # a table
    assert "```python" in bodies and "$$" in bodies  # code and math
    assert any(e.front_matter.format == "none" for e in entries)
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in e.title) for e in entries)
    assert any(e.title.isascii() for e in entries)
    assert len(journal.by_tag) >= 10 and len(journal.by_category) >= 3
    items = track_todos(journal)
    assert any(t.carried >= 2 for t in items) and any(t.is_open for t in items) and any(t.done for t in items)


def test_progress_shows_on_a_terminal_at_each_hundred_and_ends_its_line():
    import io

    from tilbook.cli import _Console

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    show = _Console(out=io.StringIO(), err=err).progress("indexing for search")
    for done in (0, 50, 260, 290, 517, 700, 773):  # shard by shard: not on round hundreds
        show(done, 773)
    assert err.getvalue() == "".join(f"\rindexing for search {n}/773" for n in (0, 260, 517, 700, 773)) + "\n"
    small = Terminal()
    quiet = _Console(out=io.StringIO(), err=small).progress("rendering entries")
    for done in range(1, 300):
        quiet(done, 299)
    assert small.getvalue() == ""  # a small journal builds too fast to need one
    assert _Console(out=io.StringIO(), err=io.StringIO()).progress("x") is None  # a pipe: quiet


def test_check_finds_what_a_strict_build_would_without_writing_the_site(tmp_path, run):
    """DESIGN.md: `check` validates entries, links and notebook references. It read the
    entries only: a link to a missing entry, an anchor to no heading, a missing picture
    and a notebook template that does not exist all passed it, and failed the build."""
    make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: 가\n---\n# 가\n\n[다음 글](2026-11-09-none.md)\n\n![그림](img/missing.png)\n\n"
                           "[위로](#없는-제목)\n",
        "2026-11-02-b.md": "---\ntitle: 나\n---\n[가의 제목으로](2026-11-01-a.md#가)\n\n[없는 곳](2026-11-01-a.md#없음)\n",
    })
    result = run(tmp_path, "check")
    assert result.code == 1 and result.out == "checked 2 entries: 4 errors, 0 warnings\n"
    assert "journal/2026-11-01-a.md:6: broken link '2026-11-09-none.md'" in result.err
    assert "journal/2026-11-01-a.md:8: links to 'img/missing.png', which is not in journal/" in result.err
    assert "journal/2026-11-01-a.md:10: broken anchor '#없는-제목': no heading with id '없는-제목'" in result.err
    assert "journal/2026-11-02-b.md:6: broken anchor '#없음': no heading with id '없음' on /2026/11/01/a/" in result.err
    assert "#가" not in result.err  # the first heading repeats the title: the page's title carries its id
    assert not (tmp_path / "site").exists()
    assert run(tmp_path, "build", "--strict").code == 1  # the same verdict
    write_files(tmp_path, {"journal/2026-11-01-a.md": "---\ntitle: 가\nnotebooks: [gann]\n---\n# 가\n"})
    result = run(tmp_path, "check")
    assert result.code == 1 and "journal/2026-11-01-a.md:3: front matter 'notebooks': no notebook template 'gann'" in result.err
    write_files(tmp_path, {"journal/2026-11-01-a.md": "---\ntitle: 가\n---\n# 가\n",
                           "journal/2026-11-02-b.md": "---\ntitle: 나\n---\n[가의 제목으로](2026-11-01-a.md#가)\n"})
    assert run(tmp_path, "check").out == "checked 2 entries: 0 errors, 0 warnings\n"
    assert not (tmp_path / "site").exists() and run(tmp_path, "build", "--strict").code == 0
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<h1 id="가">가</h1>' in page
    # an entry that does not read does not hide the others' links; a link to it is its error
    write_files(tmp_path, {"journal/2026-11-01-a.md": "---\ntitle: 가\ndraft: maybe\n---\n# 가\n",
                           "journal/2026-11-02-b.md": "---\ntitle: 나\n---\n[가](2026-11-01-a.md)\n\n[없음](none.md)\n"})
    result = run(tmp_path, "check")
    assert result.code == 1 and result.out == "checked 2 entries: 2 errors, 0 warnings\n"
    assert "journal/2026-11-01-a.md:3: front matter 'draft': expected true or false, got 'maybe'" in result.err
    assert "journal/2026-11-02-b.md:6: broken link 'none.md'" in result.err
    # in a folder of the journal: the target is named from the journal's folder, and its line found
    write_files(tmp_path, {"journal/2026-11-01-a.md": "---\ntitle: 가\n---\n# 가\n",
                           "journal/2026/2026-11-03-c.md": "---\ntitle: 다\n---\n글\n\n[없음](2026-11-08-gone.md)\n"})
    assert "journal/2026/2026-11-03-c.md:6: broken link '2026/2026-11-08-gone.md'" in run(tmp_path, "check").err


def test_a_build_with_many_warnings_shows_thirty_counts_them_and_names_check(tmp_path, run):
    """An imported blog's hundreds of missing pictures were printed in full at every build,
    with no count after them; `check` still lists them all."""
    pictures = "".join(f"![그림 {i}](img/{i}.png)\n\n" for i in range(40))
    make_workspace(tmp_path, {"2026-11-01-a.md": "---\ntitle: 가\n---\n" + pictures})
    result = run(tmp_path, "build")
    assert result.code == 0
    assert result.err.count("warning: links to 'img/") == 30
    assert result.err.rstrip().endswith("... and 10 more warnings: `tilbook check` lists them all")
    assert ", 40 warnings in " in result.out
    assert ", 40 warnings) in " in run(tmp_path, "build").out  # (up to date)
    assert run(tmp_path, "check").err.count("links to 'img/") == 40  # (errors there, as with --strict)


def test_a_build_says_which_entries_it_did_not_publish(tmp_path, run):
    """A draft is meant; an entry dated after now is often a typo or a time zone, and it
    vanished from the site without a word (Jekyll's most asked question)."""
    make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: 가\n---\n본문\n",
        "2026-11-02-b.md": "---\ntitle: 나\ndraft: true\n---\n초안\n",
        "2099-01-01-c.md": "---\ntitle: 다\n---\n미래\n",
    })
    said = ("not published: 1 draft and 1 dated after now (journal/2099-01-01-c.md; each is published on its "
            "date); --drafts shows them\n")
    result = run(tmp_path, "build")
    assert result.code == 0 and "built site/: 1 entry" in result.out and result.err.endswith(said)
    assert run(tmp_path, "build").err.endswith(said)  # (up to date: the same)
    assert "not published" not in run(tmp_path, "build", "--drafts").err
