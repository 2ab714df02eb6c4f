"""Reading one table of an edition out of the text of a published report.

However a report reached us (a scraped page with one cell per line, `pdftotext -layout`, a
crawler that ran the cells of a row together, an HTML or Markdown table turned into lines),
a table's region of text reads as label text and groups of numbers. A group is a run of
numbers with nothing but spaces between them; a blank cell shows as a dash (`—`).

Each row is then found by its own label (the last of its label path) in the text around a
group (groups.py). Rows and groups are aligned in order, maximising
how well the labels agree, so a label wrapped around its numbers, split into single characters
or misprinted still finds its row, and a row that is not there leaves its cells unknown instead
of taking its neighbour's.
A row whose label was lost (a "PDF to Markdown" conversion) is read only where its place makes
it certain: its numbers stand alone between those of the two rows around it, and add up.
Digits run together are split in every valid way, up to a limit of tries; the edition's sums,
along the row and then down the columns, pick the split when more than one is possible, and
when none is certain the cells stay unknown. The only split there is is kept even when it does
not add up: that is the report's own error, for the checks to find.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..checks.findings import Finding
from ..checks.tables import adds_up, operands
from ..editions import Edition, Table
from ..labels import fold, split_path
from ..record import Value
from .digits import SPLIT_LIMIT, splits, sums_along
from .groups import BLANK, Group, character_pairs, coverage, groups, most_coverage, printed_label

MATCH = 0.6        # the least share of a row's label that must be found around its numbers
APPROXIMATE = 0.85  # below this share the printed label is reported as differing
# Where a table's column headers are looked for: its top. The tables of the samples fold to
# 90–1,040 characters; comparing with a whole megabyte took seconds per header.
HEADERS = 2000
# The most groups of numbers one table is aligned with, per row: the samples have at most 2.2
# (13 groups in a table 二 of six rows). Each further group costs a comparison with every row.
GROUPS_PER_ROW = 4


def note(rule: str, message: str, **where) -> Finding:
    """What the importer could not read for certain: a warning, as the checks word theirs."""
    return Finding(rule=rule, severity="warning", message=message, **where)


@dataclass
class TableRead:
    """What was read of one table: its cells by official row and column, and what to say."""
    table: Table
    values: dict[str, dict[str, Value]]
    notes: list[Finding] = field(default_factory=list)
    rows_found: int = 0
    headers_found: int = 0  # column labels found in the text: they tell editions apart
    # rows whose digits split several ways along the row: the splits, and the finding if none is chosen
    uncertain: dict[str, tuple[list[list[str]], Finding]] = field(default_factory=dict)


def read_table(edition: Edition, table_id: str, text: str) -> TableRead:
    table = edition.tables[table_id]
    values = {row: {column: None for column in table.columns(row)} for row in table.rows}
    result = TableRead(table, values)
    found = groups(text)
    top = fold(text)[:HEADERS]
    result.headers_found = sum(
        coverage(fold(split_path(column.label)[-1]), top) >= APPROXIMATE
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
    found = _one_row_each(table, found)
    found, beyond = found[:GROUPS_PER_ROW * len(rows)], len(found[GROUPS_PER_ROW * len(rows):])
    if beyond:
        result.notes.append(note("导入.多余数字", f"{table.name}中的数字多于每行 {GROUPS_PER_ROW} 组，"
                                                f"最后 {beyond} 组未读取", table=table_id, found=f"{beyond} 组"))
    pairs = _align(rows, found, [len(table.columns(row)) for row in rows])
    for row, group, share in pairs:
        result.rows_found += 1
        own = fold(split_path(row)[-1])
        if share < APPROXIMATE:
            printed = printed_label(own, group.before + group.after)
            result.notes.append(note(
                "导入.标签近似", f"{table.name}“{split_path(row)[-1]}”行按近似的标签读取，报告印作“{printed}”",
                table=table_id, row=row, found=printed))
        _place(edition, result, row, group)
    for row, group in _by_position(edition, table, found, pairs):
        result.rows_found += 1
        result.notes.append(note(
            "导入.行按位置推断", f"{table.name}“{split_path(row)[-1]}”行的标签缺失，数字“{group.printed}”"
            "夹在其前后两行的数字之间，且行内合计关系成立，按位置读为该行", table=table_id, row=row, found=group.printed))
        _place(edition, result, row, group)
        pairs.append((row, group, 0.0))
    _settle_by_columns(edition, result)
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


def _one_row_each(table: Table, found: list[Group]) -> list[Group]:
    """Groups holding several rows' numbers one after another, cut into rows: a row whose label
    was lost (`| 34 | 0 | … |` right under `| 一、… | 3001 | … |`) runs into the row before.
    Only where every row has as many cells (table 三's seven), so that the cut is certain."""
    widths = {len(table.columns(row)) for row in table.rows}
    width = widths.pop() if len(widths) == 1 else 0
    if width < 2:
        return found
    out = []
    for group in found:
        count = len(group.tokens)
        if count <= width or count % width:
            out.append(group)
            continue
        rows = [Group(group.tokens[start:start + width]) for start in range(0, count, width)]
        rows[0].before, rows[-1].after = group.before, group.after
        out += rows
    return out


def _by_position(edition: Edition, table: Table, found: list[Group],
                 pairs: list[tuple[str, Group, float]]) -> list[tuple[str, Group]]:
    """Rows whose label was lost, read from the order: numbers of a row's width standing alone
    between the numbers of two rows found, when just one row lies between those two and the
    numbers add up as that row's sums say. Anything less certain stays unknown."""
    rows = table.rows
    at = {id(group): j for j, group in enumerate(found)}
    inferred = []
    for (above, first, _), (below, second, _) in zip(pairs, pairs[1:]):
        i = rows.index(above)
        between = [g for g in found[at[id(first)] + 1:at[id(second)]] if any(t != BLANK for t in g.tokens)]
        if rows.index(below) - i != 2 or len(between) != 1:
            continue
        row, group = rows[i + 1], between[0]
        columns = table.columns(row)
        sums = sums_along(edition, table, row)  # a row without sums has nothing to confirm its place
        if sums and len(group.tokens) == len(columns) and all(_NUMBER.fullmatch(t) for t in group.tokens):
            values = [_number(t) for t in group.tokens]
            if all(adds_up([values[t] for t in totals], [values[p] for p in parts]) for totals, parts in sums):
                inferred.append((row, group))
    return inferred


def _align(rows: list[str], found: list[Group], widths: list[int]) -> list[tuple[str, Group, float]]:
    """Rows matched to groups in order, the total label agreement made as high as it can be.

    Numbers right after a row's whole label are that row's: no other row takes them for a label
    merely like its own (`2.申请人逾期未按收费通知…` on the numbers of `1.申请人无正当理由…`).
    Nor does a row take numbers too few to fill it (the `—` of a header's empty cell)."""
    labels = [fold(split_path(row)[-1]) for row in rows]
    around = [character_pairs(group.before + group.after) for group in found]
    claimed = [{i for i, label in enumerate(labels) if label and group.before.endswith(label)} for group in found]
    characters = [sum(len(token) for token in group.tokens) for group in found]

    def share(i: int, j: int) -> float:
        # A label ending right before the numbers is theirs; one further back may be a row
        # left blank (the legacy table omits its blank cells); one wrapped around them counts
        # a little less. Most pairs of a row and a group have too few characters in common to
        # match at all, and need no comparison; the nearest label, when it is found, is enough.
        label, before = labels[i], found[j].before
        if (claimed[j] and i not in claimed[j]) or characters[j] < widths[i]:
            return 0.0
        most = most_coverage(label, around[j])
        if most < MATCH:
            return 0.0
        best = coverage(label, before[-len(label) - 4:])
        if best < 0.95 * most:
            best = max(best, 0.9 * coverage(label, before), 0.95 * coverage(label, before + found[j].after))
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
    if len(tokens) == len(columns) and all(token == BLANK or _NUMBER.fullmatch(token) for token in tokens):
        for column, token in zip(columns, tokens):
            result.values[row][column] = _number(token)
        return
    if len(tokens) > len(columns) or BLANK in tokens:
        result.notes.append(note("导入.列数不符", f"{table.name}“{name}”行应有 {len(columns)} 个数，"
                                                f"读到 {len(tokens)} 个（{group.printed}），其数字未知", **where))
        return
    every, complete = splits(tokens, len(columns))
    if complete and len(every) <= 1:
        if every:
            for column, token in zip(columns, every[0]):
                result.values[row][column] = _number(token)
        else:
            result.notes.append(note("导入.列数不符", f"{table.name}“{name}”行的“{group.printed}”无法分成 "
                                                    f"{len(columns)} 个数，其数字未知", **where))
        return
    sums = sums_along(edition, table, row)
    consistent, certain = splits(tokens, len(columns), sums) if sums else (every, complete)
    if certain and len(consistent) == 1:
        for column, token in zip(columns, consistent[0]):
            result.values[row][column] = _number(token)
        result.notes.append(note(
            "导入.拆分推断", f"{table.name}“{name}”行的数字连在一起（{group.printed}），有"
            f"{'' if complete else '至少'} {len(every)} 种拆分，按表内合计关系推断为 {' | '.join(consistent[0])}",
            **where))
        return
    possible, known = (consistent, certain) if consistent else (every, complete)
    if possible:
        shown = " 或 ".join(" | ".join(c) for c in possible[:4]) + ("等" if len(possible) > 4 or not known else "")
        how = f"有{'' if known else '至少'} {len(possible)} 种拆分（{shown}）"
    else:
        how = f"试了 {SPLIT_LIMIT} 种切法仍没有找到拆分"
    unsettled = note("导入.拆分不确定", f"{table.name}“{name}”行的数字连在一起（{group.printed}），"
                                      f"{how}，无法确定，其数字未知", **where)
    if known and len(possible) > 1 and row:
        result.uncertain[row] = (possible, unsettled)  # the column sums may still decide
    else:
        result.notes.append(unsettled)


def _settle_by_columns(edition: Edition, result: TableRead) -> None:
    """Rows whose digits run together split more than one way along the row, settled down the
    columns: a split is kept when every column sum through the row, its other cells read, holds
    (`330000033`: 33|0|…|33 or 3|30|…|33, and the 自然人 and 商业企业 sums decide). A row
    settled may settle another; what stays open is unknown, with its finding."""
    table = result.table
    lines = [(totals, parts) for rule in edition.rules
             if rule["kind"] == "sum" and rule["table"] == table.id and rule["each"] == "column"
             for _, totals, parts in operands(table, rule)]
    settled = True
    while settled:
        settled = False
        for row, (possible, unsettled) in list(result.uncertain.items()):
            kept = [split for split in possible if _columns_hold(result, lines, row, split)]
            if len(kept) == 1:
                del result.uncertain[row]
                for column, token in zip(table.columns(row), kept[0]):
                    result.values[row][column] = _number(token)
                result.notes.append(note(
                    "导入.拆分推断", f"{table.name}“{split_path(row)[-1]}”行的数字连在一起（{unsettled.found}），"
                    f"有 {len(possible)} 种拆分，按表内各列合计关系推断为 {' | '.join(kept[0])}",
                    table=table.id, row=row, found=unsettled.found))
                settled = True
    result.notes.extend(unsettled for _, unsettled in result.uncertain.values())
    result.uncertain.clear()


def _columns_hold(result: TableRead, lines, row: str, split: list[str]) -> bool:
    """Whether the column sums through a row hold with this split, where their cells are read."""
    mine = dict(zip(result.table.columns(row), map(_number, split)))
    for totals, parts in lines:
        cells = totals + parts
        if not any(r == row for r, _ in cells):
            continue
        values = [mine[c] if r == row else result.values[r][c] for r, c in cells]
        if None not in values and not adds_up(values[:len(totals)], values[len(totals):]):
            return False
    return True


# A cell's number: at most 15 digits before the point (a float's precision; no report counts
# 10^15 of anything). Splitting also allows no leading zero (`0` itself aside).
_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d+)?")


def _number(token: str) -> Value:
    if token == BLANK:
        return None
    return float(token) if "." in token else int(token)
