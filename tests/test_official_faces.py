"""The official faces (issue #24): 仿宋 body, 黑体 headings 一、, 楷体 headings （一）, a 小标宋 title,
drawn by free stand-ins (Fandol, from Debian's texlive-lang-chinese) in the PDF, and named after
the official faces by the fontconfig aliases `make setup` installs, so that LibreOffice draws the
Word file in the same faces (test_word.py converts it). Read back from the files with poppler's
pdffonts, and the faces' own character maps with fontTools.
"""
import subprocess

import pytest
from fontTools.ttLib import TTFont

from conftest import ROOT, drawn
from nianbao.document import Heading, Paragraph, Title
from test_print_layout import load, pdf

DEMO_REPORTS = sorted((int(path.parent.name), path.stem) for path in ROOT.glob("params/*/*.yaml"))
FANG, HEI, KAI, TITLE = "FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular", "FandolSong-Bold"


def faces_of(document: bytes, tmp_path) -> set[str]:
    """The PostScript names of the faces a PDF embeds, subset tag and encoding left out."""
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    lines = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+")[-1].removesuffix("-Identity-H") for line in lines}


def has_subheadings(report) -> bool:
    """Whether the report's narrative has a （一） heading: alone, or run in to its paragraph."""
    return any(isinstance(block, Heading) and block.level == 2
               or isinstance(block, Paragraph) and any(run.heading for run in block.runs)
               for block in drawn(report)[0].blocks)


@pytest.mark.parametrize("year, agency", DEMO_REPORTS, ids=[f"{agency}-{year}" for year, agency in DEMO_REPORTS])
def test_every_demo_pdf_sets_body_headings_and_title_in_the_official_faces_stand_ins(tmp_path, year, agency):
    report = load(year, agency)
    faces = faces_of(pdf(report), tmp_path)
    assert {FANG, HEI, TITLE} <= faces, faces
    assert (KAI in faces) == has_subheadings(report), faces
    # the tables' 宋体 and nothing else: a face missing from the machine is an error, never another face
    assert faces <= {FANG, HEI, KAI, TITLE, "NotoSerifCJKsc-Regular"}, faces


def test_a_narratives_subheadings_are_headings_alone_or_run_in():
    report = load(2019, "pingtan-zhsyq")
    blocks = drawn(report)[0].blocks
    assert Heading(["（一）基本情况"], 2) in blocks and Heading(["（二）主要做法"], 2) in blocks
    run_in = [block.runs[0].text for block in blocks if isinstance(block, Paragraph) and block.runs[0].heading]
    assert run_in[:3] == ["（一）继续强化信息公开责任。", "（二）继续完善信息公开机制。", "（三）继续加强督导协调工作。"]


def fandol(name: str) -> set[int]:
    path = f"/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/{name}.otf"
    return set(TTFont(path).getBestCmap())


def test_the_stand_ins_have_every_character_the_demo_reports_set_in_them():
    """A character a Fandol face lacks would be drawn by its Noto fallback: none in the demo."""
    used = {FANG: set(), HEI: set(), KAI: set(), TITLE: set()}
    for year, agency in DEMO_REPORTS:
        for block in drawn(load(year, agency))[0].blocks:
            if isinstance(block, Title):
                used[TITLE] |= set(block.text)
            elif isinstance(block, Heading):
                used[KAI if block.level == 2 else HEI] |= set(block.text)
            elif isinstance(block, Paragraph):
                for run in block.runs:
                    used[KAI if run.heading else FANG] |= set(run.text)
    for face, characters in used.items():
        missing = {c for c in characters if not c.isspace()} - {chr(code) for code in fandol(face)}
        assert not missing, (face, "".join(sorted(missing)))


def test_fontconfig_gives_the_official_names_the_stand_ins():
    """What LibreOffice gets for the faces the Word file names (word_style.py)."""
    def match(name: str) -> str:
        return subprocess.run(["fc-match", "-f", "%{family[0]} %{style[0]}", name], capture_output=True,
                              text=True, check=True).stdout

    assert match("仿宋_GB2312") == "FandolFang Regular"
    assert match("黑体") == "FandolHei Regular"
    assert match("楷体_GB2312") == "FandolKai Regular"
    assert match("方正小标宋简体") == "FandolSong Bold"
    assert match("宋体") == "Noto Serif CJK SC Regular"
