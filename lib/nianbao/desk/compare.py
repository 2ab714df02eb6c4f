"""One agency's report beside the year before's: what the year-on-year page shows.

Each narrative part is shown paragraph by paragraph, last year's beside this year's, with the
changed passages marked; each table lists the cells whose value changed. Records of different
editions are compared part by part (a part of the same id, or else of the same title) and cell
by cell where both editions have the cell, as the history charts map editions.

How the text is compared. Chinese has no spaces, so there are no words to diff. Paragraphs are
aligned first (SequenceMatcher on the lists of paragraphs; a changed paragraph is paired with
the first one ahead that shares half its character pairs, so an inserted paragraph does not
shift every pairing after it). Within a pair the diff runs on characters, but a number is one
token: 1863 → 1280 reads as one number struck and one written, not as 1<del>86</del>…, and
Latin words likewise. Character diffs leave chaff: a character or two that happen to be alike
(公开, 的) inside a rewritten sentence. An unchanged run between two changes is taken into them
when it is no longer than the change on either side (as diff-match-patch's semantic cleanup
does), so a rewritten phrase is marked as one phrase, while 办结46件，4件 → 办结60件，1件 still
marks the two numbers only.

Narrative text is untrusted: it is returned as plain text, and the template escapes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import groupby, zip_longest
from pathlib import Path
from typing import ClassVar

from .. import ids, pages
from ..checks.evaluation import copied_share, percent
from ..editions import Part
from ..record import Record, Value, format_value

BLANK = "空白"  # a cell left blank: unknown, never shown as 0
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|\s+|.", re.DOTALL)
_LOOKAHEAD = 8  # how many paragraphs ahead a changed paragraph's counterpart is looked for
# Past this many characters a paragraph is not prose to read phrase by phrase (a pasted table,
# a hostile record), and difflib's time grows with the square of the length: it is compared whole.
_LONGEST = 20_000


@dataclass(frozen=True)
class Piece:
    text: str
    changed: bool  # deleted on last year's side, inserted on this year's


@dataclass(frozen=True)
class ParagraphPair:
    """A paragraph of last year beside the paragraph it became; None where a side has none."""
    last: tuple[Piece, ...] | None
    this: tuple[Piece, ...] | None


@dataclass(frozen=True)
class NarrativeChanges:
    kind: ClassVar[str] = "narrative"
    title: str
    note: str                # how the parts of the two years correspond, when not one to one
    rows: list[ParagraphPair]
    same: bool               # the text is what it was last year, paragraph for paragraph
    unchanged: float | None  # the share of this year's wording found in last year's (checks.evaluation.copied_share); None when empty

    @property
    def unchanged_percent(self) -> str:
        """The share as the finding of 跨年.正文雷同 prints it (`80%`, rounded down)."""
        return "" if self.unchanged is None else percent(self.unchanged)


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    last: str        # as printed, 空白 when blank
    this: str
    difference: str  # this year less last year, signed; "" when either is blank


@dataclass(frozen=True)
class TableChanges:
    kind: ClassVar[str] = "table"
    title: str
    changed: list[CellChange]
    unchanged: int     # cells of the same value both years, blank both years included
    not_compared: int  # cells only one year's edition has

    @property
    def by_row(self) -> list[tuple[str, list[CellChange]]]:
        """The changed cells under their row, in table order."""
        return [(row, list(cells)) for row, cells in groupby(self.changed, key=lambda cell: cell.row)]


@dataclass(frozen=True)
class Comparison:
    last: Record
    this: Record
    sections: list[NarrativeChanges | TableChanges]  # in the order of this year's report


def compare(last: Record, this: Record) -> Comparison:
    """This year's parts in order, each beside last year's; then the narrative parts only last
    year's edition has, so that no text of either year is left out."""
    sections, matched = [], set()
    for part in this.spec.parts:
        title = this.spec.part_title(part, this.year) or part.id
        if part.table:
            sections.append(_table_changes(last, this, part.table, title))
            continue
        before = _counterpart(last, part)
        if before is None:
            sections.append(_narrative_changes("", this.parts.get(part.id, ""), title, "上年格式无此部分"))
            continue
        matched.add(before.id)
        note = f"上年标题为“{last.spec.part_title(before, last.year)}”" if before.title != part.title else ""
        sections.append(_narrative_changes(last.parts.get(before.id, ""), this.parts.get(part.id, ""), title, note))
    for part in last.spec.parts:
        if part.narrative and part.id not in matched:
            title = last.spec.part_title(part, last.year) or part.id
            sections.append(_narrative_changes(last.parts.get(part.id, ""), "", title, "本年格式无此部分"))
    return Comparison(last, this, sections)


def pairs(found: list[tuple[Record, str]]) -> list[tuple[tuple[Record, str], tuple[Record, str]]]:
    """Each (record, folder) beside the one of the year before it, one of each year."""
    by_year = {record.year: (record, folder) for record, folder in found}
    years = sorted(by_year)
    return [(by_year[before], by_year[year]) for before, year in zip(years, years[1:])]


def write_pages(out: Path, agency_id: str, found: list[tuple[Record, str]]) -> list[tuple[int, int, str]]:
    """history/<agency-id>-<year>.html for each year after the first; (year, year before, page)."""
    made = []
    for (last, last_folder), (this, this_folder) in pairs(found):
        name = f"{agency_id}-{this.year}.html"
        ids.inside(out, "history", name).write_text(pages.render(
            "desk/compare.html.j2", comparison=compare(last, this), folders=(last_folder, this_folder),
            history=f"{agency_id}.html"), encoding="utf-8")
        made.append((this.year, last.year, name))
    return made


def _counterpart(last: Record, part: Part) -> Part | None:
    """Last year's narrative part for this one: the same id, or else the same title."""
    narrative = [p for p in last.spec.parts if p.narrative]
    return (next((p for p in narrative if p.id == part.id), None)
            or next((p for p in narrative if p.title and p.title == part.title), None))


def _narrative_changes(last_text: str, this_text: str, title: str, note: str) -> NarrativeChanges:
    before, now = _paragraphs(last_text), _paragraphs(this_text)
    rows = _rows(before, now)
    # the share the check 跨年.正文雷同 judges (by wording), not one of the marked diff's own
    return NarrativeChanges(title, note, rows, same=before == now, unchanged=copied_share(last_text, this_text))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


def _rows(before: list[str], now: list[str]) -> list[ParagraphPair]:
    rows = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, now).get_opcodes():
        if tag == "equal":
            rows += [ParagraphPair((Piece(p, False),), (Piece(p, False),)) for p in before[i1:i2]]
        else:
            rows += [_marked(old, new) for old, new in _aligned(before[i1:i2], now[j1:j2])]
    return rows


def _aligned(before: list[str], now: list[str]) -> list[tuple[str | None, str | None]]:
    """Changed paragraphs paired: each beside the first alike one a few paragraphs ahead, and
    those left over in between side by side (or alone, where one year has more of them)."""
    aligned, left, j = [], [], 0
    for paragraph in before:
        k = next((k for k in range(j, min(j + _LOOKAHEAD, len(now))) if _alike(paragraph, now[k])), None)
        if k is None:
            left.append(paragraph)
            continue
        aligned += [*zip_longest(left, now[j:k]), (paragraph, now[k])]
        left, j = [], k + 1
    return aligned + list(zip_longest(left, now[j:]))


def _alike(a: str, b: str) -> bool:
    """One paragraph edited rather than another written: half their character pairs in common
    (Dice's coefficient), which a few changed numbers keep and a sentence written anew does not."""
    pairs_a, pairs_b = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    total = len(pairs_a) + len(pairs_b)
    return total > 0 and 2 * len(pairs_a & pairs_b) / total >= 0.5


def _marked(old: str | None, new: str | None) -> ParagraphPair:
    if old is None or new is None or max(len(old), len(new)) > _LONGEST:
        return ParagraphPair(_whole(old), _whole(new))
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    # (unchanged, last year's text, this year's text): difflib's opcodes take turns, so the run
    # before a change is unchanged and the one before that is a change
    runs = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes():
        run = (tag == "equal", "".join(a[i1:i2]), "".join(b[j1:j2]))
        if not run[0] and len(runs) >= 2 and len(runs[-1][1]) <= min(_size(runs[-2]), _size(run)):
            _, kept, _ = runs.pop()
            _, before, now = runs.pop()
            run = (False, before + kept + run[1], now + kept + run[2])
        runs.append(run)
    return ParagraphPair(tuple(Piece(before, not same) for same, before, _ in runs if before),
               tuple(Piece(now, not same) for same, _, now in runs if now))


def _size(run: tuple[bool, str, str]) -> int:
    """How much a change changes: the longer of what it deletes and what it inserts."""
    return max(len(run[1]), len(run[2]))


def _whole(paragraph: str | None) -> tuple[Piece, ...] | None:
    """A paragraph marked changed from end to end, or None for no paragraph."""
    return None if paragraph is None else (Piece(paragraph, True),)


def _table_changes(last: Record, this: Record, table_id: str, title: str) -> TableChanges:
    cells = list(this.spec.tables[table_id].cells())
    before = set(last.spec.tables[table_id].cells()) if table_id in last.spec.tables else set()
    common = [cell for cell in cells if cell in before]
    changed = []
    for row, column in common:
        then, now = last.value(table_id, row, column), this.value(table_id, row, column)
        if then != now:  # None != 0: a blank filled in, or a number blanked, is a change
            changed.append(CellChange(row, column, _shown(then), _shown(now), _difference(then, now)))
    return TableChanges(title, changed, unchanged=len(common) - len(changed),
                        not_compared=len(cells) + len(before) - 2 * len(common))


def _shown(value: Value) -> str:
    return BLANK if value is None else format_value(value)


def _difference(then: Value, now: Value) -> str:
    if None in (then, now):
        return ""
    return ("+" if now > then else "") + format_value(now - then)
