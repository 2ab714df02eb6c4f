"""The rules' regular expressions, run in bounded time.

Patterns are data, in an edition's or a rule pack's YAML (a province's, another package's), and
they run on narrative anyone may have written. Python's `re` backtracks without limit: the
shipped wuwei-2025 pattern took 262 s on one record's run of digits, and a pack's `^(a|aa)+$`
never ends on a long `aaa…b`. A linear-time engine (RE2) cannot run the lookarounds the editions'
own patterns use (`(?<!\\d)`, `(?![日号])`), so the patterns run in the `regex` module, which
reads Python's syntax and stops a match after SECONDS: a pattern past its time raises TimedOut,
and its rule gives a finding that it could not be checked (checks.check) instead of holding
the report. Every rule kind runs its patterns through here.
"""
from __future__ import annotations

import functools

import regex

SECONDS = 1.0  # one pattern on one text: a real one takes milliseconds on the longest narrative
MULTILINE = regex.MULTILINE
error = regex.error  # what a pattern that is no regular expression raises on compiling


class TimedOut(Exception):
    """A rule's pattern ran past SECONDS on a text."""

    def __init__(self, pattern: str):
        super().__init__(pattern)
        self.pattern = pattern


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str, flags: int = 0):
    return regex.compile(pattern, flags)


def search(pattern: str, text: str, flags: int = 0):
    return _timed(pattern, lambda: compiled(pattern, flags).search(text, timeout=SECONDS))


def fullmatch(pattern: str, text: str, flags: int = 0):
    return _timed(pattern, lambda: compiled(pattern, flags).fullmatch(text, timeout=SECONDS))


def finditer(pattern: str, text: str, flags: int = 0) -> list:
    """Every match, found within SECONDS in all."""
    return _timed(pattern, lambda: list(compiled(pattern, flags).finditer(text, timeout=SECONDS)))


def _timed(pattern: str, run):
    try:
        return run()
    except TimeoutError:
        raise TimedOut(pattern) from None
