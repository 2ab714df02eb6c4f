"""An executed report notebook read back: the report's document, and what its checks found.

The template's review cell (report.Report.review) outputs the checked payload under
FINDINGS_MIME: the record as read, its findings with the reviewers' decisions, a government's
coverage. Each fragment outputs its section under document.MIME. Every other output of a code
cell is the analyst's own and joins the document where its cell stands: Markdown text, a table
(a pandas DataFrame, or any HTML table), a PNG, JPEG or SVG picture, plain text. Streams
(print), errors and the template's Markdown cells (its instructions) are not the report.

`read` is the one reader of both, for the batch and for the three exporters alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..checks.findings import Finding
from ..consolidation import Coverage
from ..record import Record
from ..reviews import Decision, open_errors
from . import (
    MIME,
    Cell,
    Document,
    DocumentError,
    Heading,
    Image,
    Paragraph,
    Run,
    Section,
    Table,
    TableBlock,
    build,
    grid,
    read_section,
)

FINDINGS_MIME = "application/vnd.nianbao.findings+json"
DRAFT = "草稿（核查未通过）"  # what a report with open errors says on every page of every drawing
# An analyst's table can be anything pandas shows: a sane bound on what the document carries.
LARGEST_SPAN, LARGEST_TABLE = 1000, 20_000


@dataclass
class Checked:
    """What the template's review cell hands the batch: the agency-year as read (a government's
    with its sums), its findings with the reviewers' decisions, the decisions whose finding is
    gone, a government's coverage, and the agency's record of the year before (its 图解 shows the
    changes). checks.json is its data without the records."""
    VERSION: ClassVar[int] = 1
    record: Record
    findings: list[Finding]
    stale: list[Decision] = field(default_factory=list)
    coverage: Coverage | None = None
    previous: Record | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def open_errors(self) -> int:
        """Errors no reviewer explained or marked a false alarm: they keep the report a draft."""
        return open_errors(self.findings)

    @property
    def decided(self) -> int:
        return sum(bool(f.decision) for f in self.findings)

    def to_data(self) -> dict:
        record = self.record
        return {"version": self.VERSION, "title": record.title, "agency": record.agency,
                "agency_id": record.agency_id, "year": record.year, "edition": record.edition,
                "errors": self.errors, "warnings": self.warnings, "open_errors": self.open_errors,
                "decided": self.decided, "stale": [d.to_dict() for d in self.stale],
                "findings": [f.to_dict() for f in self.findings], "record": record.to_dict(),
                "coverage": self.coverage.to_dict() if self.coverage else None,
                "previous": self.previous.to_dict() if self.previous else None}

    @classmethod
    def from_data(cls, data) -> Checked:
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            raise DocumentError("笔记本中核查结果的数据格式与本版 nianbao 不同：请用本版 nianbao 重新执行笔记本")
        known = set(Finding.__dataclass_fields__)
        try:
            return cls(Record.from_dict(data["record"]),
                       [Finding(**{k: v for k, v in f.items() if k in known}) for f in data["findings"]],
                       [Decision(**d) for d in data.get("stale", [])],
                       Coverage.from_dict(data["coverage"]) if data.get("coverage") else None,
                       Record.from_dict(data["previous"]) if data.get("previous") else None)
        except (KeyError, TypeError, AttributeError) as error:
            raise DocumentError(f"笔记本中的核查结果已损坏：{type(error).__name__}: {error}") from None


def read(notebook) -> tuple[Document, Checked]:
    """The report's document and its checked payload, from an executed notebook."""
    checked, sections = None, []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if FINDINGS_MIME in data:
                checked = checked or Checked.from_data(data[FINDINGS_MIME])
            elif MIME in data:
                sections.append(read_section(data[MIME]))
            elif output.get("output_type") in ("display_data", "execute_result"):
                blocks = shown(data)
                if blocks:
                    sections.append(Section("cell", blocks))
    if checked is None:
        raise DocumentError("笔记本中没有报告的核查结果（缺少 report.review() 单元格的输出）："
                            "请执行模板笔记本，并保留 report.review() 单元格的输出")
    record = checked.record
    return Document(record.title, record.agency, sections, DRAFT if checked.open_errors else ""), checked


def shown(data: dict) -> list:
    """What an analyst's output adds to the report, by the richest form it has."""
    if "text/markdown" in data:
        return build.narrative(_text(data["text/markdown"]))
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            return [Image(mime, _text(data[mime]).strip())]
    if "image/svg+xml" in data:
        svg = own_svg(_text(data["image/svg+xml"]))
        return [Image("image/svg+xml", svg)] if svg else []
    if "text/html" in data:
        return html_blocks(_text(data["text/html"]))
    if "text/plain" in data:
        text = _text(data["text/plain"]).strip()
        return [Paragraph([Run(text)], "plain")] if text else []
    return []


def own_svg(svg: str) -> str:
    """An SVG picture with only what it holds itself: a script, an embedded page or a link to a
    file or an address elsewhere (an image, a stylesheet, a font) is left out, so that no drawing
    fetches or reads anything for it. Empty when it is no SVG."""
    from xml.etree import ElementTree  # expat refuses entity expansion bombs

    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return ""
    if root.tag.rpartition("}")[2] != "svg":
        return ""
    for parent in root.iter():
        for child in list(parent):
            if child.tag.rpartition("}")[2] in ("script", "foreignObject", "style"):
                parent.remove(child)
        for name, value in list(parent.attrib.items()):
            local = name.rpartition("}")[2]
            if local.startswith("on") or (local == "href" and not value.startswith(("#", "data:image/"))):
                del parent.attrib[name]
    return ElementTree.tostring(root, encoding="unicode")


def _text(value) -> str:
    """A notebook's text: a string, or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def html_blocks(html: str) -> list:
    """HTML an analyst's output shows, as the document's blocks: each table a table, each
    heading a heading, the rest paragraphs of its text. Only text is taken: never markup,
    styles or scripts, never a link or a picture fetched from elsewhere."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["style", "script", "template", "head", "title"]):
        hidden.decompose()
    blocks: list = []
    for element in soup.find_all(["table", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "caption"]):
        if element.find_parent(["table", "p", "li", "pre"]):
            continue  # read with the element around it
        if element.name == "table":
            table = _table(element)
            if table:
                blocks.append(table)
        else:
            text = element.get_text("\n" if element.name == "pre" else "", strip=True)
            if text:
                blocks.append(Heading([text], 2) if element.name[0] == "h" else Paragraph([Run(text)], "plain"))
    if not blocks:
        text = soup.get_text("\n", strip=True)
        if text:
            blocks.append(Paragraph([Run(text)], "plain"))
    return blocks


def _table(element) -> Table | None:
    """An HTML table (pandas' to_html among them) as a table of merged cells: the lines of its
    <thead> (or its leading lines of <th> alone) are its head, a <th> in the body a label."""
    lines = []
    for tr in element.find_all("tr"):
        if tr.find_parent("table") is not element:
            continue
        head = tr.find_parent("thead") is not None
        lines.append((head, [Cell(td.get_text(" ", strip=True), _span(td, "rowspan"), _span(td, "colspan"),
                                  "head" if head else ("label" if td.name == "th" else "value"))
                             for td in tr.find_all(["th", "td"], recursive=False)]))
    if not lines or sum(len(cells) for _, cells in lines) > LARGEST_TABLE:
        return None
    if not any(head for head, _ in lines):  # no <thead>: its leading lines of <th> alone
        for number, (_, cells) in enumerate(lines):
            if not cells or any(cell.kind != "label" for cell in cells):
                break
            lines[number] = (True, [Cell(c.text, c.rowspan, c.colspan, "head") for c in cells])
    head = [cells for is_head, cells in lines if is_head]
    body = [cells for is_head, cells in lines if not is_head]
    width = max(sum(cell.colspan for cell in cells) for _, cells in lines)
    stub = next((sum(c.colspan for c in _leading_labels(cells)) for cells in body if cells), 0)
    return Table([TableBlock(head, body, stub_columns=stub, value_columns=max(width - stub, 1),
                             keep=grid.kept_lines(body))], "frame")


def _leading_labels(cells: list[Cell]) -> list[Cell]:
    labels = []
    for cell in cells:
        if cell.kind != "label":
            break
        labels.append(cell)
    return labels


def _span(element, name: str) -> int:
    value = str(element.get(name) or "1").strip()
    return min(int(value), LARGEST_SPAN) if value.isdigit() and int(value) > 0 else 1
