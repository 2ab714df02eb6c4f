"""What an edition's rules and history must hold, checked when the edition loads.

A rule or a history figure is data in the edition's YAML; a typo there (a rule kind misspelt,
a row that no table has, a pattern that is no regular expression) would otherwise fail only
when a report of that edition runs, in every report at once. `problems` lists every such
mistake, each naming the rule or figure.
"""
from __future__ import annotations

import re

SEVERITIES = ("error", "warning")
# What each built-in kind needs besides id, kind and severity; a kind other packages register
# is checked for those three only.
PARAMETERS = {
    "sum": ("table", "each", "total", "parts", "message"),
    "domain": (), "blank": (), "parts_present": (), "deadline": (), "dates": (), "identity": (), "lint": (),
    "in_force": ("table", "rows", "issued", "repealed", "in_force"),
    "carry_over": ("table", "this_year", "last_year"),
    "text_number": ("what", "cell", "patterns"),
    "mentions": ("part", "pattern", "message"),
    "coverage": ("statuses",),
}


def problems(edition, kinds: dict) -> list[str]:
    found = []
    for number, rule in enumerate(edition.rules, 1):
        name = f"规则 {rule.get('id', f'第{number}条')}"
        found += [f"{name}：{problem}" for problem in _rule(edition, rule, kinds)]
    for number, figure in enumerate(edition.history, 1):
        name = f"历年对比 {figure.get('id', f'第{number}项')}"
        found += [f"{name}：{problem}" for problem in _figure(edition, figure)]
    return found


def _rule(edition, rule: dict, kinds: dict):
    missing = [key for key in ("id", "kind", "severity") if key not in rule]
    if missing:
        yield f"缺少 {'、'.join(missing)}"
        return
    if rule["kind"] not in kinds:
        yield f"未知的检查类型 {rule['kind']!r}，可用：{'、'.join(kinds)}"
    if rule["severity"] not in SEVERITIES:
        yield f"severity 应为 {' 或 '.join(SEVERITIES)}，实为 {rule['severity']!r}"
    missing = [key for key in PARAMETERS.get(rule["kind"], ()) if key not in rule]
    if missing:
        yield f"缺少参数 {'、'.join(missing)}"
        return
    table = edition.tables.get(rule["table"]) if "table" in rule else None
    if "table" in rule and table is None:
        yield f"没有表 {rule['table']!r}，可用：{'、'.join(edition.tables)}"
        return
    if rule["kind"] == "sum" and rule["each"] == "column":
        for key in ("total", "parts"):
            yield from _rows(table, key, rule[key])
    elif rule["kind"] == "sum" and rule["each"] != "row":
        yield f"each 应为 column 或 row，实为 {rule['each']!r}"
    if rule["kind"] == "in_force":
        yield from _rows(table, "rows", rule["rows"])
    if rule["kind"] == "carry_over":
        for key in ("this_year", "last_year"):
            if rule[key] not in table.rows:
                yield f"{key} 的 {rule[key]!r} 在{table.name}中没有这一行"
    for pattern in [*rule.get("patterns", []), *rule.get("zero", []), *([rule["pattern"]] if "pattern" in rule else [])]:
        try:
            re.compile(pattern)
        except re.error as error:
            yield f"正则表达式 {pattern!r} 有误：{error}"
    if "part" in rule and rule["part"] not in edition.narrative_parts:
        yield f"没有正文部分 {rule['part']!r}"


def _figure(edition, figure: dict):
    missing = [key for key in ("id", "label", "chart", "table", "rows", "columns") if key not in figure]
    if missing:
        yield f"缺少 {'、'.join(missing)}"
        return
    table = edition.tables.get(figure["table"])
    if table is None:
        yield f"没有表 {figure['table']!r}"
        return
    rows = table.select_rows(figure["rows"])
    if not rows:
        yield f"rows {figure['rows']} 在{table.name}中没有对应的行"
    elif not any(table.select_columns(row, figure["columns"]) for row in rows):
        yield f"columns {figure['columns']} 在{table.name}中没有对应的列"


def _rows(table, key: str, prefixes: list[str]):
    for prefix in prefixes:
        if not table.select_rows([prefix]):
            yield f"{key} 中的 {prefix!r} 在{table.name}中没有对应的行"
