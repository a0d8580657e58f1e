"""Dates as people write them in front matter and file names.

PyYAML leaves `2025-06-16 10:00:00 +0900` as text (YAML 1.1 wants `+09:00`), so tilbook
parses every date itself (the loader keeps all timestamps as text).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

_DATE_TEXT = re.compile(
    r"""^\s*
    (?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
    (?:
        (?:[Tt]|\s+)
        (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?
    )?
    \s*(?P<tz>[Zz]|(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)?
    \s*$""",
    re.VERBOSE,
)
_TZ = re.compile(r"^(?:UTC|GMT)?(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")


class DateTextError(ValueError):
    """Text that is not a date, or names an impossible one; carries a hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _offset(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return dt.timezone.utc
    m = _TZ.match(text.upper())
    if not m:
        raise DateTextError(f"unknown time zone offset {text!r}", "write the offset as +0900 or +09:00")
    minutes = int(m["h"]) * 60 + int(m["m"] or 0)
    if minutes >= 24 * 60:
        raise DateTextError(f"offset {text!r} is out of range", "offsets run from -23:59 to +23:59")
    return dt.timezone(dt.timedelta(minutes=-minutes if m["sign"] == "-" else minutes))


def parse_date_text(text: str, zone: ZoneInfo) -> tuple[dt.datetime, bool]:
    """Parse `2025-06-16`, `2025-6-1 0:00`, `2025-06-16 10:00:00 +0900`, `…T10:00:00+09:00`, `…Z`.

    Returns an aware datetime and whether the text had a time of day. A written offset is
    kept as it is; a time without one is read in `zone`.
    """
    m = _DATE_TEXT.match(text)
    if not m:
        raise DateTextError(
            f"expected a date like 2024-03-05 or 2024-03-05 21:30:00 +0900, got {text.strip()!r}",
            "write it as YYYY-MM-DD, optionally followed by HH:MM[:SS] and an offset like +0900",
        )
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise DateTextError(
            f"{y:04d}-{mo:02d}-{d:02d} is not a real date",
            f"{_month_name(mo)} {y} has {_days_in_month(y, mo)} days" if 1 <= mo <= 12 else "months run from 01 to 12",
        ) from None
    has_time = m["H"] is not None
    hour, minute = (int(m["H"]), int(m["M"])) if has_time else (0, 0)
    second = int(m["S"] or 0)
    micro = int((m["f"] or "0")[:6].ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise DateTextError(
            f"{m['H']}:{m['M']}:{m['S'] or '00'} is not a time of day",
            "hours run 0-23, minutes and seconds 0-59",
        )
    tz = _offset(m["tz"]) or zone
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz), has_time


def as_aware(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A `date` or (naive or aware) `datetime` from a loader (TOML) → aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return dt.datetime(value.year, value.month, value.day, tzinfo=zone)


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def _month_name(month: int) -> str:
    return dt.date(2000, month, 1).strftime("%B")


# File names and folders: YYYY-MM-DD-slug.md, YYYY/MM/DD.md, YYYY/MM/DD-slug.md,
# YYYY/MM/YYYY-MM-DD.md; and Zola's `path = "2022/01/31/slug"`.
_NAME_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:$|[-_ .](?P<rest>.*)$)")
_DAY_NAME = re.compile(r"^(?P<d>\d{1,2})(?:$|[-_ .](?P<rest>.*)$)")
_PATH_DATE = re.compile(r"(?:^|/)(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<rest>[^/]+))?/?$")


def date_from_name(parts: tuple[str, ...]) -> tuple[tuple[int, int, int], str] | None:
    """(year, month, day) and the rest of the name, from the path parts of an entry (no suffix).

    `("2024", "03", "05-autoencoder")` and `("_posts", "2024-03-05-autoencoder")` both give
    ((2024, 3, 5), "autoencoder"). The numbers are not checked to be a real date.
    """
    stem = parts[-1]
    m = _NAME_DATE.match(stem)
    if m:
        return (int(m["y"]), int(m["m"]), int(m["d"])), (m["rest"] or "")
    if len(parts) >= 3 and re.fullmatch(r"\d{4}", parts[-3]) and re.fullmatch(r"\d{1,2}", parts[-2]):
        m = _DAY_NAME.match(stem)
        if m:
            return (int(parts[-3]), int(parts[-2]), int(m["d"])), (m["rest"] or "")
    return None


def date_from_url_path(text: str) -> tuple[tuple[int, int, int], str] | None:
    """(year, month, day) and slug from a Zola-style `path = "2022/01/31/slug"`."""
    m = _PATH_DATE.search(text.strip())
    if not m:
        return None
    return (int(m["y"]), int(m["m"]), int(m["d"])), (m["rest"] or "")
