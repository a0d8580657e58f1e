"""Jekyll leftovers in entries written for Jekyll: turned into what they meant, never run.

Only entries with YAML front matter (the Jekyll convention) get this treatment; a `{{ }}`
in any other entry is plain text. Changes keep the line count (so warnings point into the
file), except code written on the `{% highlight %}` line itself, which moves to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_HIGHLIGHT_OPEN = re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*highlight\s+(?P<lang>[\w+#.-]+)(?:\s+[^%]*)?-?%\}[ \t]*(?P<rest>.*)$")
_HIGHLIGHT_CLOSE = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_SITE_VAR = re.compile(r"\{\{-?\s*site\.(?P<name>baseurl|url)\s*-?\}\}")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+(?P<name>[^\s%]+)\s*-?%\}")
_LIQUID = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
_IAL = re.compile(r"\{:\s*[^}\n]*\}")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class LiquidResult:
    text: str
    leftovers: tuple[tuple[int, str], ...]
    """(line in the body, the Liquid text) left as text."""
    unknown_posts: tuple[tuple[int, str], ...] = ()


def convert_jekyll(
    body: str,
    *,
    base_path: str,
    site_url: str,
    post_url: Callable[[str], str | None],
) -> LiquidResult:
    """Unwrap `{% raw %}`, turn `{% highlight %}` into fences, resolve `{{ site.baseurl }}`,
    `{{ site.url }}` and `{% post_url %}`, drop kramdown attribute lists (`{: .notice}`).

    Anything else that looks like Liquid stays as written and is reported (outside code).
    """
    leftovers: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    out: list[str] = []
    fence: str | None = None
    in_raw = False
    for number, line in enumerate(body.split("\n"), 1):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and line.strip() == m.group(1) and m.group(1)[0] == fence[0] \
                and len(m.group(1)) >= len(fence):  # a closing fence: the same character, at least as long
            fence = None
        h = _HIGHLIGHT_OPEN.match(line)
        if h:
            # Code written on the opening line (rare) moves to the next line; later lines shift by one.
            out.append(f"{h['indent']}```{h['lang']}" + (f"\n{h['rest']}" if h["rest"].strip() else ""))
            fence = "```"
            continue
        if _HIGHLIGHT_CLOSE.search(line):
            before = _HIGHLIGHT_CLOSE.split(line)[0]
            out.append((before + "\n" if before.strip() else "") + "```")
            fence = None
            continue
        # `{% raw %}` protects its content from every other substitution below.
        pieces = _RAW.split(line)
        raw_marks = len(pieces) - 1
        converted = []
        for i, piece in enumerate(pieces):
            protected = in_raw if i == 0 else (not in_raw if i % 2 else in_raw)
            if not protected:
                piece = _SITE_VAR.sub(lambda v: base_path if v["name"] == "baseurl" else site_url, piece)

                def _post(v: re.Match[str]) -> str:
                    url = post_url(v["name"])
                    if url is None:
                        unknown.append((number, v["name"]))
                        return v.group(0)
                    return url

                piece = _POST_URL.sub(_post, piece)
                if fence is None:
                    piece = _IAL.sub("", piece)
                    for left in _LIQUID.findall(piece):
                        leftovers.append((number, left))
            converted.append(piece)
        if raw_marks % 2:
            in_raw = not in_raw
        out.append("".join(converted))
    return LiquidResult("\n".join(out), tuple(leftovers), tuple(unknown))
