import os
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, write_files
from tilbook.config import find_config, load_config, parse_config
from tilbook.errors import ConfigError


def config_from(tmp_path: Path, text: str):
    write_files(tmp_path, {"mkdocs.yml": text})
    return load_config(tmp_path / "mkdocs.yml")


def test_defaults(tmp_path):
    config = config_from(tmp_path, "site_name: My TIL\n")
    assert config.site_name == "My TIL"
    assert config.docs_dir == (tmp_path / "journal").resolve()
    assert config.site_dir == (tmp_path / "site").resolve()
    assert config.theme.language == "en"
    assert config.tilbook.permalink == "/{year}/{month}/{day}/{slug}/"
    assert "내일 할 일" in config.tilbook.tomorrow_headings and "Tomorrow" in config.tilbook.tomorrow_headings
    assert config.tilbook.timezone_source == "system"
    assert config.warnings == ()


def test_mkdocs_keys_and_tilbook_settings(tmp_path):
    (tmp_path / "overrides").mkdir()
    config = config_from(
        tmp_path,
        """\
site_name: 밤마다 딥러닝
site_url: https://example.github.io/til/
site_author: 하늘
repo_url: https://github.com/example/til
docs_dir: posts
site_dir: public
theme:
  name: material
  language: ko
  custom_dir: overrides
  palette: {primary: indigo}
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
extra:
  social: [{icon: github}]
nav:
  - Home: index.md
tilbook:
  timezone: Asia/Seoul
  tomorrow_headings: [다음에 할 것]
  entry_path: "{year}/{month}/{day}.md"
  permalink: "/til/{year}/{slug}.html"
""",
    )
    assert config.site_url == "https://example.github.io/til/"
    assert config.docs_dir.name == "posts" and config.site_dir.name == "public"
    assert config.theme.language == "ko" and config.theme.custom_dir == (tmp_path / "overrides").resolve()
    assert [e.name for e in config.markdown_extensions] == ["toc", "tables", "pymdownx.emoji"]
    assert config.markdown_extensions[0].options == {"permalink": True}
    assert config.extra["social"] == [{"icon": "github"}]
    assert config.tilbook.timezone_name == "Asia/Seoul" and config.tilbook.timezone_source == "config"
    assert config.tilbook.tomorrow_headings == ("다음에 할 것",)
    assert config.tilbook.entry_path == "{year}/{month}/{day}.md"
    assert config.tilbook.permalink == "/til/{year}/{slug}.html"
    assert config.warnings == ()


def test_every_problem_reported_at_once_with_lines_and_hints():
    with pytest.raises(ConfigError) as info:
        load_config(FIXTURES / "broken-config" / "mkdocs.yml")
    assert [p.format() for p in info.value.problems] == [
        "mkdocs.yml:1: site_name: missing: every site needs a name\n  hint: add a line: site_name: My TIL",
        "mkdocs.yml:4: theme.custom_dir: folder 'missing-folder' does not exist\n  hint: create it or remove the key",
        "mkdocs.yml:6: tilbook.timezone: unknown time zone 'Asia/Seol'\n  hint: did you mean 'Asia/Seoul'?",
        "mkdocs.yml:7: tilbook.permalink: unknown field {title} in '/{year}/{title}/'\n"
        "  hint: use only {year}, {month}, {day}, {slug}, {category}",
        "mkdocs.yml:8: warning: tilbook.tomorow_headings: unknown key, ignored\n  hint: did you mean 'tomorrow_headings'?",
        "mkdocs.yml:9: warning: nav_bar: unknown key, ignored\n  hint: did you mean 'nav'?",
    ]


def test_unknown_keys_only_warn(tmp_path):
    config = config_from(tmp_path, "site_name: x\nsite_nmae: y\nplugins: [blog]\n")
    assert [(p.key, p.line, p.severity) for p in config.warnings] == [
        ("site_nmae", 2, "warning"),
        ("plugins", 3, "warning"),
    ]
    assert config.warnings[0].hint == "did you mean 'site_name'?"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("site_name: [a, b]\n", "mkdocs.yml:1: site_name: expected text, got a list"),
        ("site_name: x\ntheme: 3\n", "mkdocs.yml:2: theme: expected a name or a mapping, got int 3"),
        ("site_name: x\ntilbook:\n  entry_path: /abs/{slug}.md\n",
         "mkdocs.yml:3: tilbook.entry_path: '/abs/{slug}.md' must be a relative path ending in .md"),
        ("site_name: x\ntilbook:\n  entry_path: ../{slug}.md\n",
         "mkdocs.yml:3: tilbook.entry_path: '../{slug}.md' may not contain '..' or '\\'"),
        ("site_name: x\ntilbook:\n  permalink: /{year}/\n",
         "mkdocs.yml:3: tilbook.permalink: '/{year}/' must start with '/', contain {slug} and end with '/' or '.html'"),
        ("site_name: x\ntilbook: [1]\n", "mkdocs.yml:2: tilbook: expected a mapping, got a list"),
        ("site_name: x\nsite_dir: .\n", "mkdocs.yml:2: site_dir: site_dir must not contain docs_dir (a build replaces site_dir)"),
        ("site_name: x\nmarkdown_extensions: toc\n", "mkdocs.yml:2: markdown_extensions: expected a list, got str 'toc'"),
        ("site_name: x\ntilbook:\n  per_page: 0\n", "mkdocs.yml:3: tilbook.per_page: expected a whole number of at least 1, got int 0"),
        ("site_name: x\ntilbook:\n  feed_size: many\n",
         "mkdocs.yml:3: tilbook.feed_size: expected a whole number of at least 1, got str 'many'"),
    ],
)
def test_wrong_values(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        config_from(tmp_path, text)
    assert info.value.problems[0].format().split("\n")[0] == message


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_from(tmp_path, "site_name: x\ntheme:\n  name: a\n language: ko\n")
    assert info.value.problem.line == 4
    assert info.value.problem.format().startswith("mkdocs.yml:4: invalid YAML")


def test_env_tag(tmp_path, monkeypatch):
    monkeypatch.setenv("TIL_URL", "https://til.example.org/")
    config = config_from(tmp_path, "site_name: x\nsite_url: !ENV TIL_URL\nsite_author: !ENV [NOPE, default author]\n")
    assert config.site_url == "https://til.example.org/"
    assert config.site_author == "default author"


def test_bom_and_crlf_config(tmp_path):
    (tmp_path / "mkdocs.yml").write_bytes(b"\xef\xbb\xbfsite_name: Windows\r\ntilbook:\r\n  timezone: Asia/Seoul\r\n")
    config = load_config(tmp_path / "mkdocs.yml")
    assert config.site_name == "Windows" and config.tilbook.timezone_name == "Asia/Seoul"


def test_found_upward(tmp_path):
    write_files(tmp_path, {"mkdocs.yml": "site_name: x\n", "journal/2024/03/x.md": "hi"})
    assert find_config(tmp_path / "journal" / "2024" / "03") == (tmp_path / "mkdocs.yml").resolve()


def test_missing_config(tmp_path):
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    assert "no mkdocs.yml" in info.value.problem.message
    assert "tilbook init" in info.value.problem.hint


def test_config_is_frozen(tmp_path):
    config = config_from(tmp_path, "site_name: x\n")
    with pytest.raises(AttributeError):
        config.site_name = "y"  # type: ignore[misc]


def test_parse_config_is_pure(tmp_path):
    config = parse_config("site_name: x\ndocs_dir: notes\n", path=tmp_path / "mkdocs.yml")
    assert config.docs_dir == (tmp_path / "notes").resolve()


# --- the cached parse (tilbook build) -------------------------------------------------------


def test_a_kept_parse_is_used_while_what_it_read_is_unchanged(tmp_path, monkeypatch):
    write_files(tmp_path, {"mkdocs.yml": "site_name: !ENV [TIL_NAME, fallback]\ntheme:\n  custom_dir: over\n"})
    cfg = tmp_path / "mkdocs.yml"
    (tmp_path / "over").mkdir()
    monkeypatch.setenv("TIL_NAME", "first")
    first = load_config(cfg, cached=True)
    assert first.site_name == "first" and first.theme.custom_dir == (tmp_path / "over").resolve()
    assert (tmp_path / ".tilbook" / "cache" / "config.pkl").is_file()
    assert load_config(cfg, cached=True) == first

    monkeypatch.setenv("TIL_NAME", "second")  # an !ENV variable changed
    assert load_config(cfg, cached=True).site_name == "second"
    monkeypatch.delenv("TIL_NAME")
    assert load_config(cfg, cached=True).site_name == "fallback"

    (tmp_path / "over").rmdir()  # a folder the config names is gone: the error is reported again
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(cfg, cached=True)

    cfg.write_text("site_name: edited\n", encoding="utf-8")  # new bytes
    assert load_config(cfg, cached=True).site_name == "edited"


def test_a_kept_parse_follows_the_system_time_zone(tmp_path):
    import subprocess
    import sys

    write_files(tmp_path, {"mkdocs.yml": "site_name: x\n"})
    probe = "from tilbook.config import load_config; print(load_config(cached=True).tilbook.timezone_name)"
    for zone in ("Asia/Seoul", "Europe/Berlin", "Asia/Seoul"):  # a new process each time, as each build is
        run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                             env={**os.environ, "TZ": zone})
        assert run.stdout.strip() == zone, run.stderr


def test_a_damaged_kept_parse_is_ignored_and_errors_are_never_kept(tmp_path):
    write_files(tmp_path, {"mkdocs.yml": "site_name: x\n"})
    cfg = tmp_path / "mkdocs.yml"
    kept = tmp_path / ".tilbook" / "cache" / "config.pkl"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"not a pickle")
    assert load_config(cfg, cached=True).site_name == "x"
    cfg.write_text("site_name: [a, b]\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError) as info:
            load_config(cfg, cached=True)
        assert info.value.problems[0].key == "site_name"


def test_a_no_op_build_reads_no_yaml(tmp_path):
    """What the kept parse is for: the second build in a fresh process imports no YAML parser."""
    import subprocess
    import sys

    write_files(tmp_path, {"mkdocs.yml": "site_name: x\ntilbook:\n  timezone: Asia/Seoul\n  search: false\n",
                           "journal/2026-01-02-a.md": "---\ntitle: A\ndate: 2026-01-02\n---\nbody\n"})
    probe = ("import sys, atexit\n"
             "atexit.register(lambda: print('yaml imported' if 'yaml' in sys.modules else 'no yaml'))\n"
             "from tilbook.cli import main\n"
             "main(['build'])\n")
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.strip().endswith("yaml imported")
    assert "up to date" in runs[1].stdout and runs[1].stdout.strip().endswith("no yaml")


def test_build_no_cache_parses_the_config_anew(tmp_path):
    from tilbook.cli import main

    write_files(tmp_path, {"mkdocs.yml": "site_name: x\ntilbook:\n  timezone: Asia/Seoul\n  search: false\n",
                           "journal/2026-01-02-a.md": "---\ntitle: A\ndate: 2026-01-02\n---\nbody\n"})
    kept = tmp_path / ".tilbook" / "cache" / "config.pkl"
    assert main(["--config", str(tmp_path / "mkdocs.yml"), "build", "--no-cache"]) == 0
    assert not kept.exists()
    assert main(["--config", str(tmp_path / "mkdocs.yml"), "build"]) == 0
    assert kept.is_file()


def test_a_misspelt_theme_key_warns_and_material_keys_pass_quietly(tmp_path):
    config = config_from(tmp_path, "site_name: x\ntheme:\n  name: material\n  langauge: ko\n  palette: {primary: indigo}\n"
                                   "  logo: img/logo.png\n  features: [navigation.tabs]\n")
    assert config.theme.language == "en"
    assert [p.format() for p in config.warnings] == [
        "mkdocs.yml:4: warning: theme.langauge: unknown key, ignored\n  hint: did you mean 'language'?"]


def test_comments_settings_are_checked_with_lines_and_hints(tmp_path):
    giscus = config_from(tmp_path, "site_name: x\ntilbook:\n  comments:\n    provider: giscus\n    repo: you/til\n"
                                   "    repo_id: R_kgDO1\n    category: Comments\n    category_id: DIC_kwDO2\n"
                                   "    reactions: false\n")
    assert giscus.warnings == ()
    assert (giscus.tilbook.comments.provider, giscus.tilbook.comments.repo) == ("giscus", "you/til")
    assert giscus.tilbook.comments.get("category_id") == "DIC_kwDO2" and giscus.tilbook.comments.get("reactions") == "false"
    assert config_from(tmp_path, "site_name: x\n").tilbook.comments is None  # none unless configured
    utterances = config_from(tmp_path, "site_name: x\ntilbook:\n  comments: {provider: utterances, repo: you/til, "
                                       "issue_term: title, labl: x}\n")
    assert utterances.tilbook.comments.get("issue_term") == "title"
    assert [p.format() for p in utterances.warnings] == [
        "mkdocs.yml:3: warning: tilbook.comments.labl: unknown key, ignored\n  hint: did you mean 'label'?"]
    with pytest.raises(ConfigError) as info:
        config_from(tmp_path, "site_name: x\ntilbook:\n  comments:\n    provider: giscus\n    repo: til\n"
                              "    category: Comments\n")
    assert [p.format() for p in info.value.problems] == [
        "mkdocs.yml:3: tilbook.comments: giscus needs category_id\n"
        "  hint: https://giscus.app shows repo_id, category and category_id for your repository",
        "mkdocs.yml:3: tilbook.comments: giscus needs repo_id\n"
        "  hint: https://giscus.app shows repo_id, category and category_id for your repository",
        "mkdocs.yml:5: tilbook.comments.repo: expected owner/name of a public GitHub repository, got 'til'\n"
        "  hint: write e.g. repo: you/til",
    ]
    with pytest.raises(ConfigError) as info:
        config_from(tmp_path, "site_name: x\ntilbook:\n  comments: {provider: disqus, repo: you/til}\n")
    assert info.value.problem.format().startswith("mkdocs.yml:3: tilbook.comments.provider: expected giscus or utterances")
