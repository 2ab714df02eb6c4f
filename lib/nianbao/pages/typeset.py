"""The report's document as a PDF, typeset by Typst.

The document (document/__init__.py) reaches one static template, templates/typst/report.typ,
as JSON, with what only paper needs added here: each table's column widths, each chart's axis.
The template lays it out after GB/T 9704 as report.css does for print: A4, margins of 37, 35,
28 and 26 mm, the body in 3号 at 22 lines a page, tables in 五号 with their heads repeated on
every page and no line split, page numbers "— N —" on the outer side.

Typst was chosen over WeasyPrint for time: about 0.08 s of CPU a report against WeasyPrint's
1.1–1.3 s (the demo and the benchmark's agencies, issue #17). It runs in a process of its own
(`_typesetter`), as it cannot run in a process that forks afterwards. Its PDF is tagged, embeds
subsets of the CJK faces and keeps the text extractable, the charts included: they are drawn by
the template from the chart's numbers, so their labels are text.

Untrusted text stays text: every string reaches the template as a JSON value that it shows
as text, never as Typst markup (no `eval`, no source is built from strings). The compiler's
root is the template's folder, which is all it may read, and it has no package to fetch; a
picture an analyst's cell showed reaches it as the bytes of the picture.
"""
from __future__ import annotations

import base64
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
from ..document import Cell, Chart, Document, Image, Table, TableBlock, to_data
from ..errors import NianbaoError

TEMPLATES_FOLDER = Path(__file__).parents[1] / "templates" / "typst"
REPORT, PICTURE = b"D", b"S"  # what a request to the typesetter asks for: a report's PDF, a picture's PNG
# Each request's template, the name its text takes in sys.inputs, and how it is compiled
TEMPLATES = {REPORT: (TEMPLATES_FOLDER / "report.typ", "report", {}),
             PICTURE: (TEMPLATES_FOLDER / "picture.typ", "svg", {"format": "png", "ppi": 200})}
# The faces report.typ sets the report in, found through fontconfig as the HTML's are: free
# stand-ins for the official 仿宋, 黑体, 楷体 and 小标宋 (fonts/64-nianbao-official-faces.conf,
# which `make setup` installs, shows fontconfig the Fandol faces), then Noto CJK for the tables
# and for a character a Fandol face lacks.
FACES = ["FandolFang", "FandolHei", "FandolKai", "FandolSong:bold", "Noto Serif CJK SC", "Noto Sans CJK SC"]


class TypesetError(NianbaoError):
    """Typst could not lay out a report: which one, and Typst's reason."""


def pdf(document: Document) -> bytes:
    """The document as the bytes of a PDF file."""
    data = {"title": document.title, "author": document.author, "draft": document.draft or None,
            "sections": [{"name": section.name, "blocks": [_block(block) for block in section.blocks]}
                         for section in document.sections]}
    # a lone surrogate (a notebook's JSON may carry one) cannot cross into Typst: it becomes "?"
    text = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    try:
        return _typeset(REPORT, text)
    except TypstFailed as error:
        raise TypesetError(f"《{document.title}》的 PDF 无法排版：{error}") from error


def png_of_svg(svg: str) -> bytes:
    """An SVG picture as PNG, drawn by the typesetter: for the Word file, as Word before 2016
    and WPS show no SVG."""
    try:
        return _typeset(PICTURE, svg)
    except TypstFailed as error:
        raise TypesetError(f"SVG 图片无法转换为 PNG：{error}") from error


class TypstFailed(Exception):
    """Typst's diagnostic for a document it could not compile."""


_lock = threading.Lock()  # one document at a time through a process's typesetter
_typesetter_cpu = 0.0      # CPU seconds this process's typesetters spent on its documents


def typesetter_cpu() -> float:
    """The CPU seconds the typesetters of this process have spent on its PDFs so far: they are
    other processes, whose time the process's own CPU time leaves out."""
    return _typesetter_cpu


def _typeset(kind: bytes, text: str) -> bytes:
    """What this process's typesetter (see `_typesetter`) makes of `text` with the template
    `kind` names (REPORT or PICTURE): a PDF, or a PNG. A typesetter
    found dead (killed, or past its memory bound on the report before) is replaced and the
    document given to the new one; one that dies on this very document twice fails it alone."""
    global _typesetter_cpu
    with _lock:
        for attempt in (1, 2):
            helper = _typesetter(os.getpid())
            try:
                reply = _ask(helper, kind, text)
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


def _ask(helper: subprocess.Popen, kind: bytes, text: str) -> tuple[bytes, bytes] | None:
    """The typesetter's reply to a request; None when it is dead or dies on it."""
    try:
        _send(helper.stdin, kind, text.encode("utf-8"))
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
    """The typesetter's loop: a request in (a document's JSON, or an SVG picture), its PDF or
    PNG out, or Typst's diagnostic."""
    while (request := _receive(requests)) is not None:
        kind, text = request[0], request[1].decode("utf-8")
        started = time.process_time()
        try:
            template, name, made = TEMPLATES[kind]
            status, body = b"P", _compiler(template).compile(sys_inputs={name: text}, **made)
        except typst.TypstError as error:
            status, body = b"E", error.diagnostic.strip().encode("utf-8")
        except TypesetError as error:  # a face missing from the machine
            status, body = b"E", str(error).encode("utf-8")
        _send(replies, status, SPENT.pack(time.process_time() - started) + body)


@functools.cache
def _compiler(template: Path) -> typst.Compiler:
    """One compiler per template and typesetter: it loads the fonts once and keeps what it laid
    out before, which the next report's identical pieces (the tables' heads) reuse."""
    return typst.Compiler(str(template), root=str(template.parent), font_paths=_font_folders(), ignore_system_fonts=True)


@functools.cache
def _font_folders() -> list[str]:
    """The folders of FACES; a face fontconfig does not have (it gives another for any name) is
    an error that says how to install it, not a report quietly set in some other face."""
    folders = set()
    for face in FACES:
        found = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", face], capture_output=True, text=True,
                               check=True).stdout
        families, file = found.split("\t")
        if face.split(":")[0] not in families.split(","):
            raise TypesetError(f"找不到排版 PDF 所用的字体 {face.split(':')[0]}（fontconfig 给出的是 {families}）："
                               "请在项目目录运行 make setup 安装字体及其配置")
        folders.add(str(Path(file).parent))
    return sorted(folders)  # Typst loads fonts by folder


def _block(block) -> dict:
    """A block as the template takes it: the document's data, and what paper needs besides."""
    if isinstance(block, Table):
        return {"type": "table", "style": block.style, "blocks": [_table_block(b, block) for b in block.blocks]}
    if isinstance(block, Chart):
        return {**to_data(block), **_axis(block)}
    if isinstance(block, Image):  # Typst reads no file: the picture itself, as bytes
        data = block.data.encode("utf-8") if block.mime == "image/svg+xml" else base64.b64decode(block.data)
        return {"type": "image", "bytes": list(data), "alt": block.alt or "图"}
    return to_data(block)


# ---- Tables ----

def _table_block(block: TableBlock, table: Table) -> dict:
    """A block with its columns as wide as report.css makes them, its lines of cells and the
    runs of lines it keeps on one page."""
    columns = _columns(block, table)
    title = [[Cell(block.title, colspan=len(columns), kind="title")]] if block.title else []
    look = "official-four" if table.table == "四" else table.style
    return {"look": look, "columns": columns, "head": _lines([*title, *block.head]), "body": _lines(block.body),
            "keep": block.keep}


def _columns(block: TableBlock, table: Table) -> list:
    """Column widths: [value, "em" | "%" | "fr"], or "auto" (as wide as its text)."""
    if table.style == "coverage":
        return [[3, "em"], [1, "fr"], [45, "%"]]
    if table.style in ("history", "frame"):
        return ["auto"] * block.stub_columns + [[1, "fr"]] * (block.width - block.stub_columns)
    if block.flat:
        stub = [[64, "%"]]
    elif table.table == "三":  # its group labels three characters a line as in the form, the leaf labels wide
        stub = [[GROUP_WIDTH, "em"]] * max(block.stub_columns - 1, 0) + [[30, "%"]]
    elif table.table == "二":
        stub = [[28, "%"]] * block.stub_columns
    else:
        stub = [[1, "fr"]] * block.stub_columns
    return [*stub, *([[12, "%"] if block.flat else [1, "fr"]] if block.unit_column else []),
            *[[1, "fr"]] * block.value_columns]


# em: a group label's column, three characters a line and the cell's padding (report.css's too)
GROUP_WIDTH = 3.7


def _lines(lines: list[list[Cell]]) -> list[list[dict]]:
    """Lines of cells as plain data."""
    return [[{"text": cell.text, "rowspan": cell.rowspan, "colspan": cell.colspan, "kind": cell.kind,
              "indent": cell.indent, "strong": cell.strong} for cell in line] for line in lines]


def _axis(chart: Chart) -> dict:
    """The chart's count axis: its top (matplotlib's margin above the highest bar) and ticks."""
    from matplotlib.ticker import MaxNLocator  # with the chart's report only

    values = [series.values for series in chart.series]
    peak = max([sum(column) for column in zip(*values)] if chart.stacked else [max(row) for row in values])
    top = max(peak, 1) * 1.05
    ticks = [int(t) for t in MaxNLocator(nbins=4, integer=True).tick_values(0, top) if 0 <= t <= top]
    return {"top": top, "ticks": ticks}


if __name__ == "__main__":
    limits.die_with_parent(int(sys.argv[1]))
    limits.bound_memory()  # a document of stacked accents once took Typst to 22.9 GB
    _serve(sys.stdin.buffer, sys.stdout.buffer)
