"""Import: read reports agencies already published back into records.

A file becomes text (`sources`: plain text however it was extracted, HTML, Markdown; `pdf`,
`word` and `ocr`: PDF, Word and scans, their tables from their own cells); the text gives the
title, dates and the parts (`document`); each table part gives its table (`tables`).
Every edition with tables is tried and the one whose rows and headers the text holds best is
taken, so a 2019 report in the legacy table or a 2021 one with the single `（六）其他处理` row
is read as what it is. A work summary (工作总结) is read with its own edition, `work-summary`;
a file with neither a report's title nor any of its part headings is `NotAReport`. Where the
agency, year and dates were found is kept (`Imported.origins`). What could not be read for
certain comes back as findings next to the record, never as a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import editions, ids, registry
from ..checks.findings import Finding
from ..errors import reason
from ..intake.raw import FIELD_LENGTH
from ..record import Record
from . import document, ocr, outline, pdf, sources, word
from .sources import ImportFailed
from .table_text import TableRead, note, read_table


class NotAReport(ImportFailed):
    """A file with neither a report's title nor any of its part headings (a README, a notice)."""


@dataclass
class Imported:
    record: Record
    kind: str                                            # how the source was laid out
    notes: list[Finding] = field(default_factory=list)   # what could not be read for certain
    places: dict[str, str] = field(default_factory=dict)  # table id → where the file has it (`第 4 页、第 5 页`)
    origins: dict[str, str] = field(default_factory=dict)  # agency, year, date, published → where each was found
    title: str = ""  # the report's title as it states it (checks.check's `title`), when it states one

    @property
    def unread(self) -> frozenset[tuple[str, str]]:
        """(table, row) of the rows whose printed numbers could not be read (digits run together
        past splitting, too many or too few): unknown, which is not blank (checks.check's `unread`)."""
        return frozenset((n.table, n.row) for n in self.notes if n.rule in UNREAD and n.row)


def readers() -> dict:
    """Readers of published files by suffix: the built-in ones, then those other packages register."""
    return registry.entries("nianbao.published_formats",
                            {".txt": sources.read_text, ".html": sources.read_html, ".htm": sources.read_html,
                             ".md": sources.read_markdown, ".pdf": pdf.read_pdf, ".docx": word.read_word,
                             ".doc": word.read_word, ".png": ocr.read_image, ".jpg": ocr.read_image,
                             ".jpeg": ocr.read_image})


def suffixes() -> list[str]:
    return list(readers())


def read(path, agency: str = "", year: int | None = None) -> Imported:
    """A published file's record; `agency` and `year` (`nianbao import --agency/--year`) stand
    in for what the document does not state."""
    path = Path(path)
    reader = readers().get(path.suffix.lower())
    if reader is None:
        raise ImportFailed(f"{path}: 无法导入 {path.suffix or '无扩展名'} 文件，应为 {'、'.join(suffixes())} 之一")
    try:
        if not path.is_file():
            raise ImportFailed(f"{path}: 文件不存在")
        source = reader(path)
    except OSError as error:  # a name too long, a folder not to be read…
        raise ImportFailed(f"{path}: 无法读取文件：{reason(error)}") from None
    imported = from_text(source.text, source.kind, source=str(path), places=source.places,
                         titles=source.titles, published=source.published, agency=agency, year=year)
    imported.notes[:0] = source.notes
    return imported


def from_text(text: str, kind: str, source: str = "", places: tuple[str, ...] = (),
              titles: tuple[tuple[str, str], ...] = (), published: tuple[str, str] = (),
              agency: str = "", year: int | None = None) -> Imported:
    """The record a report's text holds; `places` names where each line of the text is in its
    file, to tell where each table was found; `titles` are the titles the file carries besides
    its text, each with where it is; `published`, the publication date it carries besides its
    text (a page's `<meta name="PubDate">`) and where, taken when the text prints none: the
    deadline is judged on it. `agency` and `year` fill in what the document lacks."""
    text = document.clean(text)  # line for line: the places still fit
    found = document.meta(text, titles)
    origins = dict(found.origins)
    if not found.published and published:
        origins["published"] = published[1]
    notes: list[Finding] = []
    if found.year is None and year is not None:
        origins["year"] = "命令行 --year"
    year = found.year or year or document.any_year(text)
    if found.edition == document.SUMMARY:  # a work summary: its own parts, no tables
        edition, reads = editions.load(document.SUMMARY), {}
        parts, preamble, untitled = outline.regions(edition, text, year)
    else:
        edition, parts, preamble, untitled, reads = _best_edition(text, year)
    if found.year is None and not parts and found.edition != document.SUMMARY and not document.describes_itself(text):
        raise NotAReport(f"{source}: 不是政府信息公开工作年度报告或工作总结：没有找到报告标题"
                         "（应如“…2023年政府信息公开工作年度报告”），也没有找到报告的任何部分标题")
    if year is None:
        raise ImportFailed(f"{source}: 没有找到报告年度（标题应如“…2023年政府信息公开工作年度报告”，"
                           "或用 --year 给出）")
    if "year" not in origins:
        notes.append(note("导入.标题", f"没有找到报告标题，年度按正文取为 {year}", part="year", found=str(year)))
        origins["year"] = "正文中的年份"
    if not found.agency and agency:
        origins["agency"] = "命令行 --agency"
    agency = found.agency or agency
    agency_id = _agency_id(agency)
    if not agency_id:
        # as the intake names a record without one, by its file, here made a valid id: a browser
        # download's `年报 (1).pdf` or `附件1：…（2023）.docx` is none as it stands
        agency_id = _agency_id(Path(source).stem) or UNNAMED
    if not agency:
        notes.append(note("导入.标题", f"没有找到报告标题中的机关名称（可用 --agency 给出），机关代码取自文件名：{agency_id}",
                          part="agency", found="空白"))

    for part in edition.parts:
        if part.title and (part.id not in parts or part.id in untitled):
            notes.append(note("导入.部分未找到", f"没有找到第{part.id}部分的标题“{edition.part_title(part, year)}”",
                              part=part.id if part.narrative else "", table=part.table or ""))
    tables = {table_id: read.values for table_id, read in reads.items()}
    for read in reads.values():
        notes.extend(read.notes)

    narrative = {}
    last = edition.narrative_parts[-1]
    for part_id in edition.narrative_parts:
        title = next(p.title for p in edition.parts if p.id == part_id)
        body = parts.get(part_id, "") if title else preamble
        if part_id == last:
            body = document.without_signature(body)
        narrative[part_id] = document.markdown(body, kind)
    record = Record(
        agency=agency,
        agency_id=agency_id,
        year=year,
        edition=edition.id,
        date=found.date,
        # the lead before part 一; an edition whose first part has no title (legacy, work
        # summaries) has its opening in that part already
        contact=document.lead(preamble, kind, FIELD_LENGTH) if edition.parts[0].title else document.contact(preamble),
        published=found.published or (published[0] if published else ""),
        signed_by=found.signed_by,
        parts=narrative,
        tables=tables,
        source=source,
    )
    return Imported(record, kind, notes, _table_places(edition, text, places), origins, found.title)


def _table_places(edition, text: str, places: tuple[str, ...]) -> dict[str, str]:
    """Where each table part's lines are in the file, in the order they come."""
    if not places:
        return {}
    found = outline.headings(edition, text)
    where = {}
    for heading, following in zip(found, [*found[1:], None]):
        if heading.part.table:
            first = text.count("\n", 0, heading.end)
            last = text.count("\n", 0, following.start if following else len(text))
            where[heading.part.table] = "、".join(dict.fromkeys(place for place in places[first:last + 1] if place))
    return where


UNREAD = ("导入.拆分不确定", "导入.列数不符")  # notes of a row printed but not read
UNNAMED = "年报"  # the agency id of a report whose name and file name give none


def _agency_id(agency: str) -> str:
    """An id made of the agency's name, without what an id cannot hold (`（`, `/`…); empty when
    nothing is left."""
    name = re.sub(r"[^\w.-]", "", agency).lstrip("_.-")[:100]
    return name if ids.problem(name) is None else ""


def _best_edition(text: str, year: int | None):
    """The edition whose table rows and column headers the text holds most of; a tie goes to
    the edition of the report year, then to the order editions are listed in."""
    try:
        default = editions.default_for(year).id if year else None
    except KeyError:
        default = None
    best, best_score = None, None
    for edition_id in editions.available():
        edition = editions.load(edition_id)
        if not edition.tables:
            continue
        parts, preamble, untitled = outline.regions(edition, text)
        reads: dict[str, TableRead] = {}
        for part in edition.parts:
            if part.table:
                reads[part.table] = read_table(edition, part.table, parts.get(part.id, ""))
        stray = sum(n.rule == "导入.多余数字" for r in reads.values() for n in r.notes)
        score = (sum(r.rows_found + r.headers_found for r in reads.values()) - stray, edition_id == default)
        if best_score is None or score > best_score:
            best, best_score = (edition, parts, preamble, untitled, reads), score
    return best
