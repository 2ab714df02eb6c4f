"""Importing published reports: the real samples and seeds, the long CSV, the CLI and the audit.

The expected values are the hand transcriptions in samples/expected/, made from the published
PDFs and pages, not from this code.
"""
import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLES, SEEDS
from nianbao import checks, importer, intake
from nianbao.importer.digits import splits
from nianbao.importer.groups import groups
from nianbao.intake import yamlfile

SAMPLE_NAMES = ["hongze-2023", "hongze-2024", "huaian-2024", "pingtan-2019"]


def expected(name: str) -> dict:
    return json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def csv_of(name: str) -> dict[tuple[str, str, str], str]:
    """`nianbao import FILE --csv` as a user runs it, by (table, row, column)."""
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "import", str(SAMPLES / "raw" / f"{name}.txt"), "--csv"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["table", "row", "column", "value"]
    cells = {(t, r, c): v for t, r, c, v in rows[1:]}
    assert len(cells) == len(rows) - 1, "a cell is listed twice"
    return cells


def expected_cells(name: str) -> dict[tuple[str, str, str], str]:
    """The JSON's values, keyed as the issue names CSV rows and columns: a row by its own
    label, table 四's columns by their path; a blank (null) is an empty value."""
    data = expected(name)
    out = {}

    def text(value):
        return "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))

    for row, values in data["table3"].items():
        for column, value in zip(data["table3_columns"], values):
            out[("三", row.split("/")[-1], column)] = text(value)
    for group, values in data["table4"].items():
        for column, value in zip(data["table4_columns"], values):
            out[("四", "", f"{group}/{column}")] = text(value)
    for row, values in data["table2"].items():
        for column, value in values.items():
            out[("二", row.split("/")[-1], column)] = text(value)
    return out


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024", "huaian-2024"])
def test_every_expected_value_comes_out_of_the_csv(name):
    cells = csv_of(name)
    wanted = expected_cells(name)
    wrong = {key: (value, cells.get(key)) for key, value in wanted.items() if cells.get(key) != value}
    assert not wrong


def test_pingtan_cells_run_together_are_split_where_the_sums_decide():
    cells = csv_of("pingtan-2019")
    wanted = expected_cells("pingtan-2019")
    for key, value in wanted.items():
        if key[0] != "二":
            assert cells[key] == value, key
    # table 二 has no sums: its run-together digits split several ways and stay unknown
    # (the transcription took them from the next year's report), except 规章's `000`
    assert cells[("二", "规章", "本年新制作数量")] == "0"
    assert cells[("二", "行政许可", "上一年项目数量")] == ""
    assert cells[("二", "政府集中采购", "采购总金额")] == "" == wanted[("二", "政府集中采购", "采购总金额")]


def test_pingtan_says_which_values_were_inferred_and_which_are_unknown():
    imported = importer.read(SAMPLES / "raw" / "pingtan-2019.txt")
    by_rule = {}
    for note in imported.notes:
        by_rule.setdefault(note.rule, []).append(note)
    inferred = by_rule["导入.拆分推断"]
    assert [n.row for n in inferred] == ["一、本年新收政府信息公开申请数量"]
    assert "230 000023" in inferred[0].message and "23 | 0 | 0 | 0 | 0 | 0 | 23" in inferred[0].message
    unknown = {n.row.split("/")[-1] for n in by_rule["导入.拆分不确定"]}
    assert unknown == {"规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费", "政府集中采购"}
    licences = next(n for n in by_rule["导入.拆分不确定"] if n.row.endswith("行政许可"))
    assert f"有 {len(splits(['3960181'], 3)[0])} 种拆分" in licences.message and licences.found == "3960181"


@pytest.mark.parametrize("name, edition", [("hongze-2023", "2021-single-six"), ("hongze-2024", "2021-single-six"),
                                           ("huaian-2024", "2021"), ("pingtan-2019", "2019")])
def test_edition_agency_and_year_are_found(name, edition):
    record = importer.read(SAMPLES / "raw" / f"{name}.txt").record
    data = expected(name)
    assert (record.edition, record.year) == (edition, data["year"])
    assert record.agency == data["agency"] or data["agency"].startswith(record.agency)


def test_a_misprinted_label_is_read_and_reported():
    imported = importer.read(SAMPLES / "raw" / "hongze-2023.txt")
    note = next(n for n in imported.notes if n.rule == "导入.标签近似")
    assert note.row.endswith("2.其他法律行政法规禁止公开") and note.found == "2.其他法律行政止公开"


def published_errors(name: str) -> list:
    imported = importer.read(SAMPLES / "raw" / f"{name}.txt")
    return checks.check(imported.record)


def test_the_published_errors_the_notes_describe_are_reported():
    errors = [f for f in published_errors("hongze-2023") if f.severity == "error"]
    assert {(f.rule, f.found) for f in errors} == {("表四.总计", "0")}
    assert {f.message.split("：")[0] for f in errors} == {"表四“行政复议”", "表四“行政诉讼/复议后起诉”"}
    text = [f for f in published_errors("hongze-2024") if f.rule == "文表.申请数"]
    assert [(f.expected, f.found) for f in text] == [("95", "17")] or [(f.found, f.expected) for f in text] == [("95", "17")]


@pytest.mark.parametrize("name", ["hongze-2024", "huaian-2024", "pingtan-2019"])
def test_consistent_reports_get_no_error(name):
    assert [f for f in published_errors(name) if f.severity == "error"] == []


def test_seed_001_imports_completely():
    imported = importer.read(next(SEEDS.glob("001_*.txt")))
    record = imported.record
    assert imported.notes == []
    assert all(value is not None for table in record.tables.values() for row in table.values() for value in row.values())
    assert record.value("二", "第二十条第（一）项/规章", "本年制发件数") == 1  # printed under 本年新发件数
    assert (record.agency, record.year, record.date) == ("衢州市机关事务保障中心", 2022, "2023年1月28")
    assert record.published == "2023年1月28日"
    assert record.parts["一"].startswith("2022年,衢州市机关事务保障中心深入学习贯彻")
    assert "无其他需要报告的事项" in record.parts["六"] and "衢州市机关事务保障中心" not in record.parts["六"]
    assert "0570-3012273" in record.contact


def test_seed_004_imports_its_narrative_and_reports_its_missing_tables():
    record = importer.read(next(SEEDS.glob("004_*.txt"))).record
    assert (record.agency, record.year, record.published) == ("定海区机关事务管理中心", 2022, "2024年1月18日")
    assert "共在定海区政府信息公开网报送信息公开87条" in record.parts["一"]
    assert record.parts["五"].startswith("存在的主要问题有")
    missing = [f for f in checks.check(record) if f.rule == "法定.组成部分"]
    assert [f.table for f in missing] == ["二", "三", "四"]
    assert any(f.rule == "法定.公开时限" for f in checks.check(record))


def test_seed_003_is_read_as_the_legacy_table():
    imported = importer.read(next(SEEDS.glob("003_*.txt")))
    record = imported.record
    assert record.edition == "legacy"
    table = record.tables["统计表"]
    assert table["三、依申请公开情况/（一）收到申请数/3.网络申请数"] == {"统计数": 1}
    assert table["一、主动公开情况/（二）通过不同渠道和方式公开政府信息的情况/2.政府网站公开政府信息数"] == {"统计数": 83}
    # a line printed without its number is unknown, not 0, and said so
    assert table["一、主动公开情况/（二）通过不同渠道和方式公开政府信息的情况/1.政府公报公开政府信息数"] == {"统计数": None}
    assert any(n.rule == "导入.行未找到" and n.row.endswith("1.政府公报公开政府信息数") for n in imported.notes)
    assert {f.rule for f in checks.check(record) if f.severity == "error"} >= {"统计表.收到申请数"}


def test_an_imported_record_is_read_back_by_the_intake(tmp_path):
    record = importer.read(next(SEEDS.glob("001_*.txt"))).record
    path = tmp_path / "quzhou.yaml"
    path.write_text(yamlfile.dump(record), encoding="utf-8")
    again = intake.read(path)
    assert (again.tables, again.parts, again.edition, again.date) == (record.tables, record.parts, record.edition,
                                                                       record.date)


def test_groups_keep_label_numbers_out_of_the_cells():
    found = groups("（七）总计23 0 00 0 023四、结转下年度继续办理 0 0 00 00 0 1.属于国家秘密00000002.其他法律")
    assert [g.tokens for g in found] == [["23", "0", "00", "0", "023"], ["0", "0", "00", "00", "0"], ["0000000"]]
    assert found[2].before == "1.属于国家秘密" and found[2].after.startswith("2.其他法律")
    # an aside holding a digit and a date are label text; a dash standing alone is a blank cell
    assert [g.tokens for g in groups("（不同渠道和方式公开相同信息计1条） 2020年1月5日 —— 102")] == [["—", "102"]]


def test_numbers_as_tables_print_them():
    # thousands separators, full-width digits and 2019's signed 本年增／减 are one cell each
    assert [g.tokens for g in groups("行政许可  447,228  -3  １２")] == [["447228", "-3", "12"]]


def test_splits_are_every_valid_cut():
    assert sorted(splits(["230", "000023"], 7)[0]) == [["2", "30", "0", "0", "0", "0", "23"],
                                                      ["23", "0", "0", "0", "0", "0", "23"],
                                                      ["230", "0", "0", "0", "0", "2", "3"]]
    assert splits(["0000000"], 7) == ([["0"] * 7], True)
    assert ["135", "75394432.52"] in splits(["13575394432.52"], 2)[0]
    assert ["396", "0", "181"] in splits(["3960181"], 3)[0]
    assert splits(["007"], 2) == ([], True)  # `07` is no number


def test_cli_import_writes_records_and_names_what_it_could_not_read(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("hongze-2023", "pingtan-2019"):
        shutil.copy(SAMPLES / "raw" / f"{name}.txt", inputs)
    (inputs / "broken.txt").write_text("这不是年度报告。", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "import", *sorted(map(str, inputs.iterdir())),
                           "-o", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1  # the broken file; the others are written all the same
    assert "broken.txt: 不是政府信息公开工作年度报告或工作总结" in done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["hongze-2023.yaml", "pingtan-2019.yaml"]
    assert "2.其他法律行政止公开" in done.stdout and "导入.拆分不确定" in done.stdout
    assert "--csv" not in done.stdout


def test_audit_pairs_consecutive_years_and_lists_the_worst_first(tmp_path):
    folder = tmp_path / "published"
    (folder / "2023").mkdir(parents=True)
    shutil.copy(SAMPLES / "raw" / "hongze-2023.txt", folder / "2023")
    for name in ("hongze-2024", "huaian-2024", "pingtan-2019"):
        shutil.copy(SAMPLES / "raw" / f"{name}.txt", folder)
    shutil.copy(next(SEEDS.glob("004_*.txt")), folder / "dinghai-2022.txt")
    # a 2024 report whose carry-over disagrees with its agency's 2023 report
    tampered = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8").replace(
        "二、上年结转政府信息公开申请数量                              0",
        "二、上年结转政府信息公开申请数量                              3", 1)
    assert tampered != (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    (folder / "2024-tampered").mkdir()
    (folder / "2024-tampered" / "hongze-2024.txt").write_text(tampered, encoding="utf-8")
    out = tmp_path / "audit"
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "audit", str(folder), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    rows = list(csv.DictReader((out / "audit.csv").open(encoding="utf-8-sig")))
    assert [r["file"] for r in rows][0] == "2024-tampered/hongze-2024.txt"  # its sums break: worst
    assert [int(r["errors"]) for r in rows] == sorted((int(r["errors"]) for r in rows), reverse=True)
    by_file = {r["file"]: r for r in rows}
    assert by_file["2023/hongze-2023.txt"]["edition"] == "2021-single-six"
    assert int(by_file["2023/hongze-2023.txt"]["errors"]) == 2
    assert int(by_file["huaian-2024.txt"]["errors"]) == 0
    page = (out / by_file["2024-tampered/hongze-2024.txt"]["findings"]).read_text(encoding="utf-8")
    assert "跨年.结转" in page  # checked against the 2023 report of the same agency
    clean = (out / by_file["hongze-2024.txt"]["findings"]).read_text(encoding="utf-8")
    assert "跨年.结转" not in clean and "文表.申请数" in clean
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("2024-tampered") < index.index("huaian-2024.txt")
    assert (out / "records" / "huaian-2024.yaml").exists()



@pytest.mark.parametrize("published", ["1. 加强领导", "---", "- 项目", "# 标题 *重点* <b>x</b> [a](javascript:x)"])
def test_published_text_renders_as_the_text_it_is(published):
    from nianbao.document import Paragraph, Run, Section, build
    from nianbao.importer.document import markdown
    from nianbao.pages import html

    blocks = build.narrative(markdown(published, "lines"))
    assert blocks == [Paragraph([Run(published)])]
    shown = str(html.section(Section("part:一", blocks)))
    assert f"<p>{published.replace('<', '&lt;').replace('>', '&gt;')}</p>" in shown
