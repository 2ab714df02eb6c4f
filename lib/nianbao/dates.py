"""Dates as agencies write them (`2023年1月28日`, `2023-01-28`, `2023/01/28`, and `2023年1月28` with 日 lost)."""
import datetime as dt
import re

_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*(日)?")
# `2023-01-28`, and as pages print it, `2023/01/28` and `2023.01.28`
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")


def as_written(value) -> str:
    """The text a date shows in a report: `YYYY年M月D日` for a real date, else the text given."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value or "").strip()
    iso = _ISO.fullmatch(text)
    return as_written(_date(*iso.group(1, 3, 4))) if iso and _date(*iso.group(1, 3, 4)) else text


def parse(text: str) -> tuple[dt.date | None, bool]:
    """The date in a text and whether it was written completely (`日` present)."""
    text = str(text or "")
    match = _CN.search(text)
    if match:
        return _date(*match.groups()[:3]), bool(match.group(4))
    iso = _ISO.search(text)
    if iso:
        return _date(*iso.group(1, 3, 4)), True
    return None, False


def _date(year, month, day) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
