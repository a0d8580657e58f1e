"""UI strings of the built-in theme, by `theme.language`."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

STRINGS = {
    "en": {
        "home": "Home", "tags": "Tags", "categories": "Categories", "archive": "Archive",
        "heatmap": "Learning days", "todo": "Todo", "feed": "Feed", "older": "Older",
        "newer": "Newer", "page": "Page", "of": "of", "min_read": "{n} min read", "by": "by {names}",
        "contents": "Contents", "previous": "Previous", "next": "Next",
        "carried_in": "Carried in", "left_open": "Left open", "draft": "draft", "pinned": "pinned",
        "not_found": "Page not found", "not_found_text": "There is no page at this address.",
        "back_home": "Back to the home page", "entries": "{n} entries", "entry": "1 entry",
        "current_streak": "Current streak", "longest_streak": "Longest streak", "days": "{n} days",
        "day": "1 day", "days_learned": "Days with an entry", "open_items": "Open items",
        "run_minutes": "{m} min {s} s", "run_seconds": "{s} s", "code_copy": "Copy", "code_copied": "Copied", "comments": "Comments", "first_seen": "first seen", "todo_status": "status", "days_open": "{n} days open", "day_open": "1 day open", "days_open_zero": "new today", "overdue": "overdue",
        "nothing_open": "Nothing open.", "since": "since {d}", "updated": "Updated",
        "due_on": "due {d}", "days_left": "{n} days left", "day_left": "1 day left", "days_left_zero": "due today",
        "tagged": "Tagged “{t}”", "in_category": "In “{t}”", "less": "Less", "more": "More",
        "skip": "Skip to content", "search": "Search", "search_none": "No entry matches.", "weekdays": "Sun Mon Tue Wed Thu Fri Sat",
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "notebooks": "Notebooks", "nb_ran": "Ran {d} on {device}, {t}", "nb_download": "Download .ipynb",
        "nb_colab": "Open in Colab", "nb_parameters": "Parameters", "nb_metrics": "Results",
        "nb_fallback": "fallback", "nb_used_in": "Written about in", "nb_environment": "Environment",
        "nb_status_ok": "ran", "nb_status_stale": "stale: the code changed since this run",
        "nb_status_error": "failed", "nb_status_timeout": "timed out", "nb_status_dead": "kernel died",
        "nb_status_interrupted": "interrupted",
    },
    "ko": {
        "home": "홈", "tags": "태그", "categories": "카테고리", "archive": "보관함",
        "heatmap": "공부한 날", "todo": "할 일", "feed": "피드", "older": "이전 글",
        "newer": "최근 글", "page": "페이지", "of": "/", "min_read": "{n}분 분량", "by": "글쓴이 {names}",
        "contents": "목차", "previous": "이전", "next": "다음",
        "carried_in": "이어받은 할 일", "left_open": "남은 할 일", "draft": "초안", "pinned": "고정",
        "not_found": "페이지를 찾을 수 없습니다", "not_found_text": "이 주소에는 페이지가 없습니다.",
        "back_home": "홈으로 돌아가기", "entries": "글 {n}개", "entry": "글 1개",
        "current_streak": "현재 연속", "longest_streak": "최장 연속", "days": "{n}일",
        "day": "1일", "days_learned": "기록한 날", "open_items": "남은 할 일",
        "run_minutes": "{m}분 {s}초", "run_seconds": "{s}초", "code_copy": "복사", "code_copied": "복사됨", "comments": "댓글", "first_seen": "처음 나온 날", "todo_status": "상태", "days_open": "{n}일 경과", "day_open": "1일 경과", "days_open_zero": "오늘 추가", "overdue": "기한 지남",
        "nothing_open": "남은 할 일이 없습니다.", "since": "{d}부터", "updated": "수정",
        "due_on": "{d}까지", "days_left": "{n}일 남음", "day_left": "1일 남음", "days_left_zero": "오늘까지",
        "tagged": "“{t}” 태그", "in_category": "“{t}” 카테고리", "less": "적음", "more": "많음",
        "skip": "본문으로 건너뛰기", "search": "검색", "search_none": "찾는 글이 없습니다.", "weekdays": "일 월 화 수 목 금 토",
        "months": "1월 2월 3월 4월 5월 6월 7월 8월 9월 10월 11월 12월",
        "notebooks": "노트북", "nb_ran": "{d}에 {device}에서 실행, {t}", "nb_download": ".ipynb 내려받기",
        "nb_colab": "Colab에서 열기", "nb_parameters": "매개변수", "nb_metrics": "결과",
        "nb_fallback": "대체 데이터", "nb_used_in": "이 노트북을 다룬 글", "nb_environment": "환경",
        "nb_status_ok": "실행됨", "nb_status_stale": "오래됨: 이 실행 뒤에 코드가 바뀌었습니다",
        "nb_status_error": "실패", "nb_status_timeout": "시간 초과", "nb_status_dead": "커널 종료",
        "nb_status_interrupted": "중단됨",
    },
}


# The title an admonition (`!!! note`) or a GitHub alert (`> [!TIP]`) gets when its writer
# gave none, by kind, where the language is not English (English keeps the kind's name, as
# MkDocs and GitHub show it). A title the writer gave is never changed.
BOX_TITLES = {
    "ko": {
        "note": "참고", "seealso": "참고", "tip": "팁", "hint": "힌트", "important": "중요", "warning": "경고",
        "caution": "주의", "attention": "주의", "danger": "위험", "error": "오류", "info": "정보", "todo": "할 일",
        "abstract": "요약", "summary": "요약", "tldr": "요약", "success": "성공", "check": "성공", "done": "완료",
        "question": "질문", "help": "도움말", "faq": "자주 묻는 질문", "failure": "실패", "fail": "실패",
        "missing": "빠짐", "bug": "버그", "example": "예시", "quote": "인용", "cite": "인용",
    },
}


@lru_cache(maxsize=8)
def box_titles(language: str) -> tuple[tuple[str, str], ...]:
    """`BOX_TITLES` of `language` ('ko', 'ko-KR'), as pairs: () where the kinds' names stay."""
    return tuple(sorted(BOX_TITLES.get(language.split("-")[0].lower(), {}).items()))


# A count's string → the key of its form for exactly one (English says "1 day", not "1 days"),
# and for none where "0 days" would read oddly (an item written down today).
SINGULAR = {"days": "day", "entries": "entry", "days_open": "day_open", "days_left": "day_left"}
ZERO = {"days_open": "days_open_zero", "days_left": "days_left_zero"}


def counted(n: int, strings: dict[str, str], key: str) -> str:
    """`strings[key]` for `n` (`{{ n | counted(site.s, "days") }}` in a template): its form
    for one when `n` is 1, for none when `n` is 0, where the strings have one (a custom
    theme's may not)."""
    one, zero = SINGULAR.get(key), ZERO.get(key)
    if n == 1 and one in strings:
        return strings[one]
    if n == 0 and zero in strings:
        return strings[zero]
    return strings[key].format(n=n)


def strings(language: str) -> dict[str, str]:
    return STRINGS["ko" if language.lower().startswith("ko") else "en"]


def format_date(day: dt.date, language: str) -> str:
    if language.lower().startswith("ko"):
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{day:%B} {day.day}, {day.year}"


def format_month(year: int, month: int, language: str) -> str:
    if language.lower().startswith("ko"):
        return f"{year}년 {month}월"
    return f"{dt.date(year, month, 1):%B} {year}"
