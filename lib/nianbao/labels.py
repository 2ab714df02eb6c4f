"""Comparing official labels with the way people and scrapers write them.

Published copies turn full-width punctuation half-width, drop the quotes of
`危及“三安全一稳定”`, write `1、` for `1.` and wrap labels with spaces. Labels are compared
after folding all of that away; they are always *rendered* in their official form.
"""
import re
import unicodedata

_QUOTES = re.compile("[\"'“”‘’「」『』]")
_SPACE = re.compile(r"\s+")
_ENUM_COMMA = re.compile(r"(?<=\d)、")


def fold(label: str) -> str:
    """The comparison key of a label: width, spaces, quotes and `1、`/`1.` folded."""
    text = unicodedata.normalize("NFKC", str(label))
    text = _SPACE.sub("", text)
    text = _QUOTES.sub("", text)
    return _ENUM_COMMA.sub(".", text)


def split_path(path: str) -> list[str]:
    """`三、本年度办理结果/（一）予以公开` → its two labels (an empty path has none)."""
    return [part for part in path.split("/") if part] if path else []
