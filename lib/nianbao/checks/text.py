"""Checks on the words: numbers stated against the tables, required mentions, text lint.

Narrative reaches us from Word documents, web pages and `pdftotext -layout`, so before any
pattern runs the text is flattened: line breaks and spaces inside a paragraph are dropped
(`申请 17\n件` → `申请17件`) except between two Latin letters or digits, paragraphs become
one line each, and full-width digits become ASCII. Excerpts are cut from the flattened text.
"""
from __future__ import annotations

import re

from .. import patterns
from ..record import Record
from .findings import Context, finding, number, same

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_INNER_SPACE = re.compile(r"(?<![0-9A-Za-z])\s+|\s+(?![0-9A-Za-z])")
_SENTENCE_END = "。；;！!？?\n"


def flatten(text: str) -> str:
    paragraphs = _PARAGRAPH_BREAK.split((text or "").translate(_FULL_WIDTH_DIGITS))
    return "\n".join(flat for flat in (_INNER_SPACE.sub("", p) for p in paragraphs) if flat)


def sentence(text: str, start: int, end: int, room: int = 50) -> str:
    """The sentence holding text[start:end], cut (marked `…`) to `room` characters either side."""
    left = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
    ends = [i + 1 for i in (text.find(mark, end) for mark in _SENTENCE_END) if i >= 0]
    right = min(ends, default=len(text))
    low, high = max(left, start - room), min(right, end + room)
    return ("…" if low > left else "") + text[low:high].strip() + ("…" if high < right else "")


def narrative_texts(record: Record):
    """(part id, flattened text) for every narrative part of the record's edition, and the lead
    of a table part that has one."""
    for part in record.spec.parts:
        if part.narrative or part.id in record.parts:
            yield part.id, flatten(record.parts.get(part.id, ""))


def check_text_number(record: Record, rule: dict, context: Context):
    """A number the narrative states for a table value (or says is zero) must be that value.

    `cell` is [table, row or list of rows, column or list of columns]: the cells to add up;
    `patterns` capture the number in group 1; a match of a `zero` pattern states 0. Patterns
    run per line, so `$` ends a paragraph.
    """
    table_id, rows, columns = rule["cell"]
    rows = [rows] if isinstance(rows, str) else list(rows)
    columns = [columns] if isinstance(columns, str) else list(columns)
    values = [record.value(table_id, row, column) for row in rows for column in columns]
    if None in values:
        return
    actual = sum(values)
    for part_id, text in narrative_texts(record):
        for start, end, stated in statements(text, rule):
            if not same(stated, actual):
                yield finding(rule, f"正文所述{rule['what']}为 {number(stated)}，"
                                    f"与{record.spec.tables[table_id].name}的 {number(actual)} 不符",
                              table=table_id, row=rows[0], column=columns[0], part=part_id,
                              excerpt=sentence(text, start, end),
                              expected=number(actual), found=number(stated))


def statements(text: str, rule: dict):
    """(start, end, number) of every statement of the value, once per place in the text."""
    stated = {}
    for pattern in rule["patterns"]:
        for match in patterns.finditer(pattern, text, patterns.MULTILINE):
            stated.setdefault(match.start(1), (match.start(), match.end(), float(match.group(1))))
    for pattern in rule.get("zero", []):
        for match in patterns.finditer(pattern, text, patterns.MULTILINE):
            stated.setdefault(match.start(), (match.start(), match.end(), 0))
    return [stated[key] for key in sorted(stated)]


def check_mentions(record: Record, rule: dict, context: Context):
    """A narrative part must speak of something (2021: part 六 of the 信息处理费)."""
    if not patterns.search(rule["pattern"], flatten(record.parts.get(rule["part"], ""))):
        yield finding(rule, rule["message"], part=rule["part"], expected=rule["pattern"], found="未提及")


# ---- lint -------------------------------------------------------------------------------

_INCOMPLETE_DATE = re.compile(r"(?<!\d)\d{4}年\d{1,2}月\d{1,2}(?![\d日号\-—–~～至到])")
# A count closing a clause right after a word, with no unit: `主动公开政府信息12。`.
# Numbers after 年/月/日/第/号 (dates, ordinals) and numbers followed by a unit never match.
_UNITLESS = re.compile(r"(?<=[\u4e00-\u9fff])(?<![年月日第号])\d+(?:\.\d+)?(?=[。，,；;！!？?]|$)", re.MULTILINE)
# Word-processor conversions of simplified text (a traditional-to-simplified round trip).
_ARTEFACTS = [
    (re.compile("效劳"), "服务"),
    (re.compile("原那么"), "原则"),
    (re.compile(r"\?[\u4e00-\u9fff0-9A-Za-z（）()、·—-]{2,40}\?"), "《…》"),
    (re.compile(r"〔[一二三四五六七八九十]+〕"), "（一）"),
]
# Half-width parentheses are counted with the full-width ones, since copies mix the widths.
PAIRS = [("“", "”"), ("《", "》"), ("（(", "）)")]
# A sentence that sets its time as the report year (`2022年，…` / `2022年我…`) and then states
# a plan. `将` marks the future only before an adverb or a verb (`将进一步`, seed 000's
# `将增强`): `将X纳入Y` (disposal) is ordinary in retrospective text, and so is a verb phrase
# put somewhere (`将强化监督作为重点`), hence no 纳入/列入/作为… later in the clause.
_PLAN = re.compile(r"将(?:进一步|继续|持续|着力|加强|增强|不断|切实|全面|深入|积极|坚持|重点|努力|大力|围绕"
                   r"|按照|采取|建立|健全|完善|拓展|丰富|深化|提升|强化|加大|做好|抓好)"
                   r"(?![^，,。；;]*(?:纳入|列入|作为|列为|当作|视为))"
                   r"|下一步|明年|来年|新的一年|计划(?:于|在|将)")


def check_lint(record: Record, rule: dict, context: Context):
    """Text lint over the narrative parts, the contact line and the signature date."""
    texts = [*narrative_texts(record), ("contact", flatten(record.contact)), ("date", flatten(record.date))]
    for part_id, text in texts:
        problems = [*_incomplete_dates(text), *_unitless(text), *_artefacts(text), *_unbalanced(text)]
        if part_id in rule.get("plan_parts", ()):
            problems += _plans(text, record.year)
        for start, end, message, expected, found in problems:
            yield finding(rule, message, part=part_id, excerpt=sentence(text, start, end),
                          expected=expected, found=found)


def _incomplete_dates(text):
    for match in _INCOMPLETE_DATE.finditer(text):
        yield (match.start(), match.end(), f"日期“{match.group()}”不完整，缺少“日”",
               match.group() + "日", match.group())


def _unitless(text):
    for match in _UNITLESS.finditer(text):
        yield (match.start(), match.end(), f"数字“{match.group()}”后缺少单位（如“件”“条”）",
               f"“{match.group()}”后带单位", match.group())


def _artefacts(text):
    """One problem per artefact, at its first place, with how often it occurs."""
    for pattern, meant in _ARTEFACTS:
        matches = list(pattern.finditer(text))
        if matches:
            first = matches[0]
            yield (first.start(), first.end(),
                   f"疑似格式转换错误“{first.group()}”（共 {len(matches)} 处），应为“{meant}”",
                   meant, first.group())


def _unbalanced(text):
    """Paired punctuation that does not pair up, at the first mark left without its partner."""
    for opens, closes in PAIRS:
        stack, stray = [], []
        for i, char in enumerate(text):
            if char in opens:
                stack.append(i)
            elif char in closes:
                if stack:
                    stack.pop()
                else:
                    stray.append(i)
        if stack or stray:
            place = min(stack[:1] + stray[:1])
            pair = f"{opens[0]}…{closes[0]}"
            counts = (f"{opens[0]} {sum(text.count(c) for c in opens)} 个，"
                      f"{closes[0]} {sum(text.count(c) for c in closes)} 个")
            yield (place, place + 1, f"成对标点 {pair} 不配对：{counts}", f"{pair} 成对", counts)


def _plans(text: str, year: int):
    """A plan for the next year dated in the report year: `2022年,…将增强…` where 2023 is meant."""
    topic = re.compile(rf"(?<!\d){year}年(?:度)?(?:[,，]|我)")
    for match in re.finditer(rf"[^{_SENTENCE_END}]+", text):
        clause = match.group()
        when = topic.search(clause)
        if when and _PLAN.search(clause, when.end()) and f"{year + 1}年" not in clause:
            start = match.start() + when.start()
            yield (start, start + len(f"{year}年"),
                   f"下一年度的计划写的是报告年度 {year} 年，应为 {year + 1} 年",
                   f"{year + 1}年", f"{year}年")
