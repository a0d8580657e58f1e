"""Jekyll leftovers in entries written for Jekyll: turned into what they meant, never run.

Only entries with YAML front matter (the Jekyll convention) get this treatment; a `{{ }}`
in any other entry is plain text. Changes keep the line count (so warnings point into the
file), except code written on the `{% highlight %}` line itself, which moves to the next.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Literal

_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_HIGHLIGHT_OPEN = re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*highlight\s+(?P<lang>[\w+#.-]+)(?:\s+[^%]*)?-?%\}[ \t]*(?P<rest>.*)$")
_HIGHLIGHT_CLOSE = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_SITE_VAR = re.compile(r"\{\{-?\s*site\.(?P<name>baseurl|url)\s*-?\}\}")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+(?P<name>[^\s%]+)\s*-?%\}")
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
_SPAN_IALS = re.compile(r"(?:\{:\s*[^}\n]*\})+")
_BLOCK_IAL = re.compile(r"^[ \t]*(?:\{:\s*[^}\n]*\}[ \t]*)+$")
_TOC_MARK = re.compile(r"^[ \t]*\{:\s*toc\s*\}[ \t]*$")
_TOC_ITEM = re.compile(r"^[ \t]*[*+-]\s+(?:TOC|Table of Contents|목차)\s*$")
_INCLUDE_VIDEO = re.compile(r"\{%-?\s*include\s+(?P<file>video|video\.html|youtube\.html|youtube|vimeo\.html)\s+(?P<args>[^%]*?)\s*-?%\}")
_ARG = re.compile(r"""(?P<k>[\w-]+)\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<b>[^\s"']+))""")
EMBEDS = {
    "youtube": "https://www.youtube-nocookie.com/embed/{id}",
    "vimeo": "https://player.vimeo.com/video/{id}",
}


def video_embed(provider: str, video_id: str) -> str | None:
    """An `<iframe>` for a YouTube or Vimeo video id; None for another provider."""
    url = EMBEDS.get(provider.lower())
    if url is None or not re.fullmatch(r"[\w-]+", video_id):
        return None
    src = html.escape(url.format(id=video_id))
    return (f'<iframe class="embed-video" src="{src}" title="{provider} video" width="640" height="360" '
            'frameborder="0" allow="encrypted-media; picture-in-picture" allowfullscreen loading="lazy"></iframe>')


def _include_video(m: re.Match[str]) -> str | None:
    args = {a["k"]: a["d"] if a["d"] is not None else a["s"] if a["s"] is not None else a["b"]
            for a in _ARG.finditer(m["args"])}
    provider = args.get("provider") or ("vimeo" if m["file"].startswith("vimeo") else "youtube")
    return video_embed(provider, args.get("id", ""))


def _ial_attrs(text: str) -> str:
    """`{: width="50%"}{: .align-center}` → `{width="50%" .align-center}` (attr_list syntax)."""
    inner = " ".join(part.strip() for part in re.findall(r"\{:\s*([^}\n]*)\}", text) if part.strip())
    return "{" + inner + "}" if inner else ""
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class LiquidResult:
    text: str
    leftovers: tuple[tuple[int, str], ...]
    """(line in the body, the Liquid text) left as text."""
    unknown_posts: tuple[tuple[int, str], ...] = ()
    counts: Counter[str] = field(default_factory=Counter)
    """What was converted: construct → how many times."""


def fence_after(line: str, fence: str | None, pattern: re.Pattern[str] = _FENCE) -> str | None:
    """The fence open after `line`, given the one open before it (None: none). A fence opens
    with ``` or ~~~ and closes with a line of the same character, at least as long."""
    m = pattern.match(line)
    if fence is None:
        return m.group(1) if m else None
    if m and line.strip() == m.group(1) and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
        return None
    return fence


def convert_jekyll(
    body: str,
    *,
    base_path: str,
    site_url: str,
    post_url: Callable[[str], str | None],
    ial: Literal["drop", "attrs"] = "drop",
) -> LiquidResult:
    """Unwrap `{% raw %}`, turn `{% highlight %}` into fences, resolve `{{ site.baseurl }}`,
    `{{ site.url }}` and `{% post_url %}`, turn `{% include video %}` into an embed, drop
    kramdown's `{:toc}` marker, and drop kramdown attribute lists (`{: .notice}`) or, with
    `ial="attrs"`, rewrite them in attr_list syntax (a block's list moved above the block).

    Anything else that looks like Liquid stays as written and is reported (outside code).
    """
    leftovers: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    counts: Counter[str] = Counter()
    out: list[str] = []
    para_start = 0  # index in `out` of the current paragraph's first line
    fence: str | None = None
    in_raw = False
    lines = body.split("\n")
    for number, line in enumerate(lines, 1):
        fence = fence_after(line, fence)
        toc_item = _TOC_ITEM.match(line) and number < len(lines) and _TOC_MARK.match(lines[number])
        if fence is None and not in_raw and (_TOC_MARK.match(line) or toc_item):
            counts["kramdown {:toc}"] += 1 if _TOC_MARK.match(line) else 0
            out.append("")  # the line stays (warnings keep their line numbers), empty
            continue
        if fence is None and not in_raw and _BLOCK_IAL.match(line) and "{%" not in line:
            counts["kramdown attribute list"] += 1
            attrs = _ial_attrs(line)
            if ial == "attrs" and attrs and para_start < len(out):
                # attr_list wants a block's attributes on the line above it.
                out[para_start] = attrs + "\n" + out[para_start]
                out.append("")
            else:  # before its block (kramdown allows both): where attr_list wants it
                out.append(attrs if ial == "attrs" else "")
            continue
        if not line.strip():
            para_start = len(out) + 1
        h = _HIGHLIGHT_OPEN.match(line)
        if h:
            counts["{% highlight %}"] += 1
            # Code written on the opening line (rare) moves to the next line; later lines shift by one.
            out.append(f"{h['indent']}```{h['lang']}" + (f"\n{h['rest']}" if h["rest"].strip() else ""))
            fence = "```"
            continue
        if _HIGHLIGHT_CLOSE.search(line) and fence == "```":
            before = _HIGHLIGHT_CLOSE.split(line)[0]
            out.append((before + "\n" if before.strip() else "") + "```")
            fence = None
            continue
        # `{% raw %}` protects its content from every other substitution below.
        pieces = _RAW.split(line)
        raw_marks = len(pieces) - 1
        counts["{% raw %}"] += len(re.findall(r"\{%-?\s*raw\b", line))
        converted = []
        for i, piece in enumerate(pieces):
            protected = in_raw if i == 0 else (not in_raw if i % 2 else in_raw)
            if not protected:
                def _site(v: re.Match[str]) -> str:
                    counts["{{ site.%s }}" % v["name"]] += 1
                    return base_path if v["name"] == "baseurl" else site_url

                piece = _SITE_VAR.sub(_site, piece)

                def _post(v: re.Match[str]) -> str:
                    url = post_url(v["name"])
                    if url is None:
                        unknown.append((number, v["name"]))
                        return v.group(0)
                    counts["{% post_url %}"] += 1
                    return url

                piece = _POST_URL.sub(_post, piece)
                if fence is None:
                    def _video(v: re.Match[str]) -> str:
                        embed = _include_video(v)
                        if embed is None:
                            return v.group(0)
                        counts["{% include video %}"] += 1
                        return embed

                    piece = _INCLUDE_VIDEO.sub(_video, piece)

                    def _span(v: re.Match[str]) -> str:
                        counts["kramdown attribute list"] += 1
                        return _ial_attrs(v.group(0)) if ial == "attrs" else ""

                    piece = _SPAN_IALS.sub(_span, piece)
                    for left in _LIQUID.findall(piece):
                        leftovers.append((number, left))
            converted.append(piece)
        if raw_marks % 2:
            in_raw = not in_raw
        out.append("".join(converted))
    return LiquidResult("\n".join(out), tuple(leftovers), tuple(unknown), counts)

