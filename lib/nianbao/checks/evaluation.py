"""The faults third-party evaluations of the reports name most (the CASS 法治蓝皮书 series,
provincial evaluations): a report copied from last year or from another agency, a year left
stale, part 一 missing one of its five subjects, part 五 saying nothing, fee statements that
contradict each other; and `length`, a limit local rule packs ask for.

How alike two narratives are: their *wording* is compared, i.e. the flattened text (text.py)
with punctuation and spaces left out and every number folded into one sign, so that updating
the numbers, the year or the punctuation of last year's text does not make it new. The
wording is cut into overlapping 5-character pieces (shingles); the share is the part of this
text's pieces that also occur in the other text. Each edit loses at most five pieces, so a
copy with a few words changed still scores high, while two texts that only share the
format's set phrases (`政府信息公开申请`) score low; it takes one pass over each text, so a
5,000-character part costs milliseconds. The longest copied passage is the longest run of
consecutive pieces found in the other text.
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from .. import patterns
from ..record import FIELDS, Record
from .findings import Context, Finding, finding, number
from .text import flatten, sentence

SHINGLE = 5       # characters of wording per piece
PASSAGE = 60      # characters of the longest copied passage shown
# A letter (Chinese characters included) is one token, a number (digits and decimals) another.
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]")


# ---- how alike two narratives are ---------------------------------------------------------

@dataclass(frozen=True)
class Wording:
    """A narrative as compared: its flattened text, and its tokens with where each stands."""
    text: str
    tokens: tuple[str, ...]           # letters, and "#" for every number
    spans: tuple[tuple[int, int], ...]  # each token's place in `text`

    @functools.cached_property
    def pieces(self) -> tuple[str, ...]:
        # a text shorter than a piece is one piece: the page shows a share for a short part too
        count = max(len(self.tokens) - SHINGLE + 1, 1 if self.tokens else 0)
        return tuple("".join(self.tokens[i:i + SHINGLE]) for i in range(count))

    @functools.cached_property
    def piece_set(self) -> frozenset[str]:
        return frozenset(self.pieces)


def wording(text: str) -> Wording:
    flat = flatten(text)
    matches = list(_TOKEN.finditer(flat))
    return Wording(flat, tuple("#" if m.group()[0].isdigit() else m.group() for m in matches),
                   tuple(m.span() for m in matches))


@dataclass(frozen=True)
class Likeness:
    share: float   # of this text's pieces, the part found in the other text
    passage: str   # the longest run of them, as this text writes it (cut to PASSAGE characters)


def likeness(this: Wording, other: Wording) -> Likeness:
    return Likeness(share(this, other), passage(this, other))


def share(this: Wording, other: Wording) -> float:
    mine = this.piece_set
    return len(mine & other.piece_set) / len(mine) if mine else 0.0


def copied_share(last_text: str, this_text: str) -> float | None:
    """The share of this year's text found in last year's, by wording: what 跨年.正文雷同 and
    the rule packs' thresholds judge, and what the year-on-year page shows, so that the two
    never give two shares for one pair. None when this year's text has no wording."""
    this = wording(this_text)
    return share(this, wording(last_text)) if this.tokens else None


def passage(this: Wording, other: Wording) -> str:
    """The longest run of this text's pieces found in the other, as this text writes it."""
    longest, start, run = 0, 0, 0
    for i, piece in enumerate(this.pieces):
        run = run + 1 if piece in other.piece_set else 0
        if run > longest:
            longest, start = run, i - run + 1
    if not longest:
        return ""
    first, last = this.spans[start][0], this.spans[min(start + longest + SHINGLE - 2, len(this.spans) - 1)][1]
    found = this.text[first:last].replace("\n", " ")  # a passage may run over paragraphs
    return found if len(found) <= PASSAGE else found[:PASSAGE] + "…"


def percent(share: float) -> str:
    # rounded down, so that a share just under the threshold never reads as the threshold
    return f"{math.floor(share * 100)}%"


def part_name(record: Record, part_id: str) -> str:
    """How a message names a part: `第一部分“一、总体情况”`, `正文`, or the opening paragraph."""
    if part_id == "contact":
        return "开头段落"
    for part in record.spec.parts:
        if part.id == part_id:
            title = record.spec.part_title(part, record.year)
            return f"第{part.id}部分“{title}”" if title else part.id
    return FIELDS.get(part_id, part_id)


def _text(record: Record, part_id: str) -> str:
    return record.contact if part_id == "contact" else record.parts.get(part_id, "")


# ---- copied from last year ------------------------------------------------------------------

def check_copied(record: Record, rule: dict, context: Context):
    """A narrative part (of `parts`) whose wording is at least `share` last year's same part;
    with `whole` (a name for them, `正文`), the parts taken together as one text, as a county
    assessment judges the report (宿迁: more than half the same as last year's).

    Parts of fewer than `min_chars` characters of wording are left alone: a one-line statement
    (`本年度未收取信息处理费`) is meant to read the same every year.
    """
    previous = context.previous
    if previous is None:
        return
    if "whole" in rule:
        texts = [(rule["whole"], "", *("\n\n".join(r.parts.get(p, "") for p in rule["parts"])
                                        for r in (record, previous)))]
    else:
        texts = [(part_name(record, part_id), part_id, record.parts.get(part_id, ""), previous.parts.get(part_id, ""))
                 for part_id in rule["parts"]]
    for name, part_id, this_text, last_text in texts:
        this = wording(this_text)
        if len(this.tokens) < rule["min_chars"]:
            continue
        alike = likeness(this, wording(last_text))
        if alike.share >= rule["share"]:
            yield finding(rule, rule["message"].format(part=name, year=previous.year, share=percent(alike.share)),
                          part=part_id, excerpt=alike.passage,
                          expected=f"少于 {percent(rule['share'])}", found=percent(alike.share))


def check_same_tables(record: Record, rule: dict, context: Context):
    """Every cell of the rule's tables the same as last year's, and not all of them 0 or blank
    (an agency with nothing to count writes zeros every year)."""
    previous = context.previous
    if previous is None or previous.edition != record.edition:
        return  # another form: its cells are not this one's
    cells = [(table_id, row, column) for table_id in rule["tables"]
             for row, column in record.spec.tables[table_id].cells()]
    values = [record.value(*cell) for cell in cells]
    if any(values) and values == [previous.value(*cell) for cell in cells]:
        names = "、".join(record.spec.tables[table_id].name for table_id in rule["tables"])
        counted = sum(1 for value in values if value)
        yield finding(rule, rule["message"].format(tables=names, year=previous.year, count=counted),
                      table=rule["tables"][0], expected=f"与{previous.year}年不同", found="完全相同")


def check_shared_narrative(record: Record, rule: dict, context: Context):
    """Judged over a batch, not one record: see shared_narratives. The rule holds its parts,
    share, minimum and message."""
    return ()


def check_copies(record: Record, rule: dict, context: Context):
    """Judged over the files of one report, not one record: see nianbao.copies. The rule holds
    the fields compared besides the cells, and its message."""
    return ()


def shared_narratives(records) -> dict[tuple[str, int], list[Finding]]:
    """The same narrative in two agencies of one batch: for each record whose edition has a
    `shared_narrative` rule, a finding per part (of the rule's `parts`, at least `min_chars`
    characters of wording) that is at least `share` the same part of another agency's report
    of the same year (the measure of this module). The finding names the most alike agency,
    and how many more there are. Keyed by (agency_id, year), the way the batch names reports.

    Only likely pairs are compared: a text sharing `share` of this one's pieces must hold at
    least one of its rarest len·(1 − share) + 1 pieces, so candidates are looked up by those.
    Agencies that wrote their own narratives are thus never compared; a thousand that filled
    in one template all are (about half a minute for a thousand), and each is rightly reported.
    """
    groups = defaultdict(list)  # (year, part id, heading): [(record, rule, wording)]
    for record in records:
        for rule in record.spec.rules:
            if rule["kind"] != "shared_narrative":
                continue
            for part_id in rule["parts"]:
                words = wording(record.parts.get(part_id, ""))
                if len(words.tokens) >= rule["min_chars"]:
                    groups[(record.year, part_id, part_name(record, part_id))].append((record, rule, words))
    found = defaultdict(list)
    for (_, part_id, _), entries in groups.items():
        for (record, rule, words), matches in _alike(entries):
            best_share, best, best_words = max(matches, key=lambda match: match[0])
            others = best.agency + (f"等 {len(matches)} 个机关" if len(matches) > 1 else "")
            found[(record.agency_id, record.year)].append(finding(
                rule, rule["message"].format(part=part_name(record, part_id), agency=others, year=best.year,
                                             share=percent(best_share)),
                part=part_id, excerpt=passage(words, best_words),
                expected=f"少于 {percent(rule['share'])}", found=percent(best_share)))
    return dict(found)


def _alike(entries):
    """(entry, [(share, other record, its wording)]) for every entry alike enough to another
    agency's."""
    holders = defaultdict(set)  # piece: the entries that hold it
    for index, (_, _, words) in enumerate(entries):
        for piece in words.piece_set:
            holders[piece].add(index)
    for index, (record, rule, words) in enumerate(entries):
        rarest = sorted(words.piece_set, key=lambda piece: len(holders[piece]))
        # int() rounds down: looking at one piece more than needed never misses a match
        enough = len(rarest) - int(rule["share"] * len(rarest)) + 1
        matches = []
        for other in sorted(set().union(*(holders[piece] for piece in rarest[:enough]))):
            other_record, _, other_words = entries[other]
            if other_record.agency_id != record.agency_id:
                alike = share(words, other_words)
                if alike >= rule["share"]:
                    matches.append((alike, other_record, other_words))
        if matches:
            yield entries[index], matches


# ---- a stale year ----------------------------------------------------------------------------

def years(pattern: str, year: int) -> str:
    """A pattern with `{year}` (the report year) and `{prior}` (the year before) filled in."""
    return pattern.replace("{year}", str(year)).replace("{prior}", str(year - 1))


def check_stale_year(record: Record, rule: dict, context: Context):
    """The opening paragraph or a part (of `parts`) speaking of the year before as the current
    one, as a report copied from last year does: each of the rule's `wordings` is a pattern
    with `{prior}`/`{year}` and what it is (`what`), reported at its first place in each part."""
    for part_id in rule["parts"]:
        text = flatten(_text(record, part_id))
        for said in rule["wordings"]:
            match = patterns.search(years(said["pattern"], record.year), text, patterns.MULTILINE)
            if match:
                yield finding(rule, rule["message"].format(part=part_name(record, part_id), what=said["what"],
                                                           prior=record.year - 1, year=record.year),
                              part=part_id, excerpt=sentence(text, match.start(), match.end()),
                              expected=f"{record.year}年", found=match.group())


# ---- what a part must say ------------------------------------------------------------------

def check_mentions_each(record: Record, rule: dict, context: Context):
    """A part speaks of each of the rule's `items` (a name and the pattern of its wordings): one
    finding per item it never mentions. With `paragraph`, only the paragraphs matching it count
    (the 主动公开 paragraph for counts per platform). An empty part is 法定.组成部分's."""
    text = flatten(record.parts.get(rule["part"], ""))
    if not text:
        return
    if "paragraph" in rule:
        text = "\n".join(line for line in text.split("\n") if patterns.search(rule["paragraph"], line))
    for item in rule["items"]:
        if not patterns.search(item["pattern"], text, patterns.MULTILINE):
            yield finding(rule, rule["message"].format(part=part_name(record, rule["part"]), name=item["name"]),
                          part=rule["part"], expected=item["name"], found="未提及")


def check_substance(record: Record, rule: dict, context: Context):
    """A part that says nothing: its wording one of the `empty` phrases (`无`, `暂无`), or
    fewer than `min_chars` characters. An empty part is 法定.组成部分's."""
    text = flatten(record.parts.get(rule["part"], ""))
    if not text:
        return
    words = "".join(wording(text).tokens)
    if len(words) >= rule["min_chars"] and not any(patterns.fullmatch(pattern, words) for pattern in rule["empty"]):
        return
    yield finding(rule, rule["message"].format(part=part_name(record, rule["part"]), found=text,
                                               chars=len(words)),
                  part=rule["part"], excerpt=text, expected=f"不少于 {rule['min_chars']} 字的实际内容",
                  found=f"{len(words)} 字")


def check_fees(record: Record, rule: dict, context: Context):
    """What the narrative says of the 信息处理费 must agree with itself: a `none` statement (not
    charged) and an amount charged (`amounts`, the number in group 1, in 元 or 万元), or two
    different amounts, in the rule's `parts`.

    Table 二's fee is not compared: its 行政事业性收费 (条例第二十条第（八）项) is what the
    agency charges in its own field, a thing other than the 信息处理费 of disclosure that part 六
    states (国办函〔2020〕109号); 文表.收费 compares the narrative's 行政事业性收费 with it.
    """
    said = []  # (amount in 元, part, excerpt), in the order of the report
    for part_id in rule["parts"]:
        text = flatten(record.parts.get(part_id, ""))
        for pattern in rule["none"]:
            said += [(0, part_id, sentence(text, m.start(), m.end())) for m in patterns.finditer(pattern, text)]
        for pattern in rule["amounts"]:
            said += [(float(m.group(1)) * (10000 if m.group().endswith("万元") else 1), part_id,
                      sentence(text, m.start(), m.end())) for m in patterns.finditer(pattern, text)]
    amounts = {amount: (part_id, excerpt) for amount, part_id, excerpt in reversed(said)}  # the first of each
    if len(amounts) < 2:
        return
    statements = "；".join(f"{part_name(record, part_id)}说{'未收取' if not amount else f'收取 {number(amount)} 元'}"
                          f"（“{excerpt}”）" for amount, (part_id, excerpt) in sorted(amounts.items()))
    yield finding(rule, rule["message"].format(said=statements), part=said[0][1], excerpt=said[0][2],
                  expected="前后一致", found="、".join(f"{number(amount)} 元" for amount in sorted(amounts)))


def check_length(record: Record, rule: dict, context: Context):
    """A part longer than `max` characters (as a word processor counts them: punctuation
    included, spaces and line breaks not)."""
    chars = len(flatten(record.parts.get(rule["part"], "")).replace("\n", ""))
    if chars > rule["max"]:
        yield finding(rule, rule["message"].format(part=part_name(record, rule["part"]), chars=chars,
                                                   max=rule["max"]),
                      part=rule["part"], expected=f"不超过 {rule['max']} 字", found=f"{chars} 字")
