"""Checks on the numbers of the tables: sums, value domains, blanks, table 二, last year."""
from __future__ import annotations

from ..editions import Table
from ..record import Record
from .findings import Context, at, finding, number, same


def check_sum(record: Record, rule: dict, context: Context):
    """Along each line the rule names, the total cells must add up to the part cells.

    Skipped when an operand is blank: the `blank` kind reports blanks once.
    """
    table = record.spec.tables[rule["table"]]
    for where, totals, parts in operands(table, rule):
        if not parts:
            raise ValueError(f"规则 {rule['id']}：分项 {rule['parts']} 在{table.name}中没有对应的单元格")
        total_values = [record.value(table.id, row, column) for row, column in totals]
        part_values = [record.value(table.id, row, column) for row, column in parts]
        if any(value is None for value in total_values + part_values):
            continue
        if not adds_up(total_values, part_values):
            found, expected = sum(total_values), sum(part_values)
            row, column = totals[0]
            yield finding(rule, f"{table.name}{where}：{rule['message']}，应为 {number(expected)}，"
                                f"实为 {number(found)}",
                          table=table.id, row=row, column=column,
                          expected=number(expected), found=number(found))


def adds_up(totals: list, parts: list) -> bool:
    """Whether total values equal the sum of their part values: the sum rule on one line, which
    the importer also asks of every way to split digits run together."""
    return same(sum(totals), sum(parts))


def operands(table: Table, rule: dict):
    """(where, total cells, part cells) for every line the rule runs along.

    `each: column` sums rows within every column; `each: row` sums columns within every row,
    once per group when `groups` prefix the column labels (table 四's three groups).
    """
    if rule["each"] == "column":
        totals = table.select_rows(rule["total"])
        parts = table.select_rows(rule["parts"])
        if not totals:
            raise ValueError(f"规则 {rule['id']}：总计 {rule['total']} 在{table.name}中没有对应的行")
        for column in table.columns(totals[0]):
            yield f"“{column}”列", [(r, column) for r in totals], [(r, column) for r in parts]
    elif rule["each"] == "row":
        for row in table.rows:
            for group in rule.get("groups", [""]):
                totals = table.select_columns(row, _under(group, rule["total"]))
                if totals:  # rows of other blocks (table 二) have no such columns
                    where = f"“{group}”" if group else f"“{row}”行"
                    yield (where, [(row, c) for c in totals],
                           [(row, c) for c in table.select_columns(row, _under(group, rule["parts"]))])
    else:
        raise ValueError(f"规则 {rule['id']}：each 应为 column 或 row，实为 {rule['each']!r}")


def _under(group: str, labels: list[str]) -> list[str]:
    return [f"{group}/{label}" if group else label for label in labels]


_DOMAINS = {
    "count": ("非负整数", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "amount": ("非负数", lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0),
    "signed": ("整数", lambda v: isinstance(v, int) and not isinstance(v, bool)),
}


def check_domain(record: Record, rule: dict, context: Context):
    """Every filled cell holds a value of its column's kind."""
    for table in record.spec.tables.values():
        for row, column in table.cells():
            value = record.value(table.id, row, column)
            expected, fits = _DOMAINS[table.column(row, column).kind]
            if value is not None and not fits(value):
                yield finding(rule, f"{table.name}{at(row, column)}应为{expected}，实为 {value!r}",
                              table=table.id, row=row, column=column,
                              expected=expected, found=repr(value))


def blank_cells(record: Record, table: Table) -> list[tuple[str, str]]:
    return [(row, column) for row, column in table.cells() if record.value(table.id, row, column) is None]


def entirely_blank(record: Record, table: Table) -> bool:
    return len(blank_cells(record, table)) == len(list(table.cells()))


def check_blank(record: Record, rule: dict, context: Context):
    """One finding per table with blank cells; a wholly blank table is a missing part instead.
    Cells of rows the import could not read (`context.unread`) are not counted: the report
    printed numbers there (digits run together past splitting), and the import says so."""
    for table in record.spec.tables.values():
        blanks = [(row, column) for row, column in blank_cells(record, table) if (table.id, row) not in context.unread]
        if blanks and not entirely_blank(record, table):
            row, column = blanks[0]
            yield finding(rule, f"{table.name}有 {len(blanks)} 个单元格空白（空白表示未知，不等于 0），"
                                f"第一个是{at(row, column)}",
                          table=table.id, row=row, column=column,
                          expected="数值", found=f"{len(blanks)} 个空白")


def check_in_force(record: Record, rule: dict, context: Context):
    """Documents in force cannot be fewer than those issued this year minus those repealed."""
    table = record.spec.tables[rule["table"]]
    for row in table.select_rows(rule["rows"]):
        issued, repealed, in_force = (record.value(table.id, row, rule[key])
                                      for key in ("issued", "repealed", "in_force"))
        if None in (issued, repealed, in_force):
            continue
        if in_force < issued - repealed:
            yield finding(rule, f"{table.name}“{row}”：{rule['issued']} {number(issued)}、"
                                f"{rule['repealed']} {number(repealed)}，{rule['in_force']} "
                                f"{number(in_force)} 少于二者之差 {number(issued - repealed)}，请核实",
                          table=table.id, row=row, column=rule["in_force"],
                          expected=f"≥ {number(issued - repealed)}", found=number(in_force))


def check_carry_over(record: Record, rule: dict, context: Context):
    """What last year's report carried forward is what this year's report took over, per column.

    The two records may be of different editions; the rows compared are shared by all of them.
    """
    previous = context.previous
    if previous is None:
        return
    table = record.spec.tables[rule["table"]]
    for column in table.columns(rule["this_year"]):
        now = record.value(table.id, rule["this_year"], column)
        before = previous.value(table.id, rule["last_year"], column)
        if now is not None and before is not None and not same(now, before):
            yield finding(rule, f"{table.name}“{column}”列：“{rule['this_year']}”应等于"
                                f"{previous.year}年报告的“{rule['last_year']}”，应为 {number(before)}，"
                                f"实为 {number(now)}",
                          table=table.id, row=rule["this_year"], column=column,
                          expected=number(before), found=number(now))


def check_in_force_years(record: Record, rule: dict, context: Context):
    """Documents in force this year are last year's in force, plus those issued, less those
    repealed (table 二 across years); a document that lapsed at its term is the usual reason
    they differ, so the finding asks to check. Rows or columns last year's edition lacks (2019's
    table 二) are left alone."""
    previous = context.previous
    before_table = previous.spec.tables.get(rule["table"]) if previous is not None else None
    if before_table is None:
        return
    table = record.spec.tables[rule["table"]]
    for row in table.select_rows(rule["rows"]):
        if row not in before_table.rows or rule["in_force"] not in before_table.columns(row):
            continue
        before = previous.value(table.id, row, rule["in_force"])
        issued, repealed, in_force = (record.value(table.id, row, rule[key]) for key in ("issued", "repealed", "in_force"))
        if None in (before, issued, repealed, in_force) or same(before + issued - repealed, in_force):
            continue
        expected = before + issued - repealed
        yield finding(rule, rule["message"].format(row=row.split("/")[-1], year=previous.year, before=number(before),
                                                   issued=number(issued), repealed=number(repealed),
                                                   expected=number(expected), found=number(in_force)),
                      table=table.id, row=row, column=rule["in_force"],
                      expected=number(expected), found=number(in_force))
