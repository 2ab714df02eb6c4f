"""Page and type of the Word report, after GB/T 9704 (党政机关公文格式).

A4 with margins of 37 (top), 35, 28 (left) and 26 mm, which leave a 版心 of 156 × 225 mm; the
title in 2号 方正小标宋简体, the body in 3号 仿宋_GB2312 at an exact pitch of 28.9 pt (22 lines of
28 characters), headings in 黑体 then 楷体_GB2312, tables in 五号 宋体, page numbers in 4号 as
"— 1 —" on the outer side. The faces are named as East Asian fonts (w:eastAsia) with fallbacks
(w:altName) in the font table: WPS and Word use them where installed or the system's own faces,
and LibreOffice falls back to the installed Noto CJK faces.
"""
from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

LATIN = "Times New Roman"  # digits and Latin letters beside the Chinese faces
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TABLE_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
# Where a face is missing, Word and WPS take the first installed one of its w:altName list:
# Windows' own faces, by their Chinese and English names, then macOS's.
FALLBACKS = {
    TITLE_FONT: "华文中宋,STZhongsong,宋体,SimSun",
    BODY_FONT: "仿宋,FangSong,STFangsong",
    HEADING_FONT: "SimHei,Heiti SC",
    SUBHEADING_FONT: "楷体,KaiTi,STKaiti",
    TABLE_FONT: "SimSun,Songti SC",
}
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = 22, 16, 10.5, 14  # pt: 2号, 3号, 五号, 4号
TEXT_WIDTH = 156     # mm: the 版心's width (210 − 28 − 26)
LINE = Pt(28.9)      # 22 lines in the 版心's 225 mm
CONDENSED = -5       # twentieths of a point: 16 pt characters 15.75 pt apart make 28 a line
CHARACTER = BODY_SIZE + CONDENSED / 20  # pt: one character of the body, for indents counted in characters
TITLE, TABLE = "公文标题", "表格文字"  # the styles this module adds (beside Normal, Heading 1 and 2)


def prepare(document, draft: str) -> None:
    """Styles, font table, page, page numbers, and the draft mark of a report with errors
    (`draft`, empty for one without)."""
    _styles(document.styles)
    _font_table(document)
    _page(document, draft)


def _styles(styles) -> None:
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_east_asian_font(defaults, BODY_FONT)
    _set(defaults, "w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN"})  # Chinese line breaking rules

    normal = styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    set_east_asian_font(normal.element.get_or_add_rPr(), BODY_FONT)
    _set(normal.element.rPr, "w:spacing", {"w:val": str(CONDENSED)})
    _paragraph(normal, first_line=2 * CHARACTER, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # A Latin word (a web address, an e-mail) breaks where the line ends, as WPS breaks it by
    # default: else the justified line before it would spread its characters apart.
    normal.element.get_or_add_pPr().insert_element_before(
        OxmlElement("w:wordWrap", {qn("w:val"): "0"}), "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
        "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc")

    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        heading = styles[name]  # the built-in headings: Word's navigation pane and outline list them
        heading.element._remove_rPr()  # the template's theme font, colour, bold and size
        heading.font.size = Pt(BODY_SIZE)
        set_east_asian_font(heading.element.get_or_add_rPr(), font)
        heading.paragraph_format.space_before = Pt(0)

    title = styles.add_style(TITLE, WD_STYLE_TYPE.PARAGRAPH)
    title.base_style, title.font.size = normal, Pt(TITLE_SIZE)
    set_east_asian_font(title.element.get_or_add_rPr(), TITLE_FONT)
    _paragraph(title, first_line=0, alignment=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35), after=LINE)

    table = styles.add_style(TABLE, WD_STYLE_TYPE.PARAGRAPH)  # tables and the notes under charts
    table.base_style, table.font.size = normal, Pt(TABLE_SIZE)
    set_east_asian_font(table.element.get_or_add_rPr(), TABLE_FONT)
    _set(table.element.rPr, "w:spacing", {"w:val": "0"})
    _paragraph(table, first_line=0, alignment=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(15))  # most cells are centred

    for name, font in (("Header", HEADING_FONT), ("Footer", TABLE_FONT)):
        styles[name].font.size = Pt(PAGE_NUMBER_SIZE)
        set_east_asian_font(styles[name].element.get_or_add_rPr(), font)
        _paragraph(styles[name], first_line=0, alignment=WD_ALIGN_PARAGRAPH.CENTER, line=None)


def _paragraph(style, *, first_line, alignment, line=LINE, after=Pt(0)) -> None:
    formatting = style.paragraph_format
    formatting.first_line_indent = Pt(first_line)
    formatting.alignment = alignment
    formatting.line_spacing = line if line is not None else 1.0
    formatting.space_before, formatting.space_after = Pt(0), after


def set_east_asian_font(rpr, east_asian: str) -> None:
    """Name the East Asian face (w:eastAsia, which python-docx's font.name leaves out) beside
    the Latin one, and drop the template's theme fonts, which would win over both. The hint
    sets quotes and dashes shared by both scripts (“”—) in the Chinese face."""
    fonts = rpr.get_or_add_rFonts()
    fonts.attrib.clear()
    for attribute, name in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:cs", LATIN),
                            ("w:eastAsia", east_asian), ("w:hint", "eastAsia")):
        fonts.set(qn(attribute), name)


def _set(rpr, tag: str, attributes: dict) -> None:
    """A run property python-docx has no API for, put where the schema's order wants it."""
    old = rpr.find(qn(tag))
    if old is not None:
        rpr.remove(old)
    element = OxmlElement(tag, {qn(name): value for name, value in attributes.items()})
    rpr.insert_element_before(element, *_RPR_ORDER[_RPR_ORDER.index(tag) + 1:])


# The schema's order of a run's properties, from w:spacing on: Word refuses them out of order.
_RPR_ORDER = ("w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
              "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
              "w:eastAsianLayout", "w:specVanish", "w:oMath")


def _font_table(document) -> None:
    """The faces with their fallbacks and GB2312 as their character set, in the font table:
    python-docx keeps that part as bytes, so a new part takes its place."""
    old = document.part.part_related_by(RT.FONT_TABLE)
    fonts = parse_xml(old.blob)
    for name, alternatives in FALLBACKS.items():
        font = OxmlElement("w:font", {qn("w:name"): name})
        font.append(OxmlElement("w:altName", {qn("w:val"): alternatives}))
        font.append(OxmlElement("w:charset", {qn("w:val"): "86"}))
        fonts.append(font)
    document.part.drop_rel(next(rId for rId, rel in document.part.rels.items() if rel.reltype == RT.FONT_TABLE))
    document.part.relate_to(Part(old.partname, old.content_type, serialize_part_xml(fonts), old.package),
                            RT.FONT_TABLE)


def _page(document, draft: str) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(21)  # page numbers 7 mm under the 版心
    document.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        number = footer.paragraphs[0]  # 单页码居右空一字，双页码居左空一字
        if odd:
            number.alignment, number.paragraph_format.right_indent = WD_ALIGN_PARAGRAPH.RIGHT, Pt(PAGE_NUMBER_SIZE)
        else:
            number.alignment, number.paragraph_format.left_indent = WD_ALIGN_PARAGRAPH.LEFT, Pt(PAGE_NUMBER_SIZE)
        number.add_run("— ")
        field = OxmlElement("w:fldSimple", {qn("w:instr"): " PAGE "})
        field.append(number.add_run("1")._r)  # the number shown until the field is updated
        number._p.append(field)
        number.add_run(" —")
    if draft:
        for header in (section.header, section.even_page_header):
            header.paragraphs[0].add_run(draft).font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
