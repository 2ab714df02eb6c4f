"""What the words say of themselves: figures that must add up among themselves, the count of
parts the lead gives, wordings a report of its year must not use.

These are the faults evaluators cite that no table shows: `全年主动公开政务信息382条，包括政府
网站35条，…微信公众号2443条`; `本报告由…等六部分组成` listing five; a 2021 report written
`依据国办公开办函〔2019〕60号`. The text is flattened first (checks.text.flatten).
"""
from __future__ import annotations

import re

from .. import patterns
from ..record import Record
from .evaluation import part_name, years
from .findings import Context, finding
from .text import flatten, sentence

_NUMERALS = {**{char: value for value, char in enumerate("一二三四五六七八九十", 1)}, "两": 2}


def _text(record: Record, part_id: str) -> str:
    return flatten(record.contact if part_id == "contact" else record.parts.get(part_id, ""))


def check_figures(record: Record, rule: dict, context: Context):
    """A total the narrative breaks down (`total`: groups `total` and `unit`, then `其中`,
    `包括`…) against its items, the numbers of the same unit up to where the list `ends`
    (`item`: the pattern of one, `{unit}` its unit): more than the total is a fault, and less
    when the list names the rest (`exhaustive`: `其他…`), so that `其中` naming a few is not.
    A list of one item says nothing."""
    for part_id in rule["parts"]:
        text = _text(record, part_id)
        for match in patterns.finditer(rule["total"], text):
            total, unit = int(match.group("total")), match.group("unit")
            rest = text[match.end():]
            end = patterns.search(rule["ends"], rest)
            listed = rest[:end.start() if end else len(rest)]
            items = [int(item.group(1)) for item in
                     patterns.finditer(rule["item"].replace("{unit}", re.escape(unit)), listed)]
            whole = patterns.search(rule["exhaustive"], listed) is not None
            if len(items) < 2 or sum(items) == total or (sum(items) < total and not whole):
                continue
            added = "+".join(map(str, items))
            yield finding(rule, rule["message"].format(part=part_name(record, part_id), total=total, unit=unit,
                                                       items=added, sum=sum(items)),
                          part=part_id, excerpt=sentence(text, match.start(), match.end() + len(listed)),
                          expected=f"{total}{unit}", found=f"{added}={sum(items)}{unit}")


def check_parts_count(record: Record, rule: dict, context: Context):
    """The lead's own count of the report's parts, in each of `parts` (`pattern`: groups `list` and `count`,
    `本报告由总体情况、…等六个部分组成`) against the parts it lists, and against the parts the
    report has (fewer than it has is a fault; more is a missing part, which parts_present says).
    Items are split at `、`, `，` and the quotes around each (`“总体情况”“主动公开…”`), after
    `joined` (the phrases whose `、` joins no two parts: `行政复议、行政诉讼`) is made one.
    A list with no count (`由概述、…等部分组成`) is held to the edition's parts where the rule
    gives `uncounted`, its message: fewer is a lead describing another format's report."""
    for part_id in rule["parts"]:
        yield from _parts_count(record, rule, part_id)


def _parts_count(record: Record, rule: dict, part_id: str):
    text = _text(record, part_id)
    match = patterns.search(rule["pattern"], text)
    if match is None or (match.group("count") is None and "uncounted" not in rule):
        return
    listed = match.group("list")
    for joined in reversed(patterns.finditer(rule["joined"], listed)):
        listed = listed[:joined.start()] + "及" + listed[joined.end():]
    items = [item for item in re.split(r"[、，,]|”“|(?:和|及)(?=其他)", listed.strip("“”：: ")) if item.strip("“” ")]
    where = dict(part=part_id, excerpt=sentence(text, match.start(), match.end()))
    if match.group("count") is None:
        # No count to hold the list to: the format's parts are what it should list.
        whole = len(record.spec.parts)
        if 2 <= len(items) < whole:
            yield finding(rule, rule["uncounted"].format(part=part_name(record, part_id), listed=len(items),
                                                         parts=whole),
                          **where, expected=f"列出 {whole} 个部分", found=f"列出 {len(items)} 个")
        return
    count = _number(match.group("count"))
    has = sum(1 for part in record.spec.parts if _has(record, part))
    if len(items) >= 2 and len(items) != count:
        yield finding(rule, rule["message"].format(part=part_name(record, part_id), count=count,
                                                   what=f"只列出 {len(items)} 个"),
                      **where, expected=f"列出 {count} 个部分", found=f"列出 {len(items)} 个")
    elif count < has:
        yield finding(rule, rule["message"].format(part=part_name(record, part_id), count=count,
                                                   what=f"报告实有 {has} 个"),
                      **where, expected=f"{has} 个部分", found=f"{count} 个部分")


def _number(written: str) -> int:
    if written.isdigit():
        return int(written)
    if written.startswith("十"):  # 十, 十一…
        return 10 + _NUMERALS.get(written[1:], 0)
    return _NUMERALS.get(written[0], 0) * (10 if written[1:2] == "十" else 1) + _NUMERALS.get(written[2:3], 0)


def _has(record: Record, part) -> bool:
    if part.table:
        return any(value is not None for row in record.tables.get(part.table, {}).values() for value in row.values())
    return bool(record.parts.get(part.id, "").strip())


def check_wording(record: Record, rule: dict, context: Context):
    """A wording the report must not use (each of `wordings`: a pattern, with `{year}` and
    `{prior}`, and what it is), at its first place in each of `parts`."""
    for part_id in rule["parts"]:
        text = _text(record, part_id)
        for said in rule["wordings"]:
            match = patterns.search(years(said["pattern"], record.year), text)
            if match:
                yield finding(rule, rule["message"].format(part=part_name(record, part_id), what=said["what"],
                                                           found=match.group(), year=record.year),
                              part=part_id, excerpt=sentence(text, match.start(), match.end()),
                              expected=f"不引用{said['what']}", found=match.group())
