"""The demo through `nianbao run` as open data: every record.json valid against its edition's
schema, outputs/data/ a valid data package whose cells are record.json's, the CSV files opened
by LibreOffice Calc in Chinese, and every report of the 2019 and 2021 editions with its 图解 and
解读 stating its record's figures; `nianbao audit` writes a package of the same shape."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from pypdf import PdfReader

from conftest import ROOT, SAMPLES, copy_project
from nianbao.cli import main

DEMO = sorted((year.name, path.stem) for year in (ROOT / "params").iterdir() for path in year.glob("*.yaml"))
TABLED = ("2021", "2021-single-six", "2019")  # the editions whose every report must have its 图解
RECEIVED = ("三", "一、本年新收政府信息公开申请数量", "总计")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The whole demo, made by one `nianbao run`."""
    project = copy_project(tmp_path_factory.mktemp("demo"), DEMO)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert main(["run", "--jobs", "2"]) == 0
    return project / "outputs"


def folders(outputs: Path) -> list[Path]:
    return sorted(path.parent for path in outputs.glob("[0-9]*/*/run.json"))


def record_of(folder: Path) -> dict:
    return json.loads((folder / "record.json").read_text(encoding="utf-8"))


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_record_json_validates_against_the_schema_nianbao_schema_prints(outputs, capsys):
    schemas = {}
    for folder in folders(outputs):
        record = record_of(folder)
        if record["edition"] not in schemas:
            assert main(["schema", "--edition", record["edition"]]) == 0
            schemas[record["edition"]] = json.loads(capsys.readouterr().out)
            jsonschema.Draft202012Validator.check_schema(schemas[record["edition"]])
        jsonschema.validate(record, schemas[record["edition"]], cls=jsonschema.Draft202012Validator)
    assert set(schemas) == {"2021", "2019", "legacy", "work-summary"}
    # a blank is null, never 0, and a value of the wrong kind or place does not pass
    record = record_of(outputs / "2022/dinghai-jgswglzx")
    assert record["tables"]["二"]["第二十条第（一）项/规章"]["本年制发件数"] is None  # table 二 was not published
    for table, row, column, wrong in [(*RECEIVED, "22"), (*RECEIVED, -1), (*RECEIVED, 2.5),
                                      ("三", "一、本年新收申请", "总计", 1)]:
        broken = json.loads(json.dumps(record))
        broken["tables"][table].setdefault(row, {})[column] = wrong
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schemas["2021"], cls=jsonschema.Draft202012Validator)


def test_the_data_package_passes_frictionless_validate(outputs):
    package = outputs / "data" / "datapackage.json"
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json", str(package)],
                          capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["valid"], done.stdout[-2000:]
    assert {task["name"]: task["stats"]["rows"] for task in report["tasks"]} == {
        "reports": len(folders(outputs)),
        "cells": sum(len(columns) for folder in folders(outputs)
                     for table in record_of(folder)["tables"].values() for columns in table.values())}


def test_each_cell_of_the_long_table_is_the_same_cell_of_record_json(outputs):
    cells = rows(outputs / "data" / "cells.csv")
    records = {folder.relative_to(outputs).as_posix(): record_of(folder) for folder in folders(outputs)}
    for cell in cells:
        record = records[cell["report_id"]]
        value = record["tables"][cell["table"]][cell["row"]][cell["column"]]
        assert (cell["agency"], cell["year"], cell["edition"]) == (record["agency"], str(record["year"]),
                                                                   record["edition"])
        assert cell["blank"] == ("true" if value is None else "false")
        assert (cell["value"] == "") if value is None else float(cell["value"]) == value
    shown = {(c["report_id"], c["table"], c["row"], c["column"]): c for c in cells}
    assert shown[("2023/shili-zrzyghj", *RECEIVED)]["value"] == "64"
    assert shown[("2022/quzhou-jgswbzzx", "二", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）")]["unit"] == "万元"
    # every report's slice of the package lies beside it
    mine = [cell for cell in cells if cell["report_id"] == "2023/shili-zrzyghj"]
    assert rows(outputs / "2023/shili-zrzyghj/cells.csv") == mine


def test_the_reports_table_has_each_report_and_a_government_names_the_units_it_sums(outputs):
    reports = {line["report_id"]: line for line in rows(outputs / "data" / "reports.csv")}
    assert set(reports) == {folder.relative_to(outputs).as_posix() for folder in folders(outputs)}
    city = reports["2023/shili-szf"]
    # 示例市卫生健康委员会 is in its scope but has no report: not among the units summed
    assert city["sum_of"].split(";") == ["shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj"]
    units = [record_of(outputs / "2023" / unit)["tables"]["三"][RECEIVED[1]]["总计"] for unit in city["sum_of"].split(";")]
    assert int(city["received"]) == sum(units) == 144
    assert (city["status"], city["open_errors"], city["date_iso"]) == ("含错误", "3", "2024-03-22")
    quzhou = reports["2022/quzhou-jgswbzzx"]
    assert (quzhou["date"], quzhou["date_iso"]) == ("2023年1月28", "")  # as written; no 日, so no date
    assert (quzhou["review_corrected"], quzhou["fee"], quzhou["sum_of"]) == ("0", "0", "")
    assert reports["2022/quzhou-jgswbzzx-summary"]["received"] == ""  # a work summary has no tables


def test_the_csv_files_open_in_libreoffice_calc_with_chinese_intact(outputs, tmp_path):
    for name in ("reports.csv", "cells.csv"):
        assert (outputs / "data" / name).read_bytes().startswith(b"\xef\xbb\xbfreport_id,")  # Excel and WPS: UTF-8
    # Calc as a person opens them: comma-separated, UTF-8, the first line the header
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
                    str(outputs / "data" / "reports.csv"), str(outputs / "data" / "cells.csv")],
                   check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    for name in ("reports", "cells"):
        sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx").active
        read = [[cell if cell is not None else "" for cell in line] for line in sheet.iter_rows(values_only=True)]
        written = rows(outputs / "data" / f"{name}.csv")
        assert read[0] == list(written[0])  # the header, its first name without the byte-order mark
        assert len(read) == len(written) + 1
        for line, wanted in zip(read[1:], written):
            assert [str(v) for v in line[:3]] == [wanted["report_id"], wanted["agency"], wanted["agency_id"]]
    sheet = openpyxl.load_workbook(tmp_path / "cells.xlsx").active
    chinese = {line[5] for line in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"二", "三", "四", "统计表"} <= chinese


def figure(record: dict, table: str, row: str, columns: list[str]):
    values = [record["tables"][table][row][column] for column in columns]
    return None if None in values else sum(values)


def test_every_2019_and_2021_report_has_its_digest_stating_its_records_figures(outputs):
    made = [folder for folder in folders(outputs) if record_of(folder)["edition"] in TABLED]
    assert len(made) == 14
    for folder in made:
        pdf = PdfReader(folder / "digest.pdf")
        assert len(pdf.pages) == 1 and [round(float(x)) for x in pdf.pages[0].mediabox[2:]] == [595, 842]  # A4
        assert (folder / "digest.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        text = pdf.pages[0].extract_text().replace(" ", "").replace("\n", "")
        said = (folder / "digest.md").read_text(encoding="utf-8")
        record = record_of(folder)
        checks = json.loads((folder / "checks.json").read_text(encoding="utf-8"))
        failing = {f["table"] for f in checks["findings"] if f["severity"] == "error" and f["table"]}
        four = record["tables"]["四"][""]
        litigation = four["行政诉讼/未经复议直接起诉/总计"] + four["行政诉讼/复议后起诉/总计"]
        stated = {"行政复议": four["行政复议/总计"], "行政诉讼": litigation,
                  "新收申请": figure(record, *RECEIVED[:2], ["总计"])}
        for label, value in stated.items():
            if "三" in failing and label == "新收申请" or value is None:
                assert f"{label}" not in said and f"{label}" not in text  # left out, not softened
            else:
                assert f"{label}{value}件" in said and f"{label}{value}件" in text
        if four["行政复议/总计"]:
            share = four["行政复议/结果纠正"] / four["行政复议/总计"]
            assert f"其中结果纠正{four['行政复议/结果纠正']}件，占{share:.0%}" in said
        assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["cpu"]["digest"] > 0
    # the year before: 示例市自然资源和规划局 received 71 in 2022 and 64 in 2023
    said = (outputs / "2023/shili-zrzyghj/digest.md").read_text(encoding="utf-8")
    assert "新收申请64件，较上年减少7件（-10%）" in said
    assert "- 新收申请：表三“一、本年新收政府信息公开申请数量”行“总计”列" in said  # where it comes from
    # 示例市交通运输局's table 三 does not add up: its figures are left out, and the page says so
    transport = (outputs / "2023/shili-jtysj/digest.md").read_text(encoding="utf-8")
    assert "表三未通过核查，其数字未列入本解读。" in transport and "办理完毕" not in transport
    assert "草稿（核查未通过）" in transport
    city = (outputs / "2023/shili-szf/digest.md").read_text(encoding="utf-8")
    assert "本报告的表格为所涵盖的4个单位之和。" in city and "行政复议12件" in city  # its summed tables
    assert not (outputs / "2022/quzhou-jgswbzzx-summary/digest.pdf").exists()  # no tables, no 图解


def test_each_figure_of_the_html_digest_is_the_sum_of_the_report_pages_cells_it_names(outputs):
    from bs4 import BeautifulSoup

    traced = 0
    for folder in (f for f in folders(outputs) if (f / "digest.html").exists()):
        record = record_of(folder)
        report = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
        shown = {}
        for cell in report.select("[data-cell]"):  # every value cell names the record's cell it shows
            table, row, column = json.loads(cell["data-cell"])
            value = record["tables"][table][row][column]
            assert cell.get_text(strip=True) == ("" if value is None else f"{value:g}"), (folder, table, row, column)
            shown[table, row, column] = value
        assert len(shown) == sum(len(columns) for rows in record["tables"].values() for columns in rows.values())
        digest = BeautifulSoup((folder / "digest.html").read_text(encoding="utf-8"), "html.parser")
        for figure in digest.select("data[data-cells]"):
            cells = [tuple(ref) for ref in json.loads(figure["data-cells"])]
            assert cells and float(figure["value"]) == sum(shown[cell] for cell in cells), (folder, cells)
            traced += 1
        said = (folder / "digest.md").read_text(encoding="utf-8")
        assert all(f"{f.get_text()}{f.find_next_sibling('span').get_text()}" in said for f in digest.select("data"))
    assert traced > 100
    # the page is text, not markup from the record: nothing runs, nothing is fetched
    page = (outputs / "2023/shili-zrzyghj/digest.html").read_text(encoding="utf-8")
    assert "<script" not in page and "default-src 'none'" in page


def test_the_html_digest_fits_a_phone(outputs, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto((outputs / "2023/shili-zrzyghj/digest.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("data").count() >= 10 and page.locator("h2").count() >= 4
    page.screenshot(path=str(outputs.parent / "digest-phone.png"), full_page=True)


def test_the_audit_writes_a_package_of_the_same_shape_for_what_it_read(outputs, tmp_path):
    from frictionless import validate

    published = tmp_path / "published"
    published.mkdir()
    for name in ("hongze-2023.txt", "pingtan-2019.txt"):
        shutil.copy(SAMPLES / "raw" / name, published)
    (published / "README.txt").write_text("这个文件夹收集已发布的年报。", encoding="utf-8")
    main(["audit", str(published), "-o", str(tmp_path / "audit"), "--jobs", "1"])
    package = tmp_path / "audit" / "data" / "datapackage.json"
    assert validate(package).valid
    batch = json.loads((outputs / "data" / "datapackage.json").read_text(encoding="utf-8"))
    audited = json.loads(package.read_text(encoding="utf-8"))
    assert [r["schema"] for r in audited["resources"]] == [r["schema"] for r in batch["resources"]]
    reports = {line["report_id"]: line for line in rows(tmp_path / "audit" / "data" / "reports.csv")}
    assert set(reports) == {"hongze-2023.txt", "pingtan-2019.txt"}  # the README is no report
    assert (reports["pingtan-2019.txt"]["received"], reports["pingtan-2019.txt"]["edition"]) == ("23", "2019")


def test_a_rerun_rewrites_only_the_parts_of_the_package_that_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2022", "shili-scjgj"), ("2023", "shili-scjgj"),
                                              ("2023", "shili-sjzyglj")]))
    data, record = tmp_path / "outputs" / "data", tmp_path / "data/2023/shili-sjzyglj.yaml"

    def files():  # each file of the package and of every report's slice of it, as the filesystem has it
        found = [*data.iterdir(), *(tmp_path / "outputs").glob("[0-9]*/*/*.csv")]
        return {path.relative_to(tmp_path).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns) for path in found}

    assert main(["run", "--jobs", "2"]) == 0
    first = files()
    assert len(first) == 3 + 2 * 3
    assert main(["run", "--jobs", "2"]) == 0  # nothing changed: nothing written
    assert files() == first

    # The contact line changes: the report is made again, its lines of the package are the same
    record.write_text(record.read_text(encoding="utf-8").replace("（电话：0000-1234567）", "（电话：0000-7654321）"),
                      encoding="utf-8")
    assert main(["run", "--jobs", "2"]) == 0
    again = files()
    assert {name for name in first if again[name] != first[name]} == {"outputs/2023/shili-sjzyglj/reports.csv",
                                                                      "outputs/2023/shili-sjzyglj/cells.csv"}

    # A key figure changes: the report's lines and the package's tables change, the rest stays
    record.write_text(record.read_text(encoding="utf-8").replace("行政许可: {本年处理决定数量: 0}",
                                                                 "行政许可: {本年处理决定数量: 7}"), encoding="utf-8")
    assert main(["run", "--jobs", "2"]) == 0
    last = files()
    assert {name for name in first if last[name] != again[name]} == {
        "outputs/2023/shili-sjzyglj/reports.csv", "outputs/2023/shili-sjzyglj/cells.csv",
        "outputs/data/reports.csv", "outputs/data/cells.csv", "outputs/data/datapackage.json"}
    assert {line["report_id"]: line["licensing"] for line in rows(data / "reports.csv")} == {
        "2022/shili-scjgj": "1250", "2023/shili-scjgj": "1302", "2023/shili-sjzyglj": "7"}
