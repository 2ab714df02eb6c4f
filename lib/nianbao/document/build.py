"""The report's sections, made from its record: every sentence of the document and every decision
of its layout, written once for the three drawings (pages/html, typeset, word).

The template's fragments (report.Report) call these: `heading` (title and lead), `part` (a
part's title, then its narrative or its official table), `signature`, `coverage` (a
government's appendix) and `history` (the appendix comparing the agency's years).
"""
from __future__ import annotations

import itertools
import re
import unicodedata

from markdown_it import MarkdownIt

from ..consolidation import Coverage
from ..record import Record
from . import (
    Cell,
    Chart,
    Heading,
    Lead,
    ListBlock,
    Paragraph,
    Run,
    Section,
    Series,
    Signature,
    SignatureLine,
    Table,
    TableBlock,
    Title,
    grid,
)

# A 2号 title line in the 156 mm 版心 holds 20 characters; two are kept spare for Latin digits,
# which are wider than half a character in some faces (LibreOffice's stand-ins among them).
TITLE_CHARACTERS = 18
MISSING = "（本部分未填写）"
# GB/T 9704's unsealed signature: the agency two characters from the right margin, the date
# under it, beginning two characters further right.
SIGNATURE_RIGHT, DATE_INSET = 2.0, 2.0

# A narrative is prose: raw HTML, links and images stay the literal text they are, and nothing
# is code. A paragraph indented by four spaces or a tab (as many people indent one, in YAML and
# in the workbook's 正文 cells) or between ``` lines is a paragraph with its words: Markdown's
# code blocks and `code` spans are off.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "link", "autolink", "code", "fence", "backticks"])


# A narrative's second-level heading as offices write it, numbered （一） to （十九）: alone as a
# paragraph (（一）基本情况), or run in, its paragraph's first sentence (（一）主动公开。全年…).
# Either is set as the official form sets them, in 楷体; a longer first sentence is prose.
SUBHEADING = re.compile(r"[（(][一二三四五六七八九十]{1,3}[）)][^。！？\n]{1,30}?(?:[。！？]|(?=[ \u3000])|$)")


def text_width(text: str) -> float:
    """Width in characters of the report's Chinese face: Latin letters and digits are half as wide."""
    return sum(1 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


def sections(record: Record, covered: Coverage | None = None, earlier: list[Record] = ()) -> list[Section]:
    """The report's sections in the template notebook's order, for a record read outside a
    notebook (an imported report's audit page)."""
    return [heading(record), *(part(record, p.id) for p in record.spec.parts), signature(record),
            coverage(record, covered), history(record, list(earlier))]


# ---- Title, parts, signature ----

def heading(record: Record) -> Section:
    words = record.spec.title_words(record.agency, record.year)
    blocks = [Title(words, title_lines(words))]
    if record.contact:
        blocks.append(Lead(record.contact))
    return Section("heading", blocks)


def title_lines(words: list[str]) -> list[str]:
    """The title in as few centred lines as it fits, the most even of them, broken only where
    its words meet (GB/T 9704: each line a whole phrase)."""
    for count in range(1, len(words) + 1):
        splits = [["".join(words[a:b]) for a, b in itertools.pairwise((0, *cuts, len(words)))]
                  for cuts in itertools.combinations(range(1, len(words)), count - 1)]
        fitting = [lines for lines in splits if max(map(text_width, lines)) <= TITLE_CHARACTERS]
        if fitting:
            return min(fitting, key=lambda lines: max(map(text_width, lines)))
    return list(words)  # an agency's name longer than a line: it breaks inside


def part(record: Record, part_id: str) -> Section:
    """A part's title, then its official table or its narrative (or the mark of a part left empty)."""
    spec = next((p for p in record.spec.parts if p.id == part_id), None)
    if spec is None:  # a notebook made for another edition
        raise KeyError(f"{record.spec.name}没有“{part_id}”部分（有：{'、'.join(p.id for p in record.spec.parts)}）："
                       f"这份记录应使用模板笔记本 notebooks/{record.spec.notebook}")
    title = record.spec.part_title(spec, record.year)
    blocks: list = [Heading([title])] if title else []
    text = record.parts.get(part_id, "")
    if spec.table:
        table = record.spec.tables[spec.table]
        blocks.append(Table(grid.grid(table, record.tables.get(spec.table, {})), "official", spec.table))
    elif text.strip():
        blocks += narrative(text)
    else:
        blocks.append(Paragraph([Run(MISSING)], "missing"))
    return Section(f"part:{part_id}", blocks)


def signature(record: Record) -> Section:
    """The agency, and the date under it, each placed from the right margin in characters: the
    agency moves left when the date is the longer."""
    agency, date = record.signed_by or record.agency, record.date
    agency_right = SIGNATURE_RIGHT
    date_right = agency_right + text_width(agency) - DATE_INSET - text_width(date)
    if date_right < SIGNATURE_RIGHT:
        agency_right, date_right = agency_right + SIGNATURE_RIGHT - date_right, SIGNATURE_RIGHT
    return Section("signature", [Signature([SignatureLine(agency, agency_right), SignatureLine(date, date_right)])])


# ---- Narrative ----

def narrative(text: str) -> list:
    """Markdown as blocks: paragraphs, headings (the second level, under a part's title), lists
    (nested), with **strong** and *em* runs; a line break stays a line break."""
    blocks: list = []
    containers = [blocks]  # where the next block goes: the narrative, or a list item's blocks
    heading_level = 0
    for token in _markdown.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            items: list = []
            containers[-1].append(ListBlock(items, ordered, int(token.attrGet("start") or 1) if ordered else 1))
            containers.append(items)
        elif token.type == "list_item_open":
            item: list = []
            containers[-1].append(item)
            containers.append(item)
        elif token.type in ("list_item_close", "bullet_list_close", "ordered_list_close"):
            containers.pop()
        elif token.type in ("heading_open", "heading_close"):
            heading_level = 2 if token.type == "heading_open" else 0
        elif token.type == "inline":
            runs = _runs(token.children)
            if heading_level:
                containers[-1].append(Heading(["".join(run.text for run in runs)], heading_level))
            elif len(containers) == 1:  # not in a list
                containers[-1].append(_subheaded(runs))
            else:
                containers[-1].append(Paragraph(runs))
    return blocks


def _subheaded(runs: list[Run]) -> Paragraph | Heading:
    """A paragraph of the narrative, its second-level heading (SUBHEADING) told apart: the
    whole paragraph a heading, or its first run split after the run-in heading."""
    found = SUBHEADING.match(runs[0].text)
    if not found:
        return Paragraph(runs)
    rest = runs[0].text[found.end():]
    if not rest.strip() and len(runs) == 1:
        return Heading([found.group()], 2)
    first = runs[0]
    lead = Run(found.group(), first.strong, first.emphasis, heading=True)
    return Paragraph([lead, *([Run(rest, first.strong, first.emphasis)] if rest else []), *runs[1:]])


def _runs(children) -> list[Run]:
    """A paragraph's inline tokens as runs of text; a line break is a "\\n" in the text. Raw
    HTML, links and images are text too, as the parser left them."""
    runs: list[Run] = []
    strong = emphasis = False
    for child in children:
        if child.type in ("strong_open", "strong_close"):
            strong = child.type == "strong_open"
        elif child.type in ("em_open", "em_close"):
            emphasis = child.type == "em_open"
        else:
            text = "\n" if child.type in ("softbreak", "hardbreak") else child.content
            if not text:
                continue
            if runs and (runs[-1].strong, runs[-1].emphasis) == (strong, emphasis):
                runs[-1] = Run(runs[-1].text + text, strong, emphasis)
            else:
                runs.append(Run(text, strong, emphasis))
    return runs


# ---- Appendices ----

# What the published report says of each covered unit: whether its numbers are in the sums.
# The review page says more (errors, why a unit failed: consolidation.Unit.said, reason).
PUBLISHED_STATUS = {"clean": "已计入", "errors": "已计入", "missing": "尚无本年度报告，未计入", "failed": "未计入",
                    "duplicate": "重复列入，已在他处计入，不重复计算"}


def coverage(record: Record, covered: Coverage | None) -> Section:
    """A government's appendix: which units its tables add up and which have not reported, with
    the cells their blanks leave unknown; nothing for an agency's own report."""
    if covered is None:
        return Section("coverage", [])
    counts = covered.counts()
    included = counts["clean"] + counts["errors"]
    said = (f"本报告涵盖 {len(covered.units) - counts['duplicate']} 个单位，"
            f"第二、三、四部分的表格为其中 {included} 个单位报告的逐格合计"
            + ("（含本机关）" if covered.own else ""))
    if counts["missing"]:
        said += f"；{counts['missing']} 个单位尚无本年度报告，未计入"
    if counts["failed"]:
        said += f"；{counts['failed']} 个单位的报告未能计入"
    rows = [[Cell(str(number), kind="value"), Cell(unit.label, indent=depth),
             Cell(PUBLISHED_STATUS.get(unit.status, "未计入"), strong=unit.status in ("missing", "failed"))]
            for number, depth, unit in covered.lines()]
    head = [[Cell(text, kind="head") for text in ("序号", "单位", "情况")]]
    blocks = [Heading(["附：本报告涵盖的单位"], appendix=True), Paragraph([Run(said + "。")], "plain"),
              Table([TableBlock(head, rows, stub_columns=2, value_columns=1, keep=grid.kept_lines(rows))],
                    "coverage")]
    blanks = covered.blank_tables()
    if blanks:
        blocks.append(Paragraph([Run("下列单元格无法汇总，表中留空（空白表示未知，不按 0 计）：")], "plain"))
        blocks.append(ListBlock([[Paragraph([Run(f"{record.spec.tables[table].name} {count} 个单元格，"
                                                 f"因{'、'.join(names)}的报告在这些单元格空白")])]
                                 for table, (count, names) in blanks.items()]))
    return Section("coverage", blocks)


def history(record: Record, earlier: list[Record]) -> Section:
    """Charts and the year-on-year table over the agency's years; nothing when there is one."""
    years = sorted([*earlier, record], key=lambda r: r.year)
    if len(years) < 2 or not record.spec.history:
        return Section("history", [])
    from . import history as figures_of  # pandas: only for reports with earlier years

    figures = figures_of.figures(years)
    notes = figures_of.mappings(years)
    span = f"{years[0].year}—{years[-1].year}年"
    blocks: list = [Heading([f"附：{record.agency}历年情况对比", f"（{span}）"], appendix=True)]
    for title in dict.fromkeys(figures.index.get_level_values("chart")):
        part = figures.loc[title]
        series = [Series(label, [float(v) if v is not None else 0.0 for v in row],
                         figures_of.COLOURS[i % len(figures_of.COLOURS)])
                  for i, (label, row) in enumerate(part.iterrows())]
        blocks.append(Chart(title, f"{title}（{span}）", [f"{year}年" for year in part.columns], series,
                            stacked=title == "办理结果", notes=[f"口径：{note}" for chart, note in notes if chart == title]))
    changes = figures_of.changes(figures)
    head, body = figures_of.changes_lines(changes)
    blocks.append(Table([TableBlock(head, body, stub_columns=2, value_columns=len(changes.columns),
                                    keep=grid.kept_lines(body))], "history"))
    return Section("history", blocks)
