"""Counts no sum can call wrong but a reviewer would look at twice: five times last year's (or a
fifth of it), and 0 where the other reports of the batch count hundreds. Information only
(severity `info`): a new 行政许可 service or a campaign of 行政处罚 changes a count honestly.

Only numbers are compared. A blank cell, and `/` or `无` printed in one (the importer reads
them as blank: checks.tables), is unknown, not 0: it is never compared, so that a blank last
year beside 300 this year, or a `/` among peers counting hundreds, says nothing here (数值.未填
names the blank). A 0 is a count: 0 last year and 300 this year is a change, and 0 where peers
count hundreds is a finding.
"""
from __future__ import annotations

import statistics
from collections import defaultdict

from ..record import Record, Value, format_value
from .findings import Context, Finding, at, finding


def _cells(record: Record, rule: dict):
    """(table id, row, column, where it is for people) of the rule's `cells` the record's
    edition has: [table, row, column] each."""
    for table_id, row, column in rule["cells"]:
        table = record.spec.tables.get(table_id)
        if table is not None and (row, column) in set(table.cells()):
            yield table_id, row, column, f"{table.name}{at(row.split('/')[-1], column)}"


def _change(before: Value, now: Value, factor: float) -> str:
    """How far a count moved, in words, when it moved `factor` times or more; else ""."""
    if before == now or max(before, now) == 0:
        return ""
    if min(before, now) == 0:
        return "由 0 增至此数" if before == 0 else "降为 0"
    ratio = now / before
    if ratio >= factor:
        return f"是上年的 {ratio:.1f} 倍"
    if ratio <= 1 / factor:
        return f"只有上年的 1/{1 / ratio:.1f}"
    return ""


def check_scale_years(record: Record, rule: dict, context: Context):
    """Each of `cells` against last year's: `factor` times it or more, or a `factor`th or less
    (0 one year and not the other included), where the larger of the two is at least `least`
    (1 → 5 is no news). Blank either year: not compared."""
    previous = context.previous
    if previous is None:
        return
    for table_id, row, column, where in _cells(record, rule):
        now, before = record.value(table_id, row, column), previous.value(table_id, row, column)
        if now is None or before is None or max(now, before) < rule["least"]:
            continue
        change = _change(before, now, rule["factor"])
        if change:
            yield finding(rule, rule["message"].format(where=where, found=format_value(now), year=previous.year,
                                                       before=format_value(before), change=change),
                          table=table_id, row=row, column=column,
                          expected=f"{previous.year}年为 {format_value(before)}", found=format_value(now))


def check_peer_zero(record: Record, rule: dict, context: Context):
    """Judged over a batch, not one record: see peer_zeros."""
    return ()


def peer_zeros(records) -> dict[tuple[str, int], list[Finding]]:
    """A 0 where the batch's other reports of the same year count many: for each record whose
    edition has a `peer_zero` rule, each of its `cells` that is 0 while at least `peers` other
    agencies' reports of that year give it a number and their median is at least `least`.
    Blank cells (and `/`, `无`) are neither the 0 nor a peer. Keyed by (agency_id, year), as
    shared_narratives."""
    by_cell = defaultdict(dict)  # (year, table, row, column): {agency_id: value}
    rules = []
    for record in records:
        for rule in record.spec.rules:
            if rule["kind"] == "peer_zero":
                rules.append((record, rule))
                for table_id, row, column, _ in _cells(record, rule):
                    value = record.value(table_id, row, column)
                    if value is not None:
                        by_cell[(record.year, table_id, row, column)][record.agency_id] = value
    found = defaultdict(list)
    for record, rule in rules:
        for table_id, row, column, where in _cells(record, rule):
            if record.value(table_id, row, column) != 0:
                continue
            others = [v for agency, v in by_cell[(record.year, table_id, row, column)].items() if agency != record.agency_id]
            median = statistics.median(others) if others else 0
            if len(others) >= rule["peers"] and median >= rule["least"]:
                found[(record.agency_id, record.year)].append(finding(
                    rule, rule["message"].format(where=where, peers=len(others), median=format_value(median)),
                    table=table_id, row=row, column=column,
                    expected=f"同批次中位数 {format_value(median)}", found="0"))
    return dict(found)
