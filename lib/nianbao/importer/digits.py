"""Digits of adjacent cells run together (`230 000023`): the ways to split them into a row's
numbers that the row's own sums allow.

A crawler or a PDF converter may drop the spaces between cells. Every split into the row's
columns is a candidate; the edition's sums along the row (总计 = the other columns) decide
between them, and the search is pruned by those sums as it cuts, so that its time stays bounded
whatever the input (four rows of 24 digits once took 384 s).
"""
from __future__ import annotations

import re

from ..checks.findings import same
from ..checks.tables import adds_up, operands
from ..editions import Edition, Table

# The most cuts tried when splitting one row's digits run together: 0.05 s at about 10 µs a cut.
# Digits as run together in real reports (`230 000023`) need a few dozen; 20 non-zero digits in
# table 三's seven columns, 5,000 to find that no split adds up.
SPLIT_LIMIT = 5_000

# A cell's number: at most 15 digits before the point (a float's precision; no report counts
# 10^15 of anything), and no leading zero (`0` itself aside).
_CELL = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d+)?")


def splits(tokens: list[str], count: int, sums=(), limit: int = SPLIT_LIMIT) -> tuple[list[list[str]], bool]:
    """The ways to cut digit strings into `count` numbers that the row's `sums` allow (see
    `_sums`), and whether that is all of them.

    Each number is a `_CELL`, and a decimal point stays inside the last number of its string.
    The numbers are cut from the right, where the totals of the tables stand, and a cut is given
    up as soon as a sum can no longer hold: 24 digits run together have C(23, 6) = 100,947
    splits into table 三's seven columns, and once the 总计 is cut only the few whose other
    columns stay below it are tried. At most `limit` cuts are tried; beyond, the splits found so
    far come back, not as all of them.
    """
    found: list[list[str]] = []
    tried = 0
    signed = any(token.startswith("-") for token in tokens)
    before = [sum(map(len, tokens[:index])) for index in range(len(tokens))]  # characters before each string

    def cut(pieces: list[str], right: list, index: int, end: int) -> None:
        """Cut the next number, for column `count - len(pieces) - 1`, off tokens[index][:end]."""
        nonlocal tried
        token, column = tokens[index], count - len(pieces) - 1  # columns still to cut after this one
        # as many strings left as numbers: each is one; else leave a character for each number
        starts = [0] if index == column else range(end - 1, max(column - before[index], 0) - 1, -1)
        for start in starts:
            tried += 1
            piece, characters_left = token[start:end], before[index] + start
            if tried > limit or len(piece.lstrip("-").split(".")[0]) > 15:
                return  # out of tries, or too many digits: and so every longer piece
            if not _CELL.fullmatch(piece) or ("." in piece and end < len(token)):
                continue
            values = [None] * column + [_value(piece), *right]
            high = 10 ** min(characters_left - column + 1, 15)  # more than any number still to cut
            if not _may_add_up(values, sums, -high if signed else 0, high):
                continue
            if column:
                cut([piece, *pieces], values[column:], index - (start == 0),
                    start or len(tokens[index - 1]))
            else:
                found.append([piece, *pieces])

    cut([], [], len(tokens) - 1, len(tokens[-1]))
    return found, tried <= limit


def _may_add_up(values: list, sums, low: float, high: float) -> bool:
    """Whether each sum can still hold with the values known so far (None: still to cut), every
    value still to come lying between `low` and `high`."""
    def bounds(line: list[int]) -> tuple[float, float]:
        known = sum(values[i] for i in line if values[i] is not None)
        still = sum(values[i] is None for i in line)
        return known + still * low, known + still * high

    for totals, parts in sums:
        if all(values[i] is not None for i in totals + parts):
            if not adds_up([values[i] for i in totals], [values[i] for i in parts]):
                return False
            continue
        (least_total, most_total), (least_part, most_part) = bounds(totals), bounds(parts)
        if _over(least_total, most_part) or _over(least_part, most_total):
            return False
    return True


def _over(a: float, b: float) -> bool:
    return a > b and not same(a, b)


def sums_along(edition: Edition, table: Table, row: str) -> list[tuple[list[int], list[int]]]:
    """The edition's sums along a row, as positions among its columns: (totals, parts)."""
    columns = table.columns(row)
    return [([columns.index(c) for _, c in totals], [columns.index(c) for _, c in parts])
            for rule in edition.rules if rule["kind"] == "sum" and rule["table"] == table.id and rule["each"] == "row"
            for _, totals, parts in operands(table, rule) if totals[0][0] == row]


def _value(piece: str):
    return float(piece) if "." in piece else int(piece)
