"""The same report published in several files: `nianbao audit` compares the page, the Word file
and the PDF of one report cell by cell, and names every cell and field where they disagree
(rule 发布.版本不一).

The three files are made here as an office makes them, by our own exporters (the HTML page, the
Word file, the Typst PDF) from a real published report (samples/raw/huaian-2024.txt, imported);
where one file is to disagree, its source record is changed before it is rendered.
"""
import copy
import csv

import pytest

from conftest import SAMPLES, drawn
from nianbao import audit, copies, importer
from nianbao.cli import main
from nianbao.pages import html, typeset, word
from nianbao.report import Report

RULE = "发布.版本不一"
RECEIVED = ("三", "一、本年新收政府信息公开申请数量", "自然人")  # 3001 as published
SUFFIXES = (".html", ".docx", ".pdf")


@pytest.fixture(scope="module")
def published():
    """The sample report as imported, with the date it was signed (the text as extracted lost it)."""
    record = importer.read(SAMPLES / "raw" / "huaian-2024.txt").record
    record.date = "2025年1月20日"
    assert record.value(*RECEIVED) == 3001
    return record


def publish(record, folder, stem: str = "huaian-2024", **changed) -> None:
    """The report as its office publishes it, as a page, a Word file and a PDF made by the
    exporters; `changed` maps a suffix without its dot (`pdf`) to the record that file is made from."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in SUFFIXES:
        document, _ = drawn(Report(changed.get(suffix[1:], record), []), history=False)
        path = folder / f"{stem}{suffix}"
        if suffix == ".html":
            path.write_text(html.page(document), encoding="utf-8")
        else:
            path.write_bytes(word.docx(document) if suffix == ".docx" else typeset.pdf(document))


def findings(entries) -> dict[str, list]:
    return {entry.file.name: [f for f in entry.findings if f.rule == RULE] for entry in entries}


def test_one_cell_changed_in_the_pdf_is_named_with_each_files_value(published, tmp_path, capsys):
    changed = copy.deepcopy(published)
    table, row, column = RECEIVED
    changed.tables[table][row][column] = 3010
    publish(published, tmp_path / "site", pdf=changed)
    out = tmp_path / "audit"
    assert main(["audit", str(tmp_path / "site"), "-o", str(out), "--jobs", "2"]) == 1
    said = ("同一份报告的各个文件所载不同：表三“一、本年新收政府信息公开申请数量”行“自然人”列，"
            "huaian-2024.docx、huaian-2024.html 为“3001”，huaian-2024.pdf 为“3010”")
    summary = capsys.readouterr().out
    assert f"同一份报告的多个文件所载不同（{RULE}）：1 处（表格：{out / 'copies.csv'}）\n  {said}\n" in summary
    with (out / "copies.csv").open(encoding="utf-8-sig") as handle:
        disagreements = [(row["file"], row["table"], row["row"], row["column"], row["value"], row["others"])
                         for row in csv.DictReader(handle)]
    assert disagreements == [
        ("huaian-2024.docx", *RECEIVED, "3001", "huaian-2024.html：3001；huaian-2024.pdf：3010"),
        ("huaian-2024.html", *RECEIVED, "3001", "huaian-2024.docx：3001；huaian-2024.pdf：3010"),
        ("huaian-2024.pdf", *RECEIVED, "3010", "huaian-2024.docx：3001；huaian-2024.html：3001")]
    with (out / "audit.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ["huaian-2024.docx", "huaian-2024.html", "huaian-2024.pdf"]
    # the page is the Word file to the last cell and date: not checked again, its page says so and the finding
    assert rows["huaian-2024.html"]["status"] == "与 huaian-2024.docx 是同一份报告，未再核查"
    for name in rows:
        page = (out / rows[name]["findings"]).read_text(encoding="utf-8")
        assert RULE in page and said in page, name


def test_the_three_files_of_one_report_consistent_give_no_such_finding(published, tmp_path):
    publish(published, tmp_path / "site")
    entries = audit.audit(tmp_path / "site", tmp_path / "audit", jobs=2)
    assert len(entries) == 3 and all(entry.read for entry in entries)
    assert findings(entries) == {f"huaian-2024{suffix}": [] for suffix in SUFFIXES}
    assert (tmp_path / "audit" / "copies.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "file,agency,year,table,row,column,field,value,others"]
    assert sorted(str(entry.duplicate_of) for entry in entries if entry.duplicate_of) == ["huaian-2024.docx"] * 2


def test_a_date_and_an_agency_printed_otherwise_in_the_word_file_are_named(published, tmp_path):
    changed = copy.deepcopy(published)
    changed.date = "2025年1月21日"
    changed.agency = "淮安市人民政府办公室"
    publish(published, tmp_path / "site", docx=changed)
    entries = audit.audit(tmp_path / "site", tmp_path / "audit", jobs=2)
    said = {f.part: f.message for f in findings(entries)["huaian-2024.docx"]}
    assert said == {
        "date": "同一份报告的各个文件所载不同：成文日期，huaian-2024.docx 为“2025年1月21日”，"
                "huaian-2024.html、huaian-2024.pdf 为“2025年1月20日”",
        "agency": "同一份报告的各个文件所载不同：机关名称，huaian-2024.docx 为“淮安市人民政府办公室”，"
                  "huaian-2024.html、huaian-2024.pdf 为“淮安市人民政府”"}
    assert not any(f.table for f in findings(entries)["huaian-2024.docx"])  # the tables agree


def test_files_are_grouped_by_agency_and_year_or_by_name_in_one_folder(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    groups = copies.groups([(a / "x.html", "淮安市人民政府", 2024), (b / "y.pdf", "淮安市人民政府", 2024),
                            (a / "x.docx", "淮安市人民政府办公室", 2024), (a / "x.pdf", "淮安市人民政府", 2023),
                            (b / "z.pdf", "", 2024), (b / "z.docx", "", 2024), (b / "w.pdf", "", 2024)])
    assert groups == [[a / "x.docx", a / "x.html", b / "y.pdf"], [b / "z.docx", b / "z.pdf"]]


def test_a_row_the_import_could_not_read_is_no_disagreement(published, tmp_path):
    """The page as published beside the text a crawler took of it, with one digit misread: the
    row's numbers are unknown in the text (导入.行未找到), not different."""
    folder = tmp_path / "site"
    folder.mkdir()
    document, _ = drawn(Report(published, []), history=False)
    (folder / "huaian-2024.html").write_text(html.page(document), encoding="utf-8")
    text = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    line = "一、本年新收政府信息公开申请数量                3001"
    assert line in text
    (folder / "huaian-2024.txt").write_text(text.replace(line, line.replace("3001", "30O1")), encoding="utf-8")
    entries = audit.audit(folder, tmp_path / "audit", jobs=2)
    [text_entry] = [e for e in entries if e.file.suffix == ".txt"]
    assert any(f.rule == "导入.行未找到" and f.row == RECEIVED[1] for f in text_entry.findings)
    assert findings(entries) == {"huaian-2024.html": [], "huaian-2024.txt": []}


def test_a_copies_rule_naming_no_field_of_a_record_is_refused_when_its_edition_loads():
    from nianbao import editions
    from nianbao.editions.schema import rule_problems

    rule = {"id": RULE, "kind": "copies", "severity": "error", "fields": {"dates": "成文日期"}, "message": "{what}，{values}"}
    assert list(rule_problems(editions.load("2021"), rule)) == [
        "fields 应为记录字段到其名称的映射，字段可用：agency、signed_by、date、published、contact"]
    assert list(rule_problems(editions.load("2021"), {**rule, "fields": {"date": "成文日期"}})) == []
