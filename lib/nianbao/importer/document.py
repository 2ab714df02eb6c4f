"""What a published report's text says of itself: title, agency and year, dates, the lead,
the signature block, and its paragraphs (its parts are found by importer.outline)."""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from .. import dates
from ..labels import fold
from .sources import row_line

_CJK = r"[\u4e00-\u9fff（）()]"
_REPORT = r"(?:政府信息(?:与政务)?公开|政务公开)工作(?:年度)?(?:报告|年报)"
_TITLES = (
    # after the name and year, `信息公开工作年度报告` too (`下湿壕镇政府2022年信息公开工作年度报告`);
    # not after the year alone, where `2012年政府信息公开…` would make 政府 a name
    re.compile(rf"(?P<agency>{_CJK}{{2,40}}?)\s*(?P<year>(?:19|20)\d\d)\s*年度?\s*"
               r"(?:政府信息(?:与政务)?公开|政务公开|信息公开)工作(?:年度)?(?:报告|年报)"),
    # the title broken after the name: `2019年西街街道` / `政府信息公开工作年度报告`
    re.compile(rf"(?P<year>(?:19|20)\d\d)\s*年度?\s*(?P<agency>{_CJK}{{2,40}}?)\s*{_REPORT}"),
)
# A report whose title the copy lost still says what it is in its first lines:
# `本报告由南平市人民政府…根据《…条例》…编制`, `本年度报告根据《中华人民共和国政府信息公开条例》…`.
_SELF = re.compile(r"本(?:年度)?报告[^。\n]{0,30}?(?:政府信息公开|《条例》)")
# The companion genre (editions/work-summary.yaml): `…2022年政务公开工作总结和2023年工作思路`.
_SUMMARY = re.compile(rf"(?P<agency>{_CJK}{{2,40}}?)\s*(?P<year>(?:19|20)\d\d)\s*年度?\s*"
                      r"(?:政府信息(?:与政务)?公开|政务公开)工作总结")
SUMMARY = "work-summary"  # the edition of a work summary
_SUMMARY_WORDS = re.compile(r"(?:政府信息(?:与政务)?公开|政务公开)工作总结")  # one without agency or year (seed 002)
_PUBLISHED = re.compile(r"(?P<label>发布日期|发布时间|公开日期|生成日期)\s*[:：|]?\s*"
                        r"(?P<date>\d{4}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日?)")
# A crawled page's own title line, before its body: `标题: 平潭综合实验区公安局2021年…年度报告`.
# Spaces but not line breaks around its words: `^\s*` ran on over every blank line after each
# line start, 33,000 empty paragraphs of a Word file took 9 s and 175,000 took 185 s.
_TITLE_LINE = re.compile(r"^[^\S\n]*(?:标题|题名|文章标题)[^\S\n]*[:：][^\S\n]*(.+)$", re.M)
# The unit that filled in a legacy 统计表, in its header: `填报单位(盖章):商丘市机关事务服务中心`.
_FILLED_BY = re.compile(rf"填报单位\s*(?:\(\s*盖章\s*\))?\s*[:：]\s*({_CJK}{{2,40}})")
_WRITTEN = re.compile(r"(?P<label>成文日期|填报日期)\s*[:：|]?\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日?)")
_DATE_LINE = re.compile(r"^\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?)\s*$")
_PAGE_NUMBER = re.compile(r"^\s*[-—–]\s*\d+\s*[-—–]\s*$|^\s*第\s*\d+\s*页.*$")
_NOISE = re.compile(r"^[\s|｜]*$|^\s*(?:【[^】]{1,8}】\s*)+[\s|]*$")
_AGENCY_LINE = re.compile(rf"^\s*{_CJK}{{4,40}}\s*$")
NUMERALS = "一二三四五六七八九十"
# The statistics period's year: `统计期限自2021年1月1日`, `统计时限为2021年…`, `统计期限从2021年…`.
_PERIOD = re.compile(r"统计(?:期限|时限|限)[^\d。\n]{0,6}?((?:19|20)\d\d)\s*年")


def clean(text: str) -> str:
    """The text without page numbers, form feeds, page furniture and table-border rules, and
    its Markdown table rows, and a scraped page's rows of cells joined by `|`, laid out as the
    other readers lay out a table row: a "PDF to Markdown" conversion is often saved as .txt,
    and a number between `|`s reads as a row of its own (huaian-2024 so converted: 0 of 190
    cells, and the legacy table; a page's `规章 | 0 | 0 | 0 |`: its rows not read)."""
    lines = []
    for line in text.replace("\f", "\n").replace("\r", "").splitlines():
        if _PAGE_NUMBER.match(line) or _NOISE.match(line):
            lines.append("")
            continue
        row = line.strip()
        if row[:1] == row[-1:] == "|" and row.count("|") >= 3:  # two cells at least: `| 一、… | 12 |`
            lines.append(row_line(row[1:-1].split("|")))  # the rule under a header gives ""
            continue
        if row.count("|") >= 2 and row[:1] != "|":  # a page's cells joined by `|`: `规章 | 0 | 0 | 0 |`
            lines.append(row_line(row.removesuffix("|").split("|")))
            continue
        end = line.rstrip()  # a table border at the end of the line, found without a regex: `\s*\|+\s*$`
        lines.append(end.rstrip("|").rstrip() if end.endswith("|") else line)  # took 30 s on 100 kB of spaces
    return "\n".join(lines)


@functools.lru_cache(maxsize=4)  # the headings of every edition are looked for in the same text
def normalised(text: str) -> str:
    """The text with each character in its NFKC form where that is one character, so that a
    search on it gives offsets into the text as published."""
    one = {}  # each distinct character once: a megabyte took 0.5 s a character at a time
    for char in set(text):
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            one[ord(char)] = folded
    return text.translate(one)


@dataclass(frozen=True)
class Meta:
    agency: str = ""
    year: int | None = None
    date: str = ""       # 成文日期 as written
    published: str = ""  # 发布日期
    signed_by: str = ""
    edition: str = ""    # SUMMARY when the title is a work summary's; else the tables tell
    # the title as the document states it, spaces and line breaks taken out; empty where it is
    # only quoted in a sentence (`现将…2021年度政府信息公开工作报告如下`), which is no title
    title: str = ""
    origins: dict[str, str] = field(default_factory=dict)  # field → where the document states it


def meta(text: str, titles: tuple[tuple[str, str], ...] = ()) -> Meta:
    """Title, year and dates, each with where it was found.

    The title gives agency and year. It is taken where the document states it, most explicit
    first: a crawled page's `标题:` line, then the titles the file itself carries (`titles`: a
    page's `<title>`, a Word file's or a PDF's title property, each with where it is), then the
    first title in the text (a heading or the first lines). The signature block at the end gives
    the 成文日期 and the signing agency, or else a 统计表's `填报单位` the agency; a page's header
    gives the publication date.
    """
    plain = normalised(text)
    origins: dict[str, str] = {}
    line = _TITLE_LINE.search(plain)
    stated = [(line.group(1), "标题行“标题:”")] if line else []
    agency, year, edition, title = "", None, "", ""
    for candidate, where in [*stated, *((normalised(t), w) for t, w in titles), (plain, "正文标题")]:
        found = _title(candidate)
        if found:
            agency, year, edition, heading, title = found
            if where == "正文标题" and not heading:
                title = ""  # quoted in a sentence: no title
            elif where != "正文标题" and not stated:
                # a file's title property or `<title>`: the heading printed in the text, where
                # there is one, is the title its readers see
                printed = _title(plain)
                title = printed[4] if printed and printed[3] else title
            origins["agency"] = origins["year"] = where
            period = _PERIOD.search(plain)
            if where == "正文标题" and not heading and period and int(period.group(1)) != year:
                # a title quoted in a sentence (`编制了《田黄镇2020年…年度报告》`, a lead copied from
                # last year) against the statistics period: the period tells the year
                origins["year"] = f"统计期限（正文所引标题为{year}年）"
                year = int(period.group(1))
            break
    else:
        edition = SUMMARY if _SUMMARY_WORDS.search(plain) else ""
    if agency:
        # A title may leave out the city (`洪泽区人民政府`) that the text names in full
        # (`淮安市洪泽区人民政府办公室`): the full name tells agencies apart across years.
        fuller = re.search(rf"([\u4e00-\u9fff]{{2}}[省市州盟]){re.escape(agency)}", plain)
        if fuller and not agency.startswith(fuller.group(1)):
            agency = fuller.group(1) + agency
    date, signed_by = "", ""
    for line in signature(text):
        if _DATE_LINE.match(normalised(line)):
            date = date or _DATE_LINE.match(normalised(line)).group(1).replace(" ", "")
        else:
            signed_by = signed_by or line.strip()
    if date:
        origins["date"] = "落款"
    filled_by = _FILLED_BY.search(plain)
    if not signed_by and filled_by:
        signed_by = filled_by.group(1)
    written = _WRITTEN.search(plain)
    if not date and written:
        date = dates.as_written(written.group(2))
        origins["date"] = f"“{written.group('label')}”行"
    published = _PUBLISHED.search(plain)
    if published:
        origins["published"] = f"“{published.group('label')}”行"
    return Meta(agency=agency, year=year, date=date, edition=edition, title=title,
                published=dates.as_written(published.group("date")) if published else "",
                signed_by=signed_by if signed_by and fold(signed_by) != fold(agency) else "",
                origins=origins)


def _title(text: str) -> tuple[str, int, str, bool, str] | None:
    """The agency, year and genre (SUMMARY or "") of the first title in a text, an annual
    report's or a work summary's, whether it stands as a heading (it opens its line), and the
    title as written, without its spaces and line breaks. A
    heading among a pattern's first few matches goes before a title quoted in a sentence (a
    crawler's or a converter's header naming the file). A title may say `关于`
    (`…公安局关于2021年政府信息公开工作年度报告`); a name holding it elsewhere is a notice the
    text cites (`国务院办公厅关于做好…`), not the title."""
    def heads(match) -> bool:
        return not text[text.rfind("\n", 0, match.start()) + 1:match.start()].strip()

    firsts = []
    for pattern in (*_TITLES, _SUMMARY):
        # a few matches of each only: looking through the whole text cost 0.3 s a megabyte
        found = [m for m in itertools.islice(pattern.finditer(text), 5)
                 if "关于" not in m.group("agency").removesuffix("关于")]
        firsts += [m for m in found if heads(m)][:1] or found[:1]
    if not firsts:
        return None
    first = min(firsts, key=lambda m: (not heads(m), m.start()))  # the title, not a notice the text cites
    return (first.group("agency").strip().removesuffix("关于"), int(first.group("year")),
            SUMMARY if first.re is _SUMMARY else "", heads(first), re.sub(r"\s+", "", first.group()))


def describes_itself(text: str) -> bool:
    """Whether the text's first lines say it is a report on open government information."""
    return bool(_SELF.search(normalised(text[:2000])))


def any_year(text: str) -> int | None:
    """The report year when no title gives it: the year of the statistics period, else the
    first year the text names."""
    plain = normalised(text)
    match = _PERIOD.search(plain) or re.search(r"((?:19|20)\d\d)\s*年", plain)
    return int(match.group(1)) if match else None


# A line of the lead is prose: it ends a sentence somewhere, or announces what follows (`如下:`).
_PROSE = re.compile(r"[。]|[:：]\s*$")
_NUMBERED_HEADING = re.compile(rf"^\s*[{NUMERALS}]\s*[、.．]")


def lead(text: str, kind: str, limit: int) -> str:
    """The opening paragraphs before part 一 (text: the preamble): what the report says of itself
    (`本报告由…编制`, the statistics period, whom to ask), one a line, without the title, page
    furniture or a crawler's header (lines that end no sentence). A title that opens the line of
    the lead (a page flattened to one line) is left out too. When the lead runs past `limit`
    characters (a field's bound), only the sentence telling whom to ask is kept."""
    lines = []
    for line in paragraphs(text, kind):
        if _NUMBERED_HEADING.match(line):
            break
        opening = _TITLES[0].match(line) or _TITLES[1].match(line)
        if opening:
            line = line[opening.end():].strip()
        if _PROSE.search(line) and len(line) > 10:
            lines.append(re.sub(r"\s+", "", line))
    found = "\n".join(lines)
    return found if 0 < len(found) <= limit else contact(text)


def contact(text: str) -> str:
    """The sentence telling readers whom to ask (`如对本报告有疑问，请与…联系（电话…）。`)."""
    for sentence in re.findall(r"[^。]+。?", re.sub(r"\s+", "", text)):  # a sentence at a time: linear
        if "联系" in sentence and re.search("疑问|电话|地址|邮箱|邮编", sentence):  # not a page's 联系我们 link
            return sentence
    return ""


def signature(text: str) -> list[str]:
    """The lines of the signature block ending a text: the signing agency and the date, each
    on a line of its own (either may be missing)."""
    lines = text.rstrip().splitlines()
    block: list[str] = []
    while lines and len(block) < 2:
        line = normalised(lines[-1])
        if not line.strip():
            lines.pop()
        elif _DATE_LINE.match(line) or (_AGENCY_LINE.match(line) and not re.search("报告|事项|情况", line)):
            block.insert(0, lines.pop())
        else:
            break
    return block


def without_signature(text: str) -> str:
    """A part's text with the signature block at its end taken off."""
    block = signature(text)
    lines = text.rstrip().splitlines()
    while block and lines:
        if lines.pop().strip():
            block.pop()
    return "\n".join(lines)


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")
_LIST_START = re.compile(r"^(\d+)([.)]\s)|^([-+=>])")  # a list item, rule, underline or quote


def paragraphs(text: str, kind: str) -> list[str]:
    """A text's paragraphs. `pdftotext -layout` wraps lines inside a paragraph and indents the
    first: its lines are joined up to the next indented line. Elsewhere each line is one."""
    found: list[list[str]] = []  # each paragraph's lines, joined once: adding a line at a time is quadratic
    for line in text.splitlines():
        if not line.strip():
            if kind != "layout":
                found.append([])
            continue
        starts = kind != "layout" or re.match(r"^(\s{2,}|\u3000)", line) or not found
        if starts or not found[-1]:
            found.append([line.strip()])
        else:
            found[-1].append(line.strip())
    return [paragraph for paragraph in map("".join, found) if paragraph]


def markdown(text: str, kind: str) -> str:
    """A part's text as Markdown paragraphs (`paragraphs`), every character taken literally:
    characters that Markdown would read as markup are escaped, so published text never
    becomes markup."""
    out = []
    for paragraph in paragraphs(text, kind):
        escaped = _MARKDOWN.sub(r"\\\1", paragraph)
        out.append(_LIST_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped))
    return "\n\n".join(out)
