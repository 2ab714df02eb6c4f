"""Word files: .docx through python-docx, its tables from their real cells; a Word 97 file (.doc),
RTF and the like made into .docx by LibreOffice first, with no network.

A file named .doc or .docx is read as what its first bytes say it is, whatever its name: a zip
is a .docx, HTML (a page saved as .doc, as some sites publish) is read as a page, anything else
(Word 97, RTF, OpenDocument, Word 2003 XML) is converted by LibreOffice. Such files link
pictures and stylesheets by URL, which LibreOffice fetches as it loads a file: it runs in a
network namespace of its own, where there is no network at all, or not at all.

Each table row of two cells or more becomes one line, its labels and then its values, as an
HTML table does. A cell merged across columns (gridSpan) is one cell; one merged down rows
(vMerge) is read in its first row only; a blank cell may hold ideographic spaces (U+3000), as
the official form does, and is blank. A table of one cell per row frames text: its paragraphs
are read as paragraphs. Each line keeps which table of the file it came from (`第 2 个表格`).
"""
from __future__ import annotations

import codecs
import functools
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .. import limits
from . import layout, programs, sources
from .sources import ImportFailed, Source, row_line

# A .docx is a zip: one that unpacks to more than this is no report (the official form
# unpacks to 0.3 MB, a report with pictures to a few MB) but a zip bomb.
MOST_UNPACKED = 200 * 2**20
# Its XML alone is bounded far lower, as a parsed XML tree takes 20 to 100 times its size in
# memory: the official form's XML is 0.3 MB, 33,000 paragraphs saved by LibreOffice 9 MB; a
# 250 KB file whose XML unpacked to 160 MB took 3.7 GB in its first minute.
MOST_XML = 16 * 2**20
# LibreOffice converts a report in 2–3 s, most of it starting up; beyond this it is stuck.
CONVERT_SECONDS = 50
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")  # what a Word 97 (.doc) file begins with
_ZIP = b"PK\x03\x04"
# A page: its first tags, after any XML declaration or comment (Word's "Web page" begins `<html`).
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_word(path: Path) -> Source:
    """A file published as .doc or .docx, read by what it is."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith(_ZIP) and head[30:38] != b"mimetype":  # an OpenDocument file names its type first
        return _read(path, path, "docx")
    if _is_html(head):
        return sources.read_html(path)
    return _converted(path)


def _is_html(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    return not head.startswith((_OLE, b"{\\rtf")) and _HTML.search(head) is not None


@functools.cache
def _without_network() -> list[str] | None:
    """The command that runs a program in a network namespace of its own (no network, its
    loopback down): as root `unshare --net`, as another user in a user namespace of its own
    too; None where this machine allows neither (a container without the right)."""
    if shutil.which("unshare") is None:
        return None
    for command in (["unshare", "--net"], ["unshare", "--map-root-user", "--net"]):
        if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
            return command
    return None


def _converted(path: Path) -> Source:
    """A Word 97 file (or RTF, flat ODF…), converted to .docx by LibreOffice with no network."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ImportFailed(f"{path}: 读取 .doc 文件需要 LibreOffice，本机没有安装"
                           "（Debian 软件包 libreoffice-writer-nogui，`make setup` 会安装）")
    isolated = _without_network()
    if isolated is None:
        raise ImportFailed(f"{path}: 拒绝转换：文件中链接的图片和样式表会让 LibreOffice 访问网络，须在隔离网络中转换，"
                           "但本机不允许创建网络命名空间（unshare --net）；可另存为 .docx 后再导入")
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as folder:
        # A name of LibreOffice's own choosing: the file's may begin with `-` or hold anything.
        copy = Path(folder) / "report.doc"
        shutil.copyfile(path, copy)
        # LibreOffice needs a profile folder and a HOME it may write to, a fresh one so that two
        # conversions never share them, and its temporary files go there too.
        command = [*isolated, soffice, f"-env:UserInstallation=file://{folder}/profile",
                   "--headless", "--norestore", "--convert-to", "docx", "--outdir", folder, str(copy)]
        done = programs.run(command, CONVERT_SECONDS, cwd=folder, env={**os.environ, "HOME": folder, "TMPDIR": folder})
        converted = copy.with_suffix(".docx")
        if done.returncode == 124:
            raise ImportFailed(f"{path}: LibreOffice 转换 .doc 超过 {CONVERT_SECONDS} 秒，已放弃")
        if not converted.is_file():  # LibreOffice says no more than `Unspecified Application Error`
            raise ImportFailed(f"{path}: LibreOffice 无法转换此文件：可能已损坏或不是 Word 文件，"
                               f"也可能转换所需内存超过上限 {limits.said()}")
        return _read(converted, path, "doc")


def _read(docx_path: Path, path: Path, kind: str) -> Source:
    """The text of a .docx, its places named for `path` (the file as published)."""
    import docx

    try:
        with zipfile.ZipFile(docx_path) as package:
            members = package.infolist()
        unpacked = sum(member.file_size for member in members)
        xml = sum(member.file_size for member in members if member.filename.endswith((".xml", ".rels")))
        if unpacked > MOST_UNPACKED or xml > MOST_XML:
            raise ImportFailed(f"{path}: Word 文件解压后有 {unpacked // 2**20} MB，其中 XML {xml // 2**20} MB，"
                               f"超过上限（共 {MOST_UNPACKED // 2**20} MB，XML {MOST_XML // 2**20} MB），不像一份年度报告")
        document = docx.Document(str(docx_path))
        title = document.core_properties.title or ""
        lines, places = _lines(document)
    except (ImportFailed, MemoryError):
        raise
    except Exception as error:  # zipfile's, zlib's, lxml's and python-docx's many errors on a damaged file
        raise ImportFailed(f"{path}: Word 文件已损坏或不是 .docx 文件，无法读取（{_damage(error)}）") from None
    return Source("\n".join(lines), kind, places=tuple(places), titles=((title, "Word 文档属性“标题”"),))


def _lines(document) -> tuple[list[str], list[str]]:
    """The document's lines, paragraphs and table rows, each with its place."""
    import docx

    lines: list[str] = []
    places: list[str] = []

    def add(text: str, place: str) -> None:
        for line in layout.one_line(text).split("\n"):  # a line break inside a paragraph
            lines.append(line.strip())
            places.append(place)

    tables = 0
    for element in _blocks(document.element.body):
        if element.tag == f"{_W}p":
            add(docx.text.paragraph.Paragraph(element, document).text, "")
            continue
        tables += 1
        table = docx.table.Table(element, document)
        for row in table.rows:
            cells = [None if tc.vMerge == "continue" else docx.table._Cell(tc, table) for tc in row._tr.tc_lst]
            real = [cell for cell in cells if cell is not None]
            if len(real) >= 2:
                add(row_line([layout.cell_text(cell.text) for cell in real]), f"第 {tables} 个表格")
            else:  # a frame around text
                for cell in real:
                    for paragraph in cell.paragraphs:
                        add(paragraph.text, f"第 {tables} 个表格")
    return lines, places


def _blocks(element):
    """The paragraphs and tables of the body in order, also those inside content controls and
    the like (`w:sdt`), never those inside a table."""
    for child in element:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag != f"{_W}sectPr":
            yield from _blocks(child)


def _damage(error: Exception) -> str:
    """What is wrong with a damaged .docx, in words."""
    from lxml.etree import XMLSyntaxError

    if isinstance(error, zipfile.BadZipFile):
        return "压缩包不完整或已损坏"
    if isinstance(error, XMLSyntaxError):
        return f"文档内容第 {error.lineno} 行格式有误"
    if isinstance(error, KeyError) or type(error).__name__ == "PackageNotFoundError":
        return "缺少文档的必需部分"
    return "压缩数据或文档结构损坏"
