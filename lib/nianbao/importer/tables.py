"""Reading one table of an edition out of the text of a published report.

However a report reached us (a scraped page with one cell per line, `pdftotext -layout`, a
crawler that ran the cells of a row together, an HTML or Markdown table turned into lines),
a table's region of text reads as label text and groups of numbers. A group is a run of
numbers with nothing but spaces between them; a blank cell shows as a dash (`—`).

Each row is then found by its own label (the last of its label path) in the text around a
group. Rows and groups are aligned in order, maximising how well the labels agree, so a label
wrapped around its numbers, split into single characters or misprinted still finds its row,
and a row that is not there leaves its cells unknown instead of taking its neighbour's.
Digits run together are split in every valid way; the edition's own row sums pick the split
when more than one is possible, and when none is certain the cells stay unknown.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations

from ..checks.findings import Context, Finding
from ..checks.tables import check_sum
from ..editions import Edition, Table
from ..labels import fold, split_path
from ..record import Record, Value

BLANK = "—"        # how a blank cell is written in the text this module reads
MATCH = 0.6        # the least share of a row's label that must be found around its numbers
APPROXIMATE = 0.85  # below this share the printed label is reported as differing

# A number (`7730.28`, `447,228`, 2019's signed `-3`), a blank-cell dash standing alone, or text that holds digits but no
# cell: a parenthesised aside (`（不同渠道和方式公开相同信息计1条）`) or a date.
_TOKEN = re.compile(r"(?P<text>[（(][^（）()\s]{0,40}\d[^（）()\s]{0,40}[）)]|\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?)"
                    r"|(?P<number>(?:(?<![\w.])[-－])?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
                    r"|(?<!\S)(?P<blank>[—－\-/／]+)(?!\S)")
# Digits right before `.`/`、` and a label are the label's own number (`…00000002.其他法律…`).
_ENUMERATION = re.compile(r"[.．、](?!\d)")


def note(rule: str, message: str, **where) -> Finding:
    """What the importer could not read for certain: a warning, as the checks word theirs."""
    return Finding(rule=rule, severity="warning", message=message, **where)


@dataclass
class Group:
    """Numbers printed together, with the label text around them (folded)."""
    tokens: list[str]
    before: str = ""
    after: str = ""

    @property
    def printed(self) -> str:
        return " ".join(self.tokens)


def groups(text: str) -> list[Group]:
    """The groups of numbers of a region, each with the text before and after it."""
    found: list[Group] = []
    pending = ""                 # label text since the last group
    current: Group | None = None
    position = 0
    for match in _TOKEN.finditer(text):
        gap, position = text[position:match.start()], match.end()
        if gap.strip():
            pending, current = pending + gap, None
        if match.group("text"):
            pending, current = pending + match.group("text"), None
            continue
        number = match.group("number")
        token = unicodedata.normalize("NFKC", number).replace(",", "") if number else BLANK
        label_number = ""
        if "." not in token and _ENUMERATION.match(text, match.end()):
            token, label_number = token[:-1], token[-1]
        if token:
            if current is None:
                if found:
                    found[-1].after = fold(pending)
                current, pending = Group([], before=fold(pending)), ""
                found.append(current)
            current.tokens.append(token)
        if label_number:
            pending, current = pending + label_number, None
    if found:
        found[-1].after = fold(pending + text[position:])
    return found


def coverage(label: str, text: str) -> float:
    """The share of a (folded) label found in a text, in runs of two characters or more."""
    if not label or not text:
        return 0.0
    if label in text:
        return 1.0
    blocks = SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= 2) / len(label)


def printed_label(label: str, text: str) -> str:
    """The stretch of a text that a (folded) label was matched on, to show what was printed."""
    blocks = [b for b in SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks() if b.size >= 2]
    return text[blocks[0].b:blocks[-1].b + blocks[-1].size] if blocks else ""


@dataclass
class TableRead:
    """What was read of one table: its cells by official row and column, and what to say."""
    table: Table
    values: dict[str, dict[str, Value]]
    notes: list[Finding] = field(default_factory=list)
    rows_found: int = 0
    headers_found: int = 0  # column labels found in the text: they tell editions apart


def read_table(edition: Edition, table_id: str, text: str) -> TableRead:
    table = edition.tables[table_id]
    values = {row: {column: None for column in table.columns(row)} for row in table.rows}
    result = TableRead(table, values)
    found = groups(text)
    folded = fold(text)
    result.headers_found = sum(
        coverage(fold(split_path(column.label)[-1]), folded) >= APPROXIMATE
        for block in table.blocks for column in block.columns)
    if not found:
        return result
    rows = table.rows
    if rows == [""]:
        # Table 四: one line of numbers under a header of three levels; the numbers may be
        # printed in pieces between the header's labels.
        merged = Group([token for group in found for token in group.tokens])
        _place(edition, result, "", merged)
        result.rows_found = 1
        return result
    pairs = _align(rows, found)
    for row, group, share in pairs:
        result.rows_found += 1
        own = fold(split_path(row)[-1])
        if share < APPROXIMATE:
            printed = printed_label(own, group.before + group.after)
            result.notes.append(note(
                "导入.标签近似", f"{table.name}“{split_path(row)[-1]}”行按近似的标签读取，报告印作“{printed}”",
                table=table_id, row=row, found=printed))
        _place(edition, result, row, group)
    matched_rows = {row for row, _, _ in pairs}
    matched = {id(group) for _, group, _ in pairs}
    for row in rows:
        if row not in matched_rows:
            result.notes.append(note("导入.行未找到", f"{table.name}中没有读到“{split_path(row)[-1]}”行的数字"
                                                    "（该行缺失或未填），按空白处理",
                                     table=table_id, row=row))
    for group in found:
        if id(group) not in matched and any(token != BLANK for token in group.tokens):
            result.notes.append(note("导入.多余数字", f"{table.name}中的数字“{group.printed}”不属于任何一行，未采用",
                                     table=table_id, found=group.printed))
    return result


def _align(rows: list[str], found: list[Group]) -> list[tuple[str, Group, float]]:
    """Rows matched to groups in order, the total label agreement made as high as it can be."""
    labels = [fold(split_path(row)[-1]) for row in rows]

    def share(i: int, j: int) -> float:
        # A label ending right before the numbers is theirs; one further back may be a row
        # left blank (the legacy table omits its blank cells); one wrapped around them counts
        # a little less.
        label, before = labels[i], found[j].before
        best = max(coverage(label, before[-len(label) - 4:]),
                   0.9 * coverage(label, before),
                   0.95 * coverage(label, before + found[j].after))
        return best if best >= MATCH else 0.0

    n, m = len(rows), len(found)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            s = share(i, j)
            best[i][j] = max(best[i + 1][j], best[i][j + 1], s + best[i + 1][j + 1] if s else 0.0)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        s = share(i, j)
        if s and best[i][j] == s + best[i + 1][j + 1]:
            pairs.append((rows[i], found[j], s))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _place(edition: Edition, result: TableRead, row: str, group: Group) -> None:
    """Put a group's numbers on the row's cells, splitting digits run together if need be."""
    table = result.table
    columns = table.columns(row)
    name = split_path(row)[-1] if row else table.name
    where = dict(table=table.id, row=row, found=group.printed)
    tokens = list(group.tokens)
    while len(tokens) > len(columns) and BLANK in (tokens[0], tokens[-1]):
        # dashes of a unit column before the values, empty cells a merged value cell left after
        tokens.pop(0 if tokens[0] == BLANK else -1)
    group = Group(tokens, group.before, group.after)
    if len(group.tokens) == len(columns):
        for column, token in zip(columns, group.tokens):
            result.values[row][column] = _number(token)
        return
    if len(group.tokens) > len(columns) or BLANK in group.tokens:
        result.notes.append(note("导入.列数不符", f"{table.name}“{name}”行应有 {len(columns)} 个数，"
                                                f"读到 {len(group.tokens)} 个（{group.printed}），其数字未知", **where))
        return
    candidates = list(splits(group.tokens, len(columns)))
    if not candidates:
        result.notes.append(note("导入.列数不符", f"{table.name}“{name}”行的“{group.printed}”无法分成 "
                                                f"{len(columns)} 个数，其数字未知", **where))
        return
    consistent = [c for c in candidates if _adds_up(edition, table.id, row, columns, c)]
    if len(candidates) == 1 or len(consistent) == 1:
        chosen = candidates[0] if len(candidates) == 1 else consistent[0]
        for column, token in zip(columns, chosen):
            result.values[row][column] = _number(token)
        if len(candidates) > 1:
            result.notes.append(note(
                "导入.拆分推断", f"{table.name}“{name}”行的数字连在一起（{group.printed}），有 {len(candidates)} 种"
                f"拆分，按表内合计关系推断为 {' | '.join(chosen)}", **where))
        return
    possible = consistent or candidates
    shown = " 或 ".join(" | ".join(c) for c in possible[:4]) + ("等" if len(possible) > 4 else "")
    result.notes.append(note(
        "导入.拆分不确定", f"{table.name}“{name}”行的数字连在一起（{group.printed}），有 {len(possible)} 种拆分"
        f"（{shown}），无法确定，其数字未知", **where))


def _number(token: str) -> Value:
    if token == BLANK:
        return None
    return float(token) if "." in token else int(token)


def splits(tokens: list[str], count: int):
    """Every way to cut digit strings into `count` numbers: no number has a leading zero
    (`0` itself aside), and a decimal point stays inside the last number of its string."""
    def cuts(token: str, pieces: int):
        if pieces == 1:
            if _valid(token):
                yield [token]
            return
        for positions in combinations(range(1, len(token)), pieces - 1):
            parts = [token[a:b] for a, b in zip((0, *positions), (*positions, len(token)))]
            if all(_valid(part) for part in parts):
                yield parts

    def spread(index: int, left: int):
        if index == len(tokens):
            if left == 0:
                yield []
            return
        remaining = len(tokens) - index - 1
        digits = len(tokens[index].replace(".", ""))
        for pieces in range(1, min(digits, left - remaining) + 1):
            for parts in cuts(tokens[index], pieces):
                for rest in spread(index + 1, left - pieces):
                    yield parts + rest

    if sum(len(t.replace(".", "")) for t in tokens) > 24:
        return  # too many digits run together to try every split: nothing is certain there
    yield from spread(0, count)


def _valid(part: str) -> bool:
    if not part or part.startswith(".") or part.endswith("."):
        return False
    whole = part.split(".")[0]
    return whole == "0" or not whole.startswith("0")


def _adds_up(edition: Edition, table_id: str, row: str, columns: list[str], tokens: list[str]) -> bool:
    """Whether a row's values satisfy the edition's sums along the row (a lone row in a blank
    record: rules down the columns have blanks and say nothing)."""
    values = {table_id: {row: dict(zip(columns, map(_number, tokens)))}}
    record = Record(agency="", agency_id="", year=0, edition=edition.id, date="", tables=values)
    context = Context(previous=None, today=None)
    for rule in edition.rules:
        if rule["kind"] == "sum" and rule["table"] == table_id and rule["each"] == "row":
            if any(f.row == row for f in check_sum(record, rule, context)):
                return False
    return True
