"""A table's region of text as groups of numbers with the label text around them, and how well
a row's label matches a text.

A group is a run of numbers with nothing but spaces between them; a blank cell shows as a dash
(`—`). Each group keeps up to CONTEXT characters of label text each side (folded), in which
table_text.py looks for the row's own label: `coverage` is the share of a label found there, in
runs of two characters or more, and `most_coverage` bounds it cheaply from the text's pairs of
characters.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..labels import fold

BLANK = "—"        # how a blank cell is written in the text this module reads
# Label text a group keeps on each side of its numbers. A label folds to at most ~40 characters;
# comparing with a longer context costs time (SequenceMatcher: 0.2 ms on 60 characters, 0.5 ms
# on 400), and a 1 MB line kept whole took 29 s.
CONTEXT = 200

# A number (`7730.28`, `447,228`, 2019's signed `-3`), a blank-cell dash standing alone, or text that holds digits but no
# cell: a parenthesised aside (`（不同渠道和方式公开相同信息计1条）`) or a date.
_TOKEN = re.compile(r"(?P<text>[（(][^（）()\s]{0,40}\d[^（）()\s]{0,40}[）)]|\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?)"
                    r"|(?P<number>(?:(?<![\w.])[-－])?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                    r"|(?<!\S)(?P<blank>[—－\-/／]+)(?!\S)")
# Digits right before `.`/`、` and a label are the label's own number (`…00000002.其他法律…`).
_ENUMERATION = re.compile(r"[.．、](?!\d)")


@dataclass
class Group:
    """Numbers printed together, with the label text around them (folded)."""
    tokens: list[str]
    before: str = ""
    after: str = ""

    @property
    def printed(self) -> str:
        """The numbers as printed, for messages: the first 80 characters of a very long group."""
        text = " ".join(self.tokens)
        return text if len(text) <= 80 else text[:80] + "…"


@functools.lru_cache(maxsize=16)  # each edition reads the same regions: a megabyte takes 0.3 s
def groups(text: str) -> list[Group]:
    """The groups of numbers of a region, each with the text before and after it (shared: not
    to be changed)."""
    found: list[Group] = []
    current: Group | None = None
    position = label_start = 0  # the end of the last match; where the label text since the last group begins
    for match in _TOKEN.finditer(text):
        if match.group("text") or text[position:match.start()].strip():
            current = None
        position = match.end()
        if match.group("text"):
            continue
        number = match.group("number")
        token = unicodedata.normalize("NFKC", number).replace(",", "") if number else BLANK
        label_number = "." not in token and _ENUMERATION.match(text, match.end())
        if label_number:
            token = token[:-1].rstrip("-")  # in `-3、` the dash is no sign: no number is left
        if token:
            if current is None:
                label = fold(text[label_start:match.start()])
                if found:
                    found[-1].after = label[:CONTEXT]
                current = Group([], before=label[-CONTEXT:])
                found.append(current)
            current.tokens.append(token)
            label_start = match.end() - bool(label_number)
        if label_number:
            current = None
    if found:
        found[-1].after = fold(text[label_start:])[:CONTEXT]
    return found


@functools.lru_cache(maxsize=8192)  # the editions share most labels: one import asks the same thrice
def coverage(label: str, text: str) -> float:
    """The share of a (folded) label found in a text, in runs of two characters or more."""
    if not label or not text:
        return 0.0
    if label in text:
        return 1.0
    blocks = SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= 2) / len(label)


def most_coverage(label: str, pairs: set[str]) -> float:
    """At least `coverage` of a label in any text whose pairs of characters are these, in a few
    microseconds: a character counts only inside a run of two the text holds."""
    if len(label) < 2:
        return 1.0
    covered = set()
    for i in range(len(label) - 1):
        if label[i:i + 2] in pairs:
            covered.update((i, i + 1))
    return len(covered) / len(label)


def character_pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def printed_label(label: str, text: str) -> str:
    """The stretch of a text that a (folded) label was matched on, to show what was printed."""
    blocks = [b for b in SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks() if b.size >= 2]
    return text[blocks[0].b:blocks[-1].b + blocks[-1].size] if blocks else ""
