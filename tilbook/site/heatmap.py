"""The learning heatmap: a year grid of days with entries, and streaks. Pure, SVG at build time."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

CELL = 11
GAP = 3
LEFT = 28
TOP = 16


@dataclass(frozen=True)
class Streaks:
    current: int
    """Consecutive days with an entry ending today, or yesterday (today may not be written yet)."""
    longest: int
    longest_end: dt.date | None


def compute_streaks(days: Iterable[dt.date], today: dt.date) -> Streaks:
    have = set(days)
    longest, longest_end, run, prev = 0, None, 0, None
    for day in sorted(have):
        run = run + 1 if prev is not None and (day - prev).days == 1 else 1
        if run > longest:
            longest, longest_end = run, day
        prev = day
    current = 0
    day = today if today in have else today - dt.timedelta(days=1)
    while day in have:
        current += 1
        day -= dt.timedelta(days=1)
    return Streaks(current, longest, longest_end)


def _level(count: int) -> int:
    return 0 if count == 0 else min(count, 4)


def heatmap_svg(
    counts: Counter[dt.date],
    *,
    start: dt.date,
    end: dt.date,
    weekdays: list[str],
    months: list[str],
    label: str,
    entry_word: tuple[str, str],
    day_url: dict[dt.date, str] | None = None,
) -> str:
    """An SVG grid, one column per week (Sunday first), from `start` to `end` inclusive.

    `entry_word` is (singular, plural with {n}); `day_url` links days to their entries.
    """
    # A rebuild draws the same years again: keep the last grids by what decides them.
    days = tuple(sorted((d, n, (day_url or {}).get(d)) for d, n in counts.items() if n and start <= d <= end))
    return _heatmap_svg(days, start, end, tuple(weekdays), tuple(months), label, entry_word)


@lru_cache(maxsize=64)
def _heatmap_svg(days: tuple[tuple[dt.date, int, str | None], ...], start: dt.date, end: dt.date,
                 weekdays: tuple[str, ...], months: tuple[str, ...], label: str, entry_word: tuple[str, str]) -> str:
    counts = {d: n for d, n, _ in days}
    day_url = {d: url for d, _, url in days if url}
    first = start - dt.timedelta(days=(start.weekday() + 1) % 7)  # the Sunday on or before start
    weeks = (end - first).days // 7 + 1
    width = LEFT + weeks * (CELL + GAP)
    height = TOP + 7 * (CELL + GAP)
    out = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for row in (1, 3, 5):
        y = TOP + row * (CELL + GAP) + CELL - 2
        out.append(f'<text class="hm-label" x="0" y="{y}">{html.escape(weekdays[row])}</text>')
    last_month = None
    for week in range(weeks):
        x = LEFT + week * (CELL + GAP)
        week_start = first + dt.timedelta(days=7 * week)
        shown = max(week_start, start)
        if shown.month != last_month and shown <= end and (shown.day <= 7 or week == 0):
            out.append(f'<text class="hm-label" x="{x}" y="{TOP - 5}">{html.escape(months[shown.month - 1])}</text>')
            last_month = shown.month
        for row in range(7):
            day = week_start + dt.timedelta(days=row)
            if day < start or day > end:
                continue
            n = counts.get(day, 0)
            y = TOP + row * (CELL + GAP)
            if not n:  # most days of a year: keep them small
                out.append(f'<rect class="hm-cell l0" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2"/>')
                continue
            words = entry_word[0] if n == 1 else entry_word[1].format(n=n)
            title = f"{day.isoformat()}: {words}"
            rect = (f'<rect class="hm-cell l{_level(n)}" x="{x}" y="{y}" '
                    f'width="{CELL}" height="{CELL}" rx="2" data-date="{day.isoformat()}" data-count="{n}">'
                    f"<title>{html.escape(title)}</title></rect>")
            url = day_url.get(day)
            # Out of the tab order: a year of entries would be 365 stops before the page's
            # content, and every entry is a link in the cards and the archive anyway.
            out.append(f'<a href="{html.escape(url)}" tabindex="-1">{rect}</a>' if url and n else rect)
    out.append("</svg>")
    return "".join(out)
