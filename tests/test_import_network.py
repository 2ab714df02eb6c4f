"""`nianbao import` of Word files that link pictures and stylesheets by URL: nothing is fetched.

Auditors open files downloaded from anywhere. LibreOffice, which converts what is not a .docx,
loads what a file links as it loads the file (before #23 a listener on 127.0.0.1 saw `GET
/style.css` with `User-Agent: LibreOffice`, three times for each link), so it runs with no
network at all; a page saved as .doc never reaches it. A real listener on 127.0.0.1 records
every connection made to it while the files are imported.
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nianbao.cli import main

TITLE = "某市某局2023年政府信息公开工作年度报告"
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture
def listener():
    """(port, the first line of each request received) of a listener on 127.0.0.1."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    received.append(connection.recv(1000).split(b"\r\n")[0])
                except OSError:
                    received.append(b"(a connection, nothing sent)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def page(port: int) -> str:
    """A report saved by a browser or Word as a web page: a stylesheet, a background and a picture."""
    return (f'<html><head><meta charset="utf-8"><link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
            f"<style>body {{ background: url(http://127.0.0.1:{port}/background.png) }}</style></head><body>"
            f'<p>{TITLE}</p><img src="http://127.0.0.1:{port}/picture.png"><p>一、总体情况</p>'
            "<p>本年度主动公开政府信息一百条。</p></body></html>")


def flat_odf(port: int) -> str:
    """A flat OpenDocument text whose picture is a link."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" '
            'office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>'
            f"<text:p>{TITLE}</text:p><text:p><draw:frame svg:width=\"2cm\" svg:height=\"2cm\">"
            f'<draw:image xlink:href="http://127.0.0.1:{port}/linked.png" xlink:type="simple" xlink:show="embed" '
            'xlink:actuate="onLoad"/></draw:frame></text:p></office:text></office:body></office:document>\n')


def rtf(port: int) -> str:
    """An RTF file whose picture is a field that includes it from a URL."""
    title = "".join(f"\\u{ord(character)}?" for character in TITLE)  # RTF's way with characters beyond ASCII
    return ("{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 " + title + "\\par {\\field{\\*\\fldinst { INCLUDEPICTURE "
            f'"http://127.0.0.1:{port}/rtf.png" \\\\d }}}}{{\\fldrslt {{x}}}}}} end\\par}}')


def word97(flat: Path, folder: Path) -> Path:
    """The flat ODF saved by LibreOffice as Word 97, its picture still a link (an INCLUDEPICTURE
    field), made with no network: LibreOffice would fetch the picture while saving."""
    subprocess.run(["unshare", "--map-root-user", "--net", "soffice", f"-env:UserInstallation=file://{folder}/profile",
                    "--headless", "--convert-to", "doc", "--outdir", str(folder / "doc"), str(flat)],
                   check=True, capture_output=True, env={**os.environ, "HOME": str(folder)}, timeout=120)
    return folder / "doc" / f"{flat.stem}.doc"


def test_hostile_word_files_fetch_nothing_and_a_page_saved_as_doc_is_read(listener, tmp_path, capsys):
    port, received = listener
    files = tmp_path / "downloads"
    files.mkdir()
    (files / "page.doc").write_text(page(port), encoding="utf-8")
    (files / "flat-odf.doc").write_text(flat_odf(port), encoding="utf-8")
    (files / "include-picture.doc").write_text(rtf(port), encoding="ascii")
    linked = word97(files / "flat-odf.doc", tmp_path / "made")
    assert f"http://127.0.0.1:{port}/linked.png".encode("utf-16-le") in linked.read_bytes()
    shutil.copy(linked, files / "word97-linked-picture.doc")
    names = ["page.doc", "flat-odf.doc", "include-picture.doc", "word97-linked-picture.doc"]
    main(["import", *(str(files / name) for name in names)])
    said = capsys.readouterr()
    assert received == []
    out = {line.split("  ")[0]: line for line in said.out.splitlines() if not line.startswith(" ")}
    assert "某市某局 2023年度" in out[str(files / "page.doc")] and "读取方式 html" in out[str(files / "page.doc")]
    for name in names[1:]:  # LibreOffice read them, without their pictures
        assert "某市某局 2023年度" in out[str(files / name)] and "读取方式 doc" in out[str(files / name)]


def test_a_page_saved_as_doc_keeps_its_words(tmp_path):
    (tmp_path / "page.doc").write_text(page(9), encoding="utf-8")
    assert main(["import", str(tmp_path / "page.doc"), "-o", str(tmp_path / "out")]) == 0
    assert "本年度主动公开政府信息一百条。" in (tmp_path / "out" / "page.yaml").read_text(encoding="utf-8")


def test_word_files_are_read_by_what_they_are_whatever_their_name(tmp_path, capsys):
    made = tmp_path / "made"
    made.mkdir()
    (made / "report.fodt").write_text(flat_odf(9), encoding="utf-8")
    doc = word97(made / "report.fodt", made)
    docx = made / "report.docx"
    subprocess.run(["unshare", "--map-root-user", "--net", "soffice", f"-env:UserInstallation=file://{made}/profile",
                    "--headless", "--convert-to", "docx", "--outdir", str(made), str(made / "report.fodt")],
                   check=True, capture_output=True, env={**os.environ, "HOME": str(made)}, timeout=120)
    files = {"word97-named.docx": doc.read_bytes(), "docx-named.doc": docx.read_bytes(),
             "page-named.docx": page(9).encode("utf-8"), "rtf-named.docx": rtf(9).encode("ascii")}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    main(["import", *(str(tmp_path / name) for name in files)])
    said = capsys.readouterr()
    assert said.err == ""
    kinds = {line.split("  ")[0]: line.rsplit("读取方式 ", 1)[1].split("：")[0]
             for line in said.out.splitlines() if "读取方式" in line}
    assert kinds == {str(tmp_path / "word97-named.docx"): "doc", str(tmp_path / "docx-named.doc"): "docx",
                     str(tmp_path / "page-named.docx"): "html", str(tmp_path / "rtf-named.docx"): "doc"}


def test_without_a_network_namespace_libreoffice_is_not_run(listener, tmp_path):
    """Where no network namespace can be made (here: no `unshare` on the PATH), a file for
    LibreOffice is refused, in words, rather than converted with network."""
    port, received = listener
    (tmp_path / "flat-odf.doc").write_text(flat_odf(port), encoding="utf-8")
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    for program in ("soffice", "timeout"):
        (bin_folder / program).symlink_to(shutil.which(program))
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "import", str(tmp_path / "flat-odf.doc")],
                          capture_output=True, text=True, env={**os.environ, "PATH": str(bin_folder)}, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith(f"{tmp_path / 'flat-odf.doc'}: 拒绝转换：") and "网络命名空间" in done.stderr
    assert received == []
