"""What an edition's rules and history must hold, checked when the edition loads.

A rule or a history figure is data in the edition's YAML; a typo there (a rule kind misspelt,
a row that no table has, a pattern that is no regular expression) would otherwise fail only
when a report of that edition runs, in every report at once. `problems` lists every such
mistake, each naming the rule or figure; nianbao.rulepacks checks a local rule pack's rules with
`rule_problems`, against every edition it applies to.
"""
from __future__ import annotations

import string

from .. import patterns, registry

# How each severity is named for people, most severe first. `info` is for what a reviewer may
# want to look at and no rule can call wrong: a count five times last year's, a 0 where peers
# report hundreds.
SEVERITIES = {"error": "错误", "warning": "提示", "info": "参考"}

# What each built-in kind needs besides id, kind and severity; a kind other packages register
# is checked for those three only.
PARAMETERS = {
    "sum": ("table", "each", "total", "parts", "message"),
    "domain": (), "blank": (), "parts_present": (), "deadline": (), "dates": (), "identity": (), "lint": (),
    "duplicates": (),
    "in_force": ("table", "rows", "issued", "repealed", "in_force"),
    "carry_over": ("table", "this_year", "last_year"),
    "text_number": ("what", "cell", "patterns"),
    "mentions": ("part", "pattern", "message"),
    "coverage": ("statuses",),
    "fields": ("fields",),
    "copied": ("parts", "share", "min_chars", "message"),
    "shared_narrative": ("parts", "share", "min_chars", "message"),
    "same_tables": ("tables", "message"),
    "stale_year": ("parts", "wordings", "message"),
    "mentions_each": ("part", "items", "message"),
    "substance": ("part", "min_chars", "empty", "message"),
    "fees": ("parts", "none", "amounts", "message"),
    "length": ("part", "max", "message"),
    "in_force_years": ("table", "rows", "issued", "repealed", "in_force", "message"),
    "figures": ("parts", "total", "item", "ends", "exhaustive", "message"),
    "parts_count": ("parts", "pattern", "joined", "message"),
    "wording": ("parts", "wordings", "message"),
    "scale_years": ("cells", "factor", "least", "message"),
    "peer_zero": ("cells", "peers", "least", "message"),
    "restated": ("figures", "other_time", "message"),
    "contact": ("parts", "address", "malformed", "phone", "local", "message"),
    "text_layer": ("layouts", "message"),
    "copies": ("fields", "message"),
    "title": ("pattern", "expected", "message"),
    "period": ("parts", "pattern", "message"),
    "edition": ("message",),
    "maker": ("cells", "bodies", "message"),
}
# The placeholders each kind fills in its message (str.format): a misspelt one would fail
# every report of the edition.
MESSAGE_FIELDS = {
    "copied": ("part", "year", "share"),
    "shared_narrative": ("part", "agency", "year", "share"),
    "same_tables": ("tables", "year", "count"),
    "stale_year": ("part", "what", "prior", "year"),
    "mentions_each": ("part", "name"),
    "substance": ("part", "found", "chars"),
    "fees": ("said",),
    "length": ("part", "chars", "max"),
    "in_force_years": ("row", "year", "before", "issued", "repealed", "expected", "found"),
    "figures": ("part", "total", "unit", "items", "sum"),
    "parts_count": ("part", "count", "what"),
    "wording": ("part", "what", "found", "year"),
    "scale_years": ("where", "found", "year", "before", "change"),
    "peer_zero": ("where", "peers", "median"),
    "restated": ("what", "said"),
    "contact": ("part", "what", "found", "why"),
    "text_layer": (),
    "copies": ("what", "values"),
    "title": ("found", "expected", "year"),
    "period": ("part", "found", "year"),
    "edition": ("edition", "expected", "what", "year"),
    "maker": ("agency", "what", "where", "found"),
}
# A kind's other messages, each used where the rule gives it, and their placeholders.
OPTIONAL_MESSAGES = {"parts_count": {"uncounted": ("part", "listed", "parts")}}
# The record's text fields that files of one report (kind copies) are compared on.
COPIES_FIELDS = ("agency", "signed_by", "date", "published", "contact")
# A mapping in a list a kind reads, and the keys it must have.
ENTRIES = {"items": ("name", "pattern"), "wordings": ("what", "pattern"), "malformed": ("what", "pattern"),
           "bodies": ("what", "pattern")}
# What a kind's `parts` may name besides the narrative parts: the opening paragraph.
TEXT_FIELDS = {kind: ("contact",) for kind in ("stale_year", "figures", "parts_count", "wording", "contact", "period")}


def kinds() -> list[str]:
    """The rule kinds a rule may name: the built-in ones (checks/ runs them), then those other
    packages register (nianbao.rules)."""
    return [*PARAMETERS, *registry.entries("nianbao.rules", {})]


def problems(edition) -> list[str]:
    found = []
    for number, rule in enumerate(edition.rules, 1):
        name = f"规则 {rule.get('id', f'第{number}条')}"
        found += [f"{name}：{problem}" for problem in rule_problems(edition, rule)]
    for number, figure in enumerate(edition.history, 1):
        name = f"历年对比 {figure.get('id', f'第{number}项')}"
        found += [f"{name}：{problem}" for problem in _figure(edition, figure)]
    return found


def rule_problems(edition, rule: dict):
    """The mistakes of one rule, an edition's or a rule pack's, against the edition."""
    missing = [key for key in ("id", "kind", "severity") if key not in rule]
    if missing:
        yield f"缺少 {'、'.join(missing)}"
        return
    known = kinds()
    if rule["kind"] not in known:
        yield f"未知的检查类型 {rule['kind']!r}，可用：{'、'.join(known)}"
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
    if rule["kind"] in ("in_force", "in_force_years"):
        yield from _rows(table, "rows", rule["rows"])
    if rule["kind"] == "carry_over":
        for key in ("this_year", "last_year"):
            if rule[key] not in table.rows:
                yield f"{key} 的 {rule[key]!r} 在{table.name}中没有这一行"
    if rule["kind"] in ("scale_years", "peer_zero", "maker"):
        yield from _cells(edition, rule["cells"])
    if rule["kind"] == "restated":
        numbers = {other.get("id") for other in edition.rules if other.get("kind") == "text_number"}
        yield from (f"figures 中的 {figure!r} 不是本版本的 text_number 规则" for figure in rule["figures"] if figure not in numbers)
    if rule["kind"] == "copies":  # the record's fields each file of a report is compared on, with their names
        unknown = [key for key in rule["fields"] if key not in COPIES_FIELDS] if isinstance(rule["fields"], dict) else None
        if unknown is None or unknown:
            yield f"fields 应为记录字段到其名称的映射，字段可用：{'、'.join(COPIES_FIELDS)}"
    yield from _entries(rule)
    for pattern in _patterns(rule):
        try:  # as the rules run them (patterns.py)
            patterns.compiled(pattern.replace("{year}", "2023").replace("{prior}", "2022").replace("{unit}", "件"))
        except (patterns.error, TypeError) as error:
            yield f"正则表达式 {pattern!r} 有误：{error}"
    if "part" in rule and rule["part"] not in edition.narrative_parts:
        yield f"没有正文部分 {rule['part']!r}"
    texts = [*edition.narrative_parts, *TEXT_FIELDS.get(rule["kind"], ())]
    for part in rule.get("parts", []) if rule["kind"] in MESSAGE_FIELDS else ():  # sum's parts are rows
        if part not in texts:
            yield f"parts 中的 {part!r} 不是正文部分，可用：{'、'.join(texts)}"
    for table_id in rule.get("tables", []):
        if table_id not in edition.tables:
            yield f"tables 中没有表 {table_id!r}，可用：{'、'.join(edition.tables)}"
    if "share" in rule and not (isinstance(rule["share"], (int, float)) and 0 < rule["share"] <= 1):
        yield f"share 应为 0 到 1 之间的比例（如 0.8），实为 {rule['share']!r}"
    for key in ("min_chars", "max"):
        if key in rule and (isinstance(rule[key], bool) or not isinstance(rule[key], int) or rule[key] < 0):
            yield f"{key} 应为非负整数（字数），实为 {rule[key]!r}"
    if rule["kind"] in MESSAGE_FIELDS:
        yield from _message(rule["message"], MESSAGE_FIELDS[rule["kind"]])
    for key, fields in OPTIONAL_MESSAGES.get(rule["kind"], {}).items():
        if key in rule:
            yield from (f"{key}: {problem}" for problem in _message(rule[key], fields))


def _patterns(rule: dict) -> list:
    """Every regular expression of a rule, wherever its kind keeps them."""
    lists = [rule.get(key, []) for key in ("patterns", "zero", "none", "amounts", "empty")]
    keys = ("pattern", "paragraph", "joined", "other_time", "address", "phone", "local",
            *(("total", "item", "ends", "exhaustive") if rule["kind"] == "figures" else ()))
    single = [rule[key] for key in keys if key in rule]  # a sum's `total` is rows
    entries = [entry.get("pattern", "") for key in ENTRIES for entry in rule.get(key, []) if isinstance(entry, dict)]
    return [*(pattern for patterns in lists for pattern in patterns), *single, *entries]


def _entries(rule: dict):
    for key, needed in ENTRIES.items():
        for number, entry in enumerate(rule.get(key, []), 1):
            missing = [field for field in needed if not isinstance(entry, dict) or field not in entry]
            if missing:
                yield f"{key} 第{number}项缺少 {'、'.join(missing)}"


def _message(message, fields: tuple[str, ...]):
    try:
        named = [name for _, name, _, _ in string.Formatter().parse(str(message)) if name is not None]
    except ValueError as error:
        yield f"message {message!r} 有误：{error}（字面的花括号应写两遍）"
        return
    for name in named:
        if name not in fields:
            yield f"message 中的 {{{name}}} 无法填写，可用：{'、'.join('{' + f + '}' for f in fields)}"


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


def _cells(edition, cells):
    """Each of a rule's `cells`, [table, row, column], a cell of the edition."""
    for cell in cells:
        if not (isinstance(cell, list) and len(cell) == 3):
            yield f"cells 中的 {cell!r} 应为 [表, 行, 列]"
        elif cell[0] not in edition.tables:
            yield f"cells 中没有表 {cell[0]!r}，可用：{'、'.join(edition.tables)}"
        elif (cell[1], cell[2]) not in set(edition.tables[cell[0]].cells()):
            yield f"cells 中的 {cell[1]!r} 行 {cell[2]!r} 列不是{edition.tables[cell[0]].name}的单元格"


def _rows(table, key: str, prefixes: list[str]):
    for prefix in prefixes:
        if not table.select_rows([prefix]):
            yield f"{key} 中的 {prefix!r} 在{table.name}中没有对应的行"
