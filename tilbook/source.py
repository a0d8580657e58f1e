"""Reading the user's text files: bytes → clean text, and YAML with line numbers.

Entries are often written on Windows (Notepad adds a BOM and CRLF line ends, older
editors save CP949) and on macOS (NFD Hangul in file names and text). Everything that
reads a user's file goes through `decode_text`, so the rest of tilbook sees one form:
UTF-8 decoded, no BOM, `\\n` line ends, NFC.
"""

from __future__ import annotations

import copyreg
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tilbook.errors import Problem

# Config and Entry hold read-only mappings; the journal loader sends entries between
# processes, so let them pickle (as a fresh read-only copy).
def read_only(data: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(data)


copyreg.pickle(MappingProxyType, lambda m: (read_only, (dict(m),)))

_BOMS = (b"\xef\xbb\xbf",)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class DecodeProblem(ValueError):
    """The bytes are not UTF-8; carries a ready `Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _guess_encoding(data: bytes) -> str | None:
    if data.startswith(_UTF16_BOMS):
        return "UTF-16"
    head = data[:4096]
    if b"\x00" in head:  # UTF-16 without a BOM: the zero byte of each ASCII letter, on one side
        zero_odd, zero_even = head[1::2].count(0), head[0::2].count(0)
        name = "utf-16-le" if zero_odd > zero_even else "utf-16-be" if zero_even > zero_odd else None
        if name:
            try:
                data[: len(data) // 2 * 2].decode(name)
                return name.upper().replace("UTF-16-", "UTF-16")
            except UnicodeDecodeError:
                pass
    for name, label in (("cp949", "CP949 (Korean Windows)"), ("shift_jis", "Shift-JIS"), ("gb18030", "GB18030")):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        # CP949 decodes almost any byte string; call it likely only when it yields Hangul.
        if name != "cp949" or any("\uac00" <= ch <= "\ud7a3" for ch in text):
            return label
    return None


def decode_text(data: bytes, *, path: str) -> str:
    """UTF-8 bytes (BOM optional, CRLF/CR/LF) → NFC text with `\\n` line ends.

    Raises `DecodeProblem` naming the line of the first bad byte and the likely encoding.
    """
    if data.startswith(_BOMS):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        enc = guess.split(" ")[0] if guess else "CP949"
        what = f"it looks like {guess}" if guess else "the encoding is unknown"
        raise DecodeProblem(
            Problem(
                f"not UTF-8 text ({what}; first bad byte 0x{data[exc.start]:02x})",
                path=path,
                line=line,
                hint=(
                    f'convert it once to UTF-8: iconv -f {enc} -t UTF-8 "{path}" > converted.md'
                    " && mv converted.md "
                    f'"{path}"  (or in your editor: save with encoding UTF-8)'
                ),
            )
        ) from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def read_text(path: Path, *, display: str | None = None) -> str:
    """Read a user's text file through `decode_text`."""
    return decode_text(path.read_bytes(), path=display or str(path))


# --- YAML -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tagged:
    """A YAML value with a tag we do not execute (`!!python/name:…`, `!relative`)."""

    tag: str
    value: Any


@lru_cache(maxsize=1)
def _loader_class() -> type:
    """Safe loader that leaves timestamps as text and never runs a tag; libyaml's parser
    when PyYAML was built with it (several times faster on big journals). Made on first
    use: importing PyYAML is a tenth of a no-op build, which reads no YAML when the
    config's parse is cached (`tilbook.config.load`).

    Timestamps: PyYAML turns `2021-02-30` into a crash (ValueError) and `2025-06-16 10:00:00
    +0900` into a str while `+09:00` becomes a datetime; tilbook parses every date itself.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.env_read: list[tuple[str, str | None]] = []

    def construct_env(loader: Loader, node: yaml.Node) -> Any:
        # MkDocs' `!ENV NAME` and `!ENV [NAME, OTHER, default]`. Every name is noted with
        # its value: a cached parse of the config holds while they stay the same.
        if isinstance(node, yaml.ScalarNode):
            names, default = [loader.construct_scalar(node)], None
        else:
            items = loader.construct_sequence(node)
            names, default = items[:-1] if len(items) > 1 else items, items[-1] if len(items) > 1 else None
        loader.env_read.extend((name, os.environ.get(name)) for name in names if isinstance(name, str))
        for name in names:
            if isinstance(name, str) and name in os.environ:
                value = os.environ[name]
                return yaml.load(value, Loader=Loader) if value else value
        return default

    def construct_tagged(loader: Loader, suffix: str, node: yaml.Node) -> Tagged:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node)
        else:
            value = loader.construct_mapping(node)
        return Tagged(node.tag, value)

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_constructor("!ENV", construct_env)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", construct_tagged)
    Loader.add_multi_constructor("!", construct_tagged)
    return Loader


@dataclass(frozen=True)
class YamlDoc:
    """A YAML mapping with the line of every key and the source text of plain scalars."""

    data: dict[str, Any]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    """Key path → 1-based line of the key (or, for a list item, of the item) in the file."""
    raw: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Key path → the scalar exactly as written (so `title: 1.10` or `title: no` stay text)."""
    duplicates: tuple[tuple[tuple[str, ...], int], ...] = ()
    root_line: int = 1
    env: tuple[tuple[str, str | None], ...] = ()
    """The environment variables `!ENV` tags named, with their values then (None: unset)."""

    def line(self, *keys: str) -> int:
        """Line of the deepest known key along `keys`, else the document's first line."""
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.lines:
                return self.lines[keys[:n]]
        return self.root_line


class YamlProblem(ValueError):
    def __init__(self, message: str, line: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.hint = hint


def _walk(node: Any, prefix: tuple[str, ...], offset: int, doc: dict[str, Any], yaml: Any) -> None:
    if isinstance(node, yaml.SequenceNode):
        # List items are addressed by their index: ("markdown_extensions", "2").
        for i, item in enumerate(node.value):
            doc["lines"][prefix + (str(i),)] = item.start_mark.line + 1 + offset
            _walk(item, prefix + (str(i),), offset, doc, yaml)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = str(key_node.value)
        path = prefix + (key,)
        if key in seen:
            doc["duplicates"].append((path, key_node.start_mark.line + 1 + offset))
        seen.add(key)
        doc["lines"][path] = key_node.start_mark.line + 1 + offset
        if isinstance(value_node, yaml.ScalarNode) and not value_node.style:  # plain ('' from libyaml)
            doc["raw"][path] = value_node.value
        _walk(value_node, path, offset, doc, yaml)


def load_yaml_mapping(text: str, *, first_line: int = 1) -> YamlDoc:
    """Parse YAML that must be a mapping (or empty). `first_line` is where `text` starts.

    Raises `YamlProblem` with the file's real line number.
    """
    import yaml

    offset = first_line - 1
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc({}, root_line=first_line)
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(
                f"expected 'key: value' lines, got a {_node_kind(node)}",
                node.start_mark.line + 1 + offset,
                "write one 'key: value' per line",
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, text, offset) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from exc
    finally:
        loader.dispose()
    found: dict[str, Any] = {"lines": {}, "raw": {}, "duplicates": []}
    _walk(node, (), offset, found, yaml)
    return YamlDoc(
        data,
        lines=found["lines"],
        raw=found["raw"],
        duplicates=tuple(found["duplicates"]),
        root_line=first_line,
        env=tuple(loader.env_read),
    )


def _node_kind(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "single value"


def _yaml_problem(exc: Any, text: str, offset: int) -> YamlProblem:
    """PyYAML's error → one line with the file's line number and, where we know it, a fix."""
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 + offset) if mark else offset + 1
    lines = text.split("\n")
    source_line = lines[mark.line] if mark and mark.line < len(lines) else ""
    what = exc.problem or str(exc)
    hint = None
    ctx = exc.context_mark
    if "\t" in source_line:
        hint = "YAML indents with spaces only; replace the tab with spaces"
    elif "mapping values are not allowed" in what:
        hint = "a value that contains ': ' must be quoted, e.g. title: \"Part 1: basics\""
    elif exc.context and "flow" in exc.context and ctx is not None:
        # `tags: [#파이썬, #딥러닝]`: a '#' after '[' or ', ' starts a comment, so the list never
        # closes, and PyYAML points at the end of the text; the line to fix is that one
        commented = next((i for i in range(min(ctx.line, len(lines) - 1), -1, -1)
                          if re.search(r"[\[{,]\s*#", lines[i])), None)
        at_line = commented if commented is not None else ctx.line
        opened = lines[at_line] if at_line < len(lines) else ""
        at = opened[ctx.column] if commented is None and ctx.column < len(opened) else ""
        opener = at if at and at in "[{" else next((c for c in opened if c in "[{"), None) or (
            "[" if "sequence" in exc.context else "{")
        closer = "]" if opener == "[" else "}"
        line = at_line + 1 + offset
        what = f"the '{opener}' opened here is never closed ({what})"
        if commented is not None:
            hint = "'#' there starts a YAML comment: leave it out, or quote the item: [\"#파이썬\"]"
        else:
            hint = f"end the list with '{closer}' on the same line, or quote the value"
    elif "could not find expected ':'" in what:
        hint = "each line needs 'key: value'; quote values that span lines"
    elif "undefined alias" in what or "unhashable key" in what:
        hint = "quote the value: text starting with * or { is YAML syntax"
    elif "found character '`'" in what or "found character '@'" in what:
        hint = "values starting with ` or @ must be quoted"
    return YamlProblem(f"invalid YAML: {what}", line, hint)


_UNQUOTED_COLON = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)(?P<sep>\s*:[ \t]+)(?P<value>[^'\"\[{|>&*!#%@`\s].*?:\s.*?)\s*$")


def quote_colon_values(text: str) -> tuple[str, list[int]]:
    """Quote top-level `key: value: more` lines, the commonest front matter mistake.

    Returns the repaired text and the 1-based lines (within `text`) that were changed.
    """
    lines = text.split("\n")
    changed = []
    for i, line in enumerate(lines):
        m = _UNQUOTED_COLON.match(line)
        if m and " #" not in m["value"]:
            value = m["value"].replace("'", "''")
            lines[i] = f"{m['key']}{m['sep']}'{value}'"
            changed.append(i + 1)
    return "\n".join(lines), changed
