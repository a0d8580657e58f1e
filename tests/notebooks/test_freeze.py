"""`tilbook build` and the freeze store: entries name notebooks; stale ones run, fresh ones
never start a kernel (counted), and --no-execute / --strict / --refresh do what they say."""

import datetime as dt
import json

import pytest

from tests.conftest import make_workspace, write_files
from tilbook.errors import BuildError
from tilbook.site.build import build_site

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
TINY = {
    "notebooks_src/tiny/notebook.yml": """title: {en: Tiny, ko: 작은 노트북}
summary: {en: A notebook that runs in a second, ko: 금방 끝나는 노트북}
template: tiny.py
parameters:
  steps: {type: int, default: 2, help: how many}
profiles:
  smoke: {}
  default: {}
  full: {}
requirements: []
data: []
""",
    "notebooks_src/tiny/tiny.py": """# %% [markdown]
# # {{ title }}

# %% tags=["parameters"]
steps = 2

# %%
print("steps", steps)
""",
}


def entry(notebooks: str, body: str = "오늘 한 일.\n") -> str:
    return f"---\ntitle: 노트북 실험\nnotebooks: {notebooks}\n---\n{body}"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    import tilbook.notebooks.execute as execute

    starts: list[str] = []
    real = execute._run_cells
    monkeypatch.setattr(execute, "_run_cells", lambda client, nb, *a, **k: starts.append(nb.metadata.get(
        "tilbook", {}).get("template", "?")) or real(client, nb, *a, **k))
    config = make_workspace(tmp_path, {"2026-11-20-a.md": entry("[tiny]")})
    write_files(tmp_path, TINY)
    return config, tmp_path, starts


def test_stale_notebooks_run_and_fresh_ones_start_no_kernel(workspace):
    config, root, starts = workspace
    announced = []
    build_site(config, now=NOW, on_notebook=lambda job: announced.append(job.name))
    assert starts == ["tiny"] and announced == ["tiny"]
    record = json.loads((root / "_freeze/tiny/run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok" and record["template"]["template"] == "tiny"
    assert build_site(config, now=NOW).noop and starts == ["tiny"]  # nothing changed: no kernel
    write_files(root, {"journal/2026-11-20-a.md": entry("[tiny]", "본문만 고쳤다.\n")})
    result = build_site(config, now=NOW)
    assert not result.noop and starts == ["tiny"]  # the entry changed, the notebook did not
    write_files(root, {"journal/2026-11-20-a.md": entry("[{template: tiny, params: {steps: 5}}]")})
    build_site(config, now=NOW)
    assert starts == ["tiny", "tiny"]  # a parameter changed: it ran again
    assert "steps 5" in (root / "_freeze/tiny/tiny.ipynb").read_text(encoding="utf-8")
    build_site(config, now=NOW, refresh=frozenset({"tiny"}))
    assert starts == ["tiny", "tiny", "tiny"]


def test_no_execute_reports_stale_notebooks_and_strict_fails(workspace):
    config, root, starts = workspace
    result = build_site(config, now=NOW, execute=False)
    assert starts == []
    [warning] = [w for w in result.warnings if w.key == "notebooks"]
    assert "has never run" in warning.message and warning.path == "journal/2026-11-20-a.md"
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW, execute=False, strict=True)
    assert "has never run" in info.value.problem.message and starts == []
    # The next build that may execute runs it, although nothing else changed.
    build_site(config, now=NOW)
    assert starts == ["tiny"]
    write_files(root, {"journal/2026-11-20-a.md": entry("[{template: tiny, params: {steps: 9}}]")})
    stale = build_site(config, now=NOW, execute=False)
    assert starts == ["tiny"] and any("is stale" in w.message for w in stale.warnings)


def test_bad_notebook_references_are_errors_at_their_line(workspace):
    config, root, starts = workspace
    write_files(root, {
        "journal/2026-11-20-a.md": entry("\n  - tiny\n  - tinny"),
        "journal/2026-11-21-b.md": entry("[{template: tiny, name: tiny-b, params: {steps: many}}]"),
        "journal/2026-11-22-c.md": entry("[{template: tiny, params: {steps: 4}}]"),
    })
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    found = {(p.path, p.line): p.message for p in info.value.problems}
    assert "no notebook template 'tinny'" in found[("journal/2026-11-20-a.md", 5)]
    assert "parameter 'steps' expects an int, got 'many'" in found[("journal/2026-11-21-b.md", 3)]
    assert "already used with other settings" in found[("journal/2026-11-22-c.md", 3)]
    assert starts == [] and not (root / "site").exists()
    with pytest.raises(BuildError) as info:
        write_files(root, {"journal/2026-11-21-b.md": entry("[]"), "journal/2026-11-22-c.md": entry("[]"),
                           "journal/2026-11-20-a.md": entry("[tiny]")})
        build_site(config, now=NOW, refresh=frozenset({"gan"}))
    assert "--refresh names 'gan', which no entry uses" in info.value.problem.message


def test_a_failing_notebook_fails_the_build_and_keeps_the_site(workspace):
    config, root, starts = workspace
    build_site(config, now=NOW)
    before = (root / "site/index.html").read_bytes()
    write_files(root, {"notebooks_src/tiny/tiny.py": TINY["notebooks_src/tiny/tiny.py"].replace(
        'print("steps", steps)', 'raise RuntimeError("broken on purpose")')})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    assert "notebook 'tiny' failed" in info.value.problem.message and starts == ["tiny", "tiny"]
    assert (root / "site/index.html").read_bytes() == before
    assert json.loads((root / "_freeze/tiny/run.json").read_text(encoding="utf-8"))["status"] == "error"


def test_notebook_pages_and_entry_cards(workspace):
    config, root, starts = workspace
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    write_files(root, {"notebooks_src/tiny/tiny.py": TINY["notebooks_src/tiny/tiny.py"] + f"""
# %% [markdown]
# ## 결과 그림

# %%
import base64, json
from IPython.display import Image, display
for i in range(3):
    print(f"\\r진행 {{i}}/3", end="")
print()
display(Image(data=base64.b64decode("{png}")))
display({{"application/vnd.tilbook.metrics+json": {{"score": steps / 3, "fallbacks": ["digits"]}},
         "text/plain": json.dumps({{"score": steps}})}}, raw=True)
"""})
    build_site(config, now=NOW)
    site = root / "site"
    page = (site / "notebooks/tiny/index.html").read_text(encoding="utf-8")
    assert "<h2" in page and "결과 그림" in page  # markdown cells through our pipeline
    assert 'class="highlight"' in page and "steps 2" in page  # code highlighted, stdout kept
    assert "진행 2/3" in page and "진행 0/3" not in page  # a redrawn progress line shows its last state
    assert 'src="/notebooks/tiny/cell-' in page and "data:image" not in page  # images as files, not base64
    images = sorted((site / "notebooks/tiny").glob("cell-*.png"))
    assert len(images) == 1 and images[0].stat().st_size > 0
    assert (site / "notebooks/tiny/tiny.ipynb").read_bytes() == (root / "_freeze/tiny/tiny.ipynb").read_bytes()
    assert "<dt>score</dt><dd>0.6667</dd>" in page and "nb-fallback" in page
    assert 'href="/2026/11/20/a/"' in page  # the entry that talks about it
    entry_page = (site / "2026/11/20/a/index.html").read_text(encoding="utf-8")
    assert 'href="/notebooks/tiny/"' in entry_page and 'class="nb-thumb"' in entry_page
    # --no-execute with changed code: the old results stay, badged stale
    write_files(root, {"journal/2026-11-20-a.md": entry("[{template: tiny, params: {steps: 4}}]")})
    build_site(config, now=NOW, execute=False)
    assert "nb-stale" in (site / "2026/11/20/a/index.html").read_text(encoding="utf-8")


def test_the_example_journals_frozen_runs_are_fresh():
    """README's first command builds the example without torch installed: that only works
    while every notebook the example names has a fresh frozen run in _freeze/. After a
    template change, run `tilbook build` in the repo (it executes the stale ones) and commit."""
    from tests.conftest import REPO
    from tilbook.config import load_config
    from tilbook.journal.load import load_journal
    from tilbook.notebooks.freeze import collect_jobs, refresh_frozen

    config = load_config(REPO / "mkdocs.yml")
    jobs = collect_jobs(config, load_journal(config).entries, config.tilbook.kernel)
    assert sorted(job.name for job in jobs) == ["autoencoder", "gan", "style_transfer"]
    states = refresh_frozen(config, jobs, execute=False)
    assert {f.job.name: f.state for f in states} == {name: "fresh" for name in ("autoencoder", "gan", "style_transfer")}
    assert all(f.record["status"] == "ok" for f in states)


def test_nb_links_lead_to_notebook_pages_and_unknown_ones_are_errors(workspace):
    config, root, starts = workspace
    write_files(root, {"journal/2026-11-20-a.md": entry("[tiny]", "결과는 [실행한 노트북](nb:tiny)에 있다.\n"),
                       "journal/2026-11-21-b.md": "---\ntitle: 링크만\n---\n앞 줄\n\n[그 노트북](nb:tiny#결과)도 보자.\n"})
    build_site(config, now=NOW)
    assert 'href="/notebooks/tiny/"' in (root / "site/2026/11/20/a/index.html").read_text(encoding="utf-8")
    assert 'href="/notebooks/tiny/#%EA%B2%B0%EA%B3%BC"' in (root / "site/2026/11/21/b/index.html").read_text(encoding="utf-8")
    write_files(root, {"journal/2026-11-21-b.md": "---\ntitle: 링크만\n---\n앞 줄\n\n[없는 노트북](nb:tinny)\n"})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    problem = info.value.problem
    assert (problem.path, problem.line) == ("journal/2026-11-21-b.md", 6)
    assert "links to notebook 'tinny', which no entry's front matter names" in problem.message
    assert "known: tiny" in problem.hint


def test_a_rebuild_neither_generates_nor_reads_the_notebooks_that_did_not_change(tmp_path):
    """Generating each notebook to key it (jupytext) and reading each run to render its page
    (nbformat, 0.75 s to import where jsonschema finds rfc3987-syntax) was most of a
    one-entry rebuild of the example (1.0 of 1.3 s). Unchanged notebooks are now kept from
    the last build; a run that changed is read again; the site equals a clean build."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import copy_example
    from tilbook.config import load_config

    root = copy_example(tmp_path)
    config = load_config(root / "mkdocs.yml")
    build_site(config, now=NOW, execute=False)
    (root / "journal/2026/2026-11-24-three-weeks.md").open("a", encoding="utf-8").write("\n한 줄 더.\n")
    record = json.loads((root / "_freeze/gan/run.json").read_text(encoding="utf-8"))

    def rebuild() -> list[str]:  # in a fresh process, as `tilbook build` runs
        script = ("import datetime as dt, sys; from pathlib import Path; from tilbook.config import load_config; "
                  "from tilbook.site.build import build_site; "
                  f"r = build_site(load_config(Path({str(root / 'mkdocs.yml')!r})), now=dt.datetime.fromisoformat({NOW.isoformat()!r}), "
                  "execute=False); print(*sorted(m for m in ('nbformat', 'jupytext') if m in sys.modules)); print(*r.changed)")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        imported, changed = done.stdout.splitlines()
        return imported.split(), changed.split()

    def clean_equals_incremental() -> None:
        files = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
        shutil.rmtree(root / "site")
        build_site(config, now=NOW, execute=False, use_cache=False)
        assert {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == files

    imported, changed = rebuild()
    assert imported == [] and "2026/11/24/three-weeks/index.html" in changed
    assert not any(p.startswith("notebooks/") for p in changed)
    clean_equals_incremental()
    # the GAN ran again elsewhere (a new record, same notebook): its page and card follow
    (root / "_freeze/gan/run.json").write_text(json.dumps({**record, "duration": 4321.0}), encoding="utf-8")
    imported, changed = rebuild()
    assert imported == ["nbformat"] and "notebooks/gan/index.html" in changed
    assert "72분 1초" in (root / "site/notebooks/gan/index.html").read_text(encoding="utf-8")
    clean_equals_incremental()


def test_a_notebook_kept_from_the_last_build_is_generated_again_when_it_must_run(workspace):
    """The build keeps jobs without their notebook; --refresh, or a run deleted from the
    store, must still run the notebook as the template makes it."""
    import shutil

    config, root, starts = workspace
    build_site(config, now=NOW)
    build_site(config, now=NOW, refresh=frozenset({"tiny"}))
    shutil.rmtree(root / "_freeze/tiny")
    build_site(config, now=NOW)
    assert starts == ["tiny", "tiny", "tiny"]
    ran = json.loads((root / "_freeze/tiny/tiny.ipynb").read_text(encoding="utf-8"))
    assert any("steps 2" in "".join(o.get("text", "")) for c in ran["cells"] for o in c.get("outputs", []))
