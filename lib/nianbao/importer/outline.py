"""The parts of a published report's text, found by their headings, and by their content where
a heading is missing.

Part headings are found in the edition's order, by the official title or a wording the
edition accepts (`Part.also`), after their number (`三、`); the text between two headings is
the part. Labels inside table 三 (`二、上年结转…`) never pass for a heading, since a heading
must carry its part's title.

Some reports print no headings at all (hetang-guihua-2019: the lead, a paragraph of 总体情况,
then the tables). A table part whose heading is missing is found where its table's first line
(`第二十条第（一）项`, `申请人情况`) opens a line; part 一 without its heading is what follows the
lead's sentences about the report itself. Either is found `titled=False`: its content is read,
and its heading is still reported missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..editions import Edition, Part, Table
from ..labels import fold
from .document import NUMERALS, normalised

# A sentence of the lead speaks of the report itself (`本年报中所列数据的统计期限…`).
_OF_ITSELF = re.compile(r"本(?:年度)?(?:报告|年报)|统计(?:期限|时限)|以下简称|如对本")


@dataclass(frozen=True)
class Heading:
    part: Part
    start: int  # where the heading begins in the text
    end: int    # where the part's content begins
    titled: bool = True  # False: the part found by its content, its heading missing


def headings(edition: Edition, text: str, year: int | None = None) -> list[Heading]:
    """The headings of the edition's titled parts found in the text, in order, and the tables
    of those without one (`titled=False`); `year` fills in headings that name it (a work
    summary's `一、2022年工作总结`)."""
    plain = normalised(text)
    found: list[Heading] = []
    position = 0
    for part in edition.parts:
        if not part.title:
            continue
        match = None
        for wording in (edition.part_title(part, year) if year else part.title, *part.also):
            pattern = _heading_pattern(part, wording)
            candidate = pattern.search(plain, position)
            if candidate and (match is None or candidate.start() < match.start()):
                match = candidate
        if match:
            found.append(Heading(part, match.start(), match.end()))
            position = match.end()
        elif part.table:
            start = _table_opening(edition.tables[part.table], plain, position)
            if start is not None:
                found.append(Heading(part, start, start, titled=False))
                position = start
    return found


def _heading_pattern(part: Part, wording: str) -> re.Pattern:
    """`三、收到和处理…` as written in the wild: any width, spaces anywhere, `三.` or `三 、`,
    a `、` between items as 与, 及 or 和. Every wording of a numbered part carries the number of
    its official title."""
    title = fold(part.title)
    numbered = title[:1] in NUMERALS and title[1:2] in "、."
    words = fold(wording)
    if words[:1] in NUMERALS and words[1:2] in "、.":
        words = words[2:]
    # `、` between two items is written 与, 及 or 和 as often (`行政复议与行政诉讼情况`)
    body = r"\s*".join("[、与及和]" if char == "、" else re.escape(char) for char in words)
    if numbered:
        # a few words may stand between number and wording (`一、政府信息公开工作基本情况`)
        return re.compile(rf"{title[0]}\s*[、.．]\s*[^\n。；;，,、]{{0,12}}?{body}")
    return re.compile(body)


def _table_opening(table: Table, plain: str, position: int) -> int | None:
    """Where the table's first line begins: the title, note or column header of its first block
    (`第二十条第（一）项`, `（本列数据的勾稽关系为…）`, `申请人情况`) opening a line, the earliest."""
    block = table.blocks[0]
    starts = []
    for line in (block.title, block.note, block.column_header):
        if line:
            body = r"\s*".join(re.escape(char) for char in fold(line))
            match = re.compile(rf"^[^\S\n]*{body}", re.M).search(plain, position)
            starts += [match.start()] if match else []
    return min(starts, default=None)


def regions(edition: Edition, text: str, year: int | None = None) -> tuple[dict[str, str], str, frozenset]:
    """Each found part's text, the text before the first (the preamble), and the parts found
    without their heading."""
    found = headings(edition, text, year)
    parts: dict[str, str] = {}
    for heading, following in zip(found, [*found[1:], None]):
        parts[heading.part.id] = text[heading.end:following.start if following else len(text)]
    preamble = text[:found[0].start] if found else text
    untitled = {heading.part.id for heading in found if not heading.titled}
    first = edition.parts[0]
    if found and first.title and first.narrative and first.id not in parts:
        preamble, body = _after_lead(preamble)
        if body.strip():
            parts[first.id] = body
            untitled.add(first.id)
    return parts, preamble, frozenset(untitled)


def _after_lead(preamble: str) -> tuple[str, str]:
    """The preamble cut where its prose stops speaking of the report itself: the lead, and what
    part 一 says without its heading. Lines that end no sentence (a title, a crawler's header)
    are neither; with no lead sentence first, nothing is part 一."""
    offset, lead_seen = 0, False
    for line in preamble.splitlines(keepends=True):
        prose = "。" in line and len(line.strip()) > 10
        if prose and _OF_ITSELF.search(line):
            lead_seen = True
        elif prose and lead_seen:
            return preamble[:offset], preamble[offset:]
        offset += len(line)
    return preamble, ""
