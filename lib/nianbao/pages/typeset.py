"""The report as a PDF, typeset by Typst from the findings payload.

Like the Word file (word.py), the PDF is made from the payload the notebook's review cell
outputs (the record, the earlier years' records, the error count), in the same order: title,
lead paragraph, the parts in the edition's order, the signature, a government's coverage
appendix, the history appendix. This module turns the payload into plain data (strings,
numbers, the tables as the merged-cell grids the HTML draws) and one static template,
templates/typst/report.typ, lays it out after GB/T 9704 as report.css does for print: A4,
margins of 37, 35, 28 and 26 mm, the body in 3号 at 22 lines a page, tables in 五号 with their
heads repeated on every page and no row split, page numbers "— N —" on the outer side.

Typst was chosen over WeasyPrint for time: about 0.08 s of CPU a report against WeasyPrint's
1.1–1.3 s (the demo and the benchmark's agencies, issue #17). It runs in a process of its own
(`_typesetter`), as it cannot run in a process that forks afterwards. Its PDF is tagged, embeds subsets of the CJK faces and keeps the
text extractable, the charts included: they are drawn by the template from the figures'
numbers, so their labels are text.

Untrusted text stays text: every string reaches the template as a JSON value that it shows
as text, never as Typst markup (no `eval`, no source is built from strings). The compiler's
root is the template's folder, which is all it may read, and it has no package to fetch.
"""
from __future__ import annotations

import functools
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import typst

from .. import limits
from ..consolidation import Coverage
from ..record import Record
from . import _markdown, grid, inline_runs, text_width
from .grid import BlockGrid, Cell
from .word_style import DRAFT

TEMPLATE = Path(__file__).parents[1] / "templates" / "typst" / "report.typ"
# The faces report.css names first, found through fontconfig as the HTML's are
FACES = ["Noto Serif CJK SC", "Noto Serif CJK SC:bold", "Noto Sans CJK SC"]
# A 2号 title line holds 20 characters (156 mm / 22 pt): a longer piece of the title may break.
TITLE_CHARACTERS = 20


class TypesetError(Exception):
    """Typst could not lay out a report: which one, and Typst's reason."""


def pdf_from_payload(payload: dict) -> bytes:
    """The report of a findings payload as the bytes of a PDF file."""
    data = document(payload)
    # a lone surrogate (a notebook's JSON may carry one) cannot cross into Typst: it becomes "?"
    text = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    try:
        return _typeset(text)
    except TypstFailed as error:
        raise TypesetError(f"《{data['title']}》的 PDF 无法排版：{error}") from error


class TypstFailed(Exception):
    """Typst's diagnostic for a document it could not compile."""


_lock = threading.Lock()  # one document at a time through a process's typesetter
_typesetter_cpu = 0.0      # CPU seconds this process's typesetters spent on its documents


def typesetter_cpu() -> float:
    """The CPU seconds the typesetters of this process have spent on its PDFs so far: they are
    other processes, whose time the process's own CPU time leaves out."""
    return _typesetter_cpu


def _typeset(text: str) -> bytes:
    """The PDF of a document, made by this process's typesetter (see `_typesetter`). A typesetter
    found dead (killed, or past its memory bound on the report before) is replaced and the
    document given to the new one; one that dies on this very document twice fails it alone."""
    global _typesetter_cpu
    with _lock:
        for attempt in (1, 2):
            helper = _typesetter(os.getpid())
            try:
                reply = _ask(helper, text)
            except BaseException:  # a step's time limit: the next PDF gets a new typesetter
                helper.kill()
                _typesetter.cache_clear()
                raise
            if reply is not None:
                break
            _typesetter.cache_clear()
            if attempt == 2:
                raise TypstFailed(_death(helper.wait()))
    status, body = reply
    _typesetter_cpu += SPENT.unpack_from(body)[0]
    body = body[SPENT.size:]
    if status == b"E":
        raise TypstFailed(body.decode("utf-8"))
    return body


def _ask(helper: subprocess.Popen, text: str) -> tuple[bytes, bytes] | None:
    """The typesetter's reply to a document; None when it is dead or dies on it."""
    try:
        _send(helper.stdin, b"D", text.encode("utf-8"))
    except BrokenPipeError:
        return None
    return _receive(helper.stdout)


def _death(returncode: int) -> str:
    """Why a typesetter ended, for a person. Rust aborts when memory runs out (at the bound,
    `_serve`), the kernel's out-of-memory killer sends SIGKILL."""
    if returncode in (-signal.SIGABRT, -signal.SIGKILL):
        return limits.out_of_memory("排版 PDF")
    return f"排版进程意外退出（退出码 {returncode}），重试后仍然如此"


SPENT = struct.Struct("!d")  # a reply's body begins with the CPU seconds the typesetter spent on it


@functools.cache
def _typesetter(pid: int) -> subprocess.Popen:
    """A process of its own that runs Typst, started afresh for each process that makes PDFs
    (hence the pid: a forked child starts its own). Typst works on a pool of threads, which
    a forked child does not inherit: a process forked after Typst ran in it waits for those
    threads forever. The batch forks its workers, and a test session its batches' workers
    after it made PDFs, so Typst never runs in a process that may fork, only in this one."""
    # Its stderr is nobody's: Rust's last words when it aborts ("memory allocation of … failed")
    # would land in the middle of the batch's progress bar; `_death` says why instead.
    return subprocess.Popen([sys.executable, "-m", __name__, str(pid)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _send(stream, status: bytes, body: bytes) -> None:
    stream.write(status + len(body).to_bytes(8, "big") + body)
    stream.flush()


def _receive(stream) -> tuple[bytes, bytes] | None:
    """A message's status and body, None at the end of the stream or of its sender."""
    header = stream.read(9)
    if len(header) < 9:
        return None
    length = int.from_bytes(header[1:], "big")
    body = stream.read(length)
    return (header[:1], body) if len(body) == length else None  # cut short: its sender died


def _serve(requests, replies) -> None:
    """The typesetter's loop: a document's JSON in, its PDF (or Typst's diagnostic) out."""
    while (request := _receive(requests)) is not None:
        started = time.process_time()
        try:
            status, body = b"P", _compiler().compile(sys_inputs={"report": request[1].decode("utf-8")})
        except typst.TypstError as error:
            status, body = b"E", error.diagnostic.strip().encode("utf-8")
        _send(replies, status, SPENT.pack(time.process_time() - started) + body)


@functools.cache
def _compiler() -> typst.Compiler:
    """One compiler per typesetter: it loads the fonts once and keeps what it laid out before,
    which the next report's identical pieces (the tables' heads) reuse."""
    files = [subprocess.run(["fc-match", "-f", "%{file}", face], capture_output=True, text=True,
                            check=True).stdout for face in FACES]
    folders = sorted({str(Path(file).parent) for file in files})  # Typst loads fonts by folder
    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=folders, ignore_system_fonts=True)


def document(payload: dict) -> dict:
    """What the template lays out: the report as plain data."""
    record = Record.from_dict(payload["record"])
    earlier = [Record.from_dict(data) for data in payload.get("earlier", [])]
    parts = []
    for part in record.spec.parts:
        text = record.parts.get(part.id, "")
        if part.table:
            table = record.spec.tables[part.table]
            body = [{"kind": "table", "blocks": [_official(block, part.table)
                                                 for block in grid.grid(table, record.tables.get(part.table, {}))]}]
        elif text.strip():
            body = _narrative(text)
        else:
            body = [{"kind": "missing", "text": "（本部分未填写）"}]
        parts.append({"title": record.spec.part_title(part, record.year), "body": body})
    return {
        "title": record.title,
        "author": record.agency,
        "title_words": [{"text": word, "whole": text_width(word) <= TITLE_CHARACTERS}
                        for word in record.spec.title_words(record.agency, record.year)],
        "draft": DRAFT if payload.get("open_errors", payload["errors"]) > 0 else None,
        "lead": record.contact or None,
        "parts": parts,
        "signature": [record.signed_by or record.agency, record.date],
        "coverage": _coverage(record, Coverage.from_dict(payload["coverage"])) if payload.get("coverage") else None,
        "history": _history(record, earlier),
    }


# ---- Tables ----

def _official(block: BlockGrid, table_id: str) -> dict:
    """A block of an official table, its columns as wide as report.css makes them, and which
    of its lines go to a page together besides those a merged label spans (the template keeps
    those whole by their label): no table begins at a page's foot, or ends on a page, with a
    line or two."""
    if block.flat:
        stub = [[64, "%"]]
    elif table_id == "三":  # its group labels in narrow columns, the leaf labels wide
        stub = [[1.9, "em"]] * max(block.stub_columns - 1, 0) + [[30, "%"]]
    elif table_id == "二":
        stub = [[28, "%"]] * block.stub_columns
    else:
        stub = [[1, "fr"]] * block.stub_columns
    columns = [*stub, *([[12, "%"] if block.flat else [1, "fr"]] if block.unit_column else []),
               *[[1, "fr"]] * block.value_columns]
    width = len(columns)
    title = [[Cell(block.title, colspan=width, kind="title")]] if block.title else []
    narrow = {column for column, (_, unit) in enumerate(columns) if unit == "em"}
    return {"style": "official-four" if table_id == "四" else "official", "columns": columns,
            "head": _lines([*title, *block.head]), "body": _lines(block.body, narrow),
            "line_runs": _runs_of_lines(block)}


def _runs_of_lines(block: BlockGrid) -> list[tuple[int, int, bool]]:
    """The body's lines as (first, how many, together), one after the other: the first three
    together and the last three, unless a run a merged label ties comes first or last (it is
    kept whole anyway, and rows before it may end a page, as in report.css); the lines between
    free to break. None when no lines need tying."""
    groups, count = block.row_groups, len(block.body)
    if not groups:
        return []
    first = 0 if groups[0][0] else min(3, len(groups[0][1]))
    last = 0 if groups[-1][0] else min(3, len(groups[-1][1]))
    if first + last >= count:
        return [(0, count, True)] if max(first, last) > 1 else []
    runs = [(0, first, True)] if first else []
    runs.append((first, count - first - last, False))
    if last:
        runs.append((count - last, last, True))
    return runs if max(first, last) > 1 else []


def _lines(lines: list[list[Cell]], narrow: frozenset | set = frozenset()) -> list[list[dict]]:
    """Lines of cells as plain data. A label merged down a narrow column stands one character
    a line, as in the form (and in the HTML, where its column leaves room for one)."""
    taken: set[tuple[int, int]] = set()
    result = []
    for row, line in enumerate(lines):
        column, cells = 0, []
        for cell in line:
            while (row, column) in taken:
                column += 1
            taken.update((row + r, column + c) for r in range(cell.rowspan) for c in range(cell.colspan))
            cells.append({"text": cell.text, "rowspan": cell.rowspan, "colspan": cell.colspan, "kind": cell.kind,
                          "indent": cell.indent,
                          "vertical": cell.rowspan > 1 and cell.colspan == 1 and column in narrow})
            column += cell.colspan
        result.append(cells)
    return result


# ---- Narrative ----

def _narrative(text: str) -> list[dict]:
    """Markdown as blocks: paragraphs, headings (the second level, under a part's title),
    lists (nested), with **strong** and *em* runs. Raw HTML, links and images stay the literal
    text they are, as in the HTML report."""
    blocks: list = []
    open_containers = [blocks]  # where the next block goes: the narrative, or a list item's blocks
    heading = False
    for token in _markdown.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            items: list = []
            open_containers[-1].append({"kind": "list", "start": int(token.attrGet("start") or 1) if ordered else None,
                                        "items": items})
            open_containers.append(items)
        elif token.type == "list_item_open":
            item: list = []
            open_containers[-1].append(item)
            open_containers.append(item)
        elif token.type in ("list_item_close", "bullet_list_close", "ordered_list_close"):
            open_containers.pop()
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type == "inline":
            open_containers[-1].append({"kind": "heading" if heading else "paragraph", "runs": _runs(token.children)})
    return blocks


def _runs(children) -> list[dict]:
    return [{"break": True} if run is None else {"text": run.text, "strong": run.strong, "emph": run.emphasis}
            for run in inline_runs(children)]


# ---- Appendices ----

def _coverage(record: Record, coverage: Coverage) -> dict:
    """A government's appendix, as in the HTML report: every unit its tables add up."""
    own = "（含本机关）" if coverage.own else ""
    rows = [[{"text": str(number), "kind": "value"},
             {"text": unit.label, "kind": "label", "indent": depth},
             {"text": unit.said, "kind": "label", "strong": unit.status in ("missing", "failed"),
              "note": unit.reason if unit.reason and unit.status != "errors" else ""}]
            for number, depth, unit in coverage.lines()]
    return {
        "summary": f"{coverage.summary()}。本报告第二、三、四部分的表格为已汇总单位报告的逐格合计{own}。",
        "table": {"style": "coverage", "columns": [[3, "em"], [1, "fr"], [45, "%"]],
                  "head": [[{"text": text, "kind": "head"} for text in ("序号", "单位", "状态")]], "body": rows,
                  "line_runs": []},
        "blanks": [f"{record.spec.tables[table].name} {count} 个单元格，因{'、'.join(names)}的报告在这些单元格空白"
                   for table, (count, names) in coverage.blank_tables().items()],
    }


def _history(record: Record, earlier: list[Record]) -> dict | None:
    """The charts (their numbers, for the template to draw) and the year-on-year table."""
    years = sorted([*earlier, record], key=lambda r: r.year)
    if len(years) < 2 or not record.spec.history:
        return None
    from matplotlib.ticker import MaxNLocator  # with pandas, only for reports with earlier years

    from . import figures as figures_of

    figures = figures_of.figures(years)
    notes = figures_of.mappings(years)
    span = f"{years[0].year}—{years[-1].year}年"
    charts = []
    for title in dict.fromkeys(figures.index.get_level_values("chart")):
        part = figures.loc[title]
        stacked = title == "办理结果"  # as figures.py draws it
        values = [[float(v) if v is not None else 0.0 for v in row] for _, row in part.iterrows()]
        peak = max([sum(column) for column in zip(*values)] if stacked else [max(row) for row in values])
        top = max(peak, 1) * 1.05  # matplotlib's margin above the highest bar
        ticks = [int(t) for t in MaxNLocator(nbins=4, integer=True).tick_values(0, top) if 0 <= t <= top]
        charts.append({"title": title, "alt": f"{title}（{span}）", "stacked": stacked,
                       "years": [f"{year}年" for year in part.columns], "ticks": ticks, "top": top,
                       "series": [{"label": label, "values": row, "colour": figures_of.COLOURS[i % len(figures_of.COLOURS)]}
                                  for i, (label, row) in enumerate(zip(part.index, values))],
                       "notes": [f"口径：{note}" for chart, note in notes if chart == title]})
    changes = figures_of.changes(figures)
    head, body = figures_of.changes_lines(changes)
    return {"heading": [f"附：{record.agency}历年情况对比", f"（{span}）"], "charts": charts,
            "table": {"style": "history", "columns": ["auto"] * 2 + [[1, "fr"]] * len(changes.columns),
                      "head": _lines(head), "body": _lines(body), "line_runs": []}}


if __name__ == "__main__":
    limits.die_with_parent(int(sys.argv[1]))
    limits.bound_memory()  # a document of stacked accents once took Typst to 22.9 GB
    _serve(sys.stdin.buffer, sys.stdout.buffer)
