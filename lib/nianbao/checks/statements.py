"""What a report says of itself that an evaluator reads as careless: one figure stated twice
with two values, a contact line whose web address or phone number cannot be right as written,
and a report published as pictures of its pages, which no screen reader or search can read.
"""
from __future__ import annotations

import re

from .. import patterns
from ..record import Record
from .evaluation import part_name, years
from .findings import Context, finding, number, same
from .text import flatten, narrative_texts, sentence, statements

# ---- one figure, two values ------------------------------------------------------------------

def check_restated(record: Record, rule: dict, context: Context):
    """Each figure the text_number rules of `figures` (their ids) read, stated in the narrative
    with two values or more (`收到政府信息公开申请70件` in part 一, `受理申请72件` further on).
    Statements whose clause speaks of another time (`other_time`, with `{year}` and
    `{prior}`: `上年`, `2022年`) are comparisons, not the figure."""
    by_id = {other["id"]: other for other in record.spec.rules}
    other_time = years(rule["other_time"], record.year)
    for figure_id in rule["figures"]:
        figure = by_id.get(figure_id)
        if figure is None:
            continue
        found = []
        for part_id, text in narrative_texts(record):
            for start, end, value in statements(text, figure):
                clause = max(text.rfind(mark, 0, start) for mark in "。；;，,\n") + 1
                if not patterns.search(other_time, text[clause:end]):
                    found.append((part_id, text, start, end, value))
        values = []
        for statement in found:
            if not any(same(statement[4], kept[4]) for kept in values):
                values.append(statement)
        if len(values) < 2:
            continue
        said = "；".join(f"{part_name(record, part_id)}“{text[start:end]}”为 {number(value)}"
                        for part_id, text, start, end, value in values)
        (part_id, text, start, end, first), (_, other_text, other_start, other_end, _) = values[:2]
        yield finding(rule, rule["message"].format(what=figure["what"], said=said),
                      part=part_id, excerpt=f"{sentence(text, start, end)} …… {sentence(other_text, other_start, other_end)}",
                      expected=f"前后一致（{number(first)}）", found="、".join(number(v[4]) for v in values))


# ---- the contact line as written ---------------------------------------------------------------

def check_contact(record: Record, rule: dict, context: Context):
    """The web addresses and phone numbers in each of `parts` as written (the lead, where the
    contact paragraph stands, and the parts that may give it). An address (`address`) is
    malformed where one of `malformed` matches it (`http//`, a full-width `。` for a dot, a
    host with no dot). A phone number with its area code (`phone`: groups `area`, `number`)
    must have the digits China's fixed lines have: 010 and 02X, then 8 digits; a 4-digit
    area code, then 7 or 8; a fixed-line number right after its label (`local`) lacks its
    area code. Brackets left open are 文字.规范's (it reads the lead too)."""
    for part_id in rule["parts"]:
        text = flatten(record.contact if part_id == "contact" else record.parts.get(part_id, ""))
        where = part_name(record, part_id)
        for match in patterns.finditer(rule["address"], text):
            wrong = next((said for said in rule["malformed"] if patterns.search(said["pattern"], match.group())), None)
            if wrong:
                yield finding(rule, rule["message"].format(part=where, what="网址", found=match.group(), why=wrong["what"]),
                              part=part_id, excerpt=sentence(text, match.start(), match.end()),
                              expected="有效的网址", found=match.group())
        for match in patterns.finditer(rule["phone"], text):
            why = _phone(match.group("area"), match.group("number"))
            if why:
                yield finding(rule, rule["message"].format(part=where, what="电话", found=match.group(), why=why),
                              part=part_id, excerpt=sentence(text, match.start(), match.end()),
                              expected="区号之后 7 至 8 位号码", found=match.group())
        for match in patterns.finditer(rule["local"], text):
            yield finding(rule, rule["message"].format(part=where, what="电话", found=match.group("number"),
                                                       why="没有区号，外地读者无法拨打"),
                          part=part_id, excerpt=sentence(text, match.start(), match.end()),
                          expected="带区号的号码", found=match.group("number"))


def _phone(area: str, rest: str) -> str:
    """Why an area code and what follows cannot be a Chinese fixed-line number; "" if it can be."""
    digits = len(re.sub(r"\D", "", rest))
    if len(area) == 3 and not re.fullmatch(r"010|02\d", area):
        return f"3 位区号只有 010 和 02X，“{area}”不是区号"
    wanted = (8,) if len(area) == 3 else (7, 8)
    if digits not in wanted:
        return f"区号 {area} 之后应为 {'或'.join(map(str, wanted))} 位号码，实为 {digits} 位"
    return ""


# ---- a report published as pictures ------------------------------------------------------------

def check_text_layer(record: Record, rule: dict, context: Context):
    """A published file read as pictures (how it was read: `layouts`, the importer's `scan`): a
    PDF of scanned pages, or images, with no text layer for a screen reader, a search or a copy."""
    if context.layout in rule["layouts"]:
        yield finding(rule, rule["message"], part="published", expected="有文字层的文件", found="图片版（经文字识别读取）")
