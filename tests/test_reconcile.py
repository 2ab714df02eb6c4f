"""Reconciling what was published: a government's tables against the sum of its children's.

The children are real published reports (samples/raw/huaian-2024.txt, hongze-2024.txt). The
parent is a report written here, as a PDF converter lays out Markdown (as fixtures/published/
hongze-2024.md is), whose every cell is the sum of the children's hand transcriptions in
samples/expected/ added up here, not by the code under test. huaian uses the 2021 edition with
three （六） sub-rows, hongze the single （六） row; the parent takes the single row, which
huaian's three add up to.
"""
import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES

from nianbao import importer, reconcile
from nianbao.audit import audit, files
from nianbao.cli import main

CHILDREN = {"huaian-2024": "淮安市人民政府", "hongze-2024": "淮安市洪泽区人民政府"}
PARENT = "某市人民政府"
NEW = ("三", "一、本年新收政府信息公开申请数量", "总计")  # the cell the tests alter
OTHER = "三、本年度办理结果/（六）其他处理"  # the single row huaian's three sub-rows add up to


def transcription(name: str) -> dict:
    return json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def cells(name: str) -> dict[tuple[str, str, str], float]:
    """A transcription's cells as (table, row path, column), in the single-（六） layout."""
    data = transcription(name)
    found = {}
    for row, values in data["table2"].items():
        for column, value in values.items():
            found[("二", row, column)] = value
    for row, values in data["table3"].items():
        row = OTHER if row.startswith(OTHER) else row
        for column, value in zip(data["table3_columns"], values, strict=True):
            found[("三", row, column)] = found.get(("三", row, column), 0) + value
    for group, values in data["table4"].items():
        for column, value in zip(data["table4_columns"], values, strict=True):
            found[("四", group, column)] = value
    return found


def total(names) -> dict[tuple[str, str, str], float]:
    each = [cells(name) for name in names]
    return {key: sum(c[key] for c in each) for key in each[0]}


def text(value) -> str:
    return str(round(value, 6)) if isinstance(value, float) else str(value)


def published(agency: str, values: dict, year: int = 2024) -> str:
    """A report with these tables, as Markdown a PDF converter writes (fixtures/published/hongze-2024.md)."""
    lines = [f"# {agency}", "", f"# {year}年政府信息公开工作年度报告", "",
             "## 一、总体情况", "", f"{year}年，本机关依法推进政府信息公开工作。", "",
             "## 二、主动公开政府信息情况", "", "|第二十条第（一）项||||", "|---|---|---|---|"]
    blocks = {}
    for (table, row, column), value in values.items():
        if table == "二":
            block, label = row.split("/")
            blocks.setdefault(block, {}).setdefault(label, {})[column] = value
    for index, (block, rows) in enumerate(blocks.items()):
        columns = list(next(iter(rows.values())))
        if index:
            lines.append(f"|{block}||||")
        lines.append("|" + "|".join(["信息内容", *columns, *[""] * (3 - len(columns))]) + "|")
        for label, row in rows.items():
            lines.append("|" + "|".join([label, *map(text, row.values()), *[""] * (3 - len(row))]) + "|")
    lines += ["", "## 三、收到和处理政府信息公开申请情况", "",
              "|（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）|||申请人情况|||||||",
              "|---|---|---|---|---|---|---|---|---|---|",
              "||||自然人|法人或其他组织|||||总计|",
              "|||||商业企业|科研机构|社会公益组织|法律服务机构|其他||"]
    rows = {}
    for (table, row, column), value in values.items():
        if table == "三":
            rows.setdefault(row, []).append(value)
    for row, numbers in rows.items():
        labels = (row.split("/") + ["", ""])[:3]
        lines.append("|" + "|".join([*labels, *map(text, numbers)]) + "|")
    fourth = [text(value) for (table, _, _), value in values.items() if table == "四"]
    lines += ["", "## 四、政府信息公开行政复议、行政诉讼情况", "",
              "|行政复议|||||行政诉讼||||||||||", "|" + "---|" * 15,
              "||||||未经复议直接起诉|||||复议后起诉|||||",
              "|" + "结果维持|结果纠正|其他结果|尚未审结|总计|" * 3,
              "|" + "|".join(fourth) + "|",
              "", "## 五、存在的主要问题及改进情况", "", "本年度工作仍有不足，将继续改进。", "",
              "## 六、其他需要报告的事项", "", "本年度未收取信息处理费。", ""]
    return "\n".join(lines)


def altered(values: dict, cell: tuple, by: int) -> dict:
    table, row, column = cell
    key = (table, row, column.split("/")[-1])
    assert key in values
    return {**values, key: values[key] + by}


@pytest.fixture(scope="module")
def children():
    """The two real reports, imported, as the children of a parent."""
    return {name: importer.read(SAMPLES / "raw" / f"{name}.txt").record for name in CHILDREN}


def parent_record(tmp_path, values, agency=PARENT):
    path = tmp_path / "parent.md"
    path.write_text(published(agency, values), encoding="utf-8")
    return importer.read(path).record


def as_children(records: dict) -> list[reconcile.Child]:
    return [reconcile.Child(Path(f"{name}.txt"), record.agency, record) for name, record in records.items()]


def test_the_parent_written_here_is_read_as_written(tmp_path):
    """The parent's Markdown is read back with every cell the sums put in it (or the other tests
    would be testing the importer)."""
    record = parent_record(tmp_path, total(CHILDREN))
    assert (record.agency, record.year, record.edition) == (PARENT, 2024, "2021-single-six")
    assert record.value(*NEW) == 3119 + 95
    assert record.value("三", OTHER, "总计") == 71 + 6 + 110 + 0
    assert record.value("二", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）") == pytest.approx(96171.6 + 7545)
    assert record.value("四", "", "行政诉讼/复议后起诉/总计") == 20 + 3


def test_a_consistent_set_has_no_differences(tmp_path, children):
    record = parent_record(tmp_path, total(CHILDREN))
    result = reconcile.compare(record, as_children(children))
    assert result.complete and [c.name for c in result.summed] == list(CHILDREN.values())
    assert result.differences == [] and result.unknown == []
    assert reconcile.findings(result, record) == []
    assert result.summary == "核对下级 2 份：0 处不一致"


def test_one_altered_cell_is_one_difference_with_every_childs_value(tmp_path, children):
    record = parent_record(tmp_path, altered(total(CHILDREN), NEW, +1))
    result = reconcile.compare(record, as_children(children))
    assert len(result.differences) == 1
    cell = result.differences[0]
    assert (cell.table, cell.row, cell.column) == NEW
    assert (cell.published, cell.total) == (3215, 3214)
    assert cell.values == [("淮安市人民政府", 3119), ("淮安市洪泽区人民政府", 95)]
    [found] = reconcile.findings(result, record)
    assert (found.rule, found.severity, found.table, found.row, found.column) == ("汇总.逐格核对", "error", *NEW)
    assert found.message == ("表三“一、本年新收政府信息公开申请数量”行“总计”列：本级公布 3215，"
                             "下级报告之和 3214（淮安市人民政府 3119、淮安市洪泽区人民政府 95）")
    assert result.summary == "核对下级 2 份：1 处不一致"


def test_a_blank_child_cell_cannot_be_checked_and_is_no_difference(tmp_path, children):
    """fixtures/published/huaian-2024.html publishes 行政强制's 本年处理决定数量 blank."""
    page = importer.read(FIXTURES / "published" / "huaian-2024.html").record
    blank = ("二", "第二十条第（六）项/行政强制", "本年处理决定数量")
    assert page.value(*blank) is None
    record = parent_record(tmp_path, total(CHILDREN))
    result = reconcile.compare(record, as_children({"huaian-2024": page, "hongze-2024": children["hongze-2024"]}))
    assert result.differences == []
    [cell] = result.unknown
    assert (cell.table, cell.row, cell.column) == blank
    assert (cell.published, cell.total, cell.blank) == (88283 + 84, None, ["淮安市人民政府"])
    assert result.summary == "核对下级 2 份：0 处不一致，无法核对 1 格"


def test_a_child_of_an_edition_that_cannot_be_mapped_is_named_and_the_sum_is_incomplete(children):
    """huaian (2021, three （六） sub-rows) as the parent: hongze's single row cannot be split."""
    result = reconcile.compare(children["huaian-2024"],
                               as_children({"hongze-2024": children["hongze-2024"]}))
    [child] = result.children
    assert "格式版本" in child.reason and "（六）其他处理" in child.reason
    assert not result.complete and result.differences == []
    assert result.summary.endswith("1 份下级报告未计入，下级之和不完整")


# the hierarchy: a file, or the folders ------------------------------------------------------

def folder_of(tmp_path, layout: dict[str, str]) -> Path:
    """A folder of published reports: {its path: a sample name, or a report's text}."""
    folder = tmp_path / "published"
    for where, what in layout.items():
        (folder / where).parent.mkdir(parents=True, exist_ok=True)
        if what in CHILDREN:
            shutil.copy(SAMPLES / "raw" / f"{what}.txt", folder / where)
        else:
            (folder / where).write_text(what, encoding="utf-8")
    return folder


def hierarchy_file(tmp_path, text: str) -> Path:
    path = tmp_path / "hierarchy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_nested_hierarchy_compares_each_parent_with_its_own_children(tmp_path):
    """A city over a county over its department: the city sums the county's published tables,
    not the department's, so a cell the county got wrong shows at both levels."""
    county = altered(cells("hongze-2024"), NEW, +2)
    folder = folder_of(tmp_path, {
        "city.md": published(PARENT, altered(total(CHILDREN), NEW, +2)),
        "huaian-2024.txt": "huaian-2024",
        "county/county.md": published("某县人民政府", county),
        "county/hongze-2024.txt": "hongze-2024"})
    hierarchy = reconcile.read_hierarchy(hierarchy_file(tmp_path, (
        "city.md: [huaian-2024.txt, county/county.md]\n"
        "county/county.md: [county/hongze-2024.txt]\n")), folder, files(folder))
    entries = {e.file.relative_to(folder).as_posix(): e for e in audit(folder, tmp_path / "out", jobs=1,
                                                                        hierarchy=hierarchy)}
    city, below = entries["city.md"].reconciliation, entries["county/county.md"].reconciliation
    assert [c.name for c in city.children] == ["淮安市人民政府", "某县人民政府"]
    assert [c.name for c in below.children] == ["淮安市洪泽区人民政府"]
    assert city.differences == []  # the city agrees with the county as published
    [cell] = below.differences
    assert (cell.table, cell.row, cell.column, cell.published, cell.total) == (*NEW, 97, 95)
    assert entries["huaian-2024.txt"].reconciliation is None
    assert "汇总.逐格核对" in {f.rule for f in entries["county/county.md"].findings}


def test_by_folder_a_government_adds_up_its_folder_and_its_subfolders_governments(tmp_path):
    folder = folder_of(tmp_path, {
        "parent.md": published(PARENT, total(CHILDREN)),
        "broken.txt": "这不是年度报告。",
        "city/huaian-2024.txt": "huaian-2024",
        "county/hongze-2024.txt": "hongze-2024"})
    entries = {e.file.relative_to(folder).as_posix(): e for e in audit(folder, tmp_path / "out", jobs=1,
                                                                        by_folder=True)}
    result = entries["parent.md"].reconciliation
    assert sorted(c.file.relative_to(folder).as_posix() for c in result.children) == [
        "broken.txt", "city/huaian-2024.txt", "county/hongze-2024.txt"]
    broken = next(c for c in result.children if c.reason)
    assert broken.name == "broken.txt" and "不是政府信息公开工作年度报告" in broken.reason
    assert result.differences == [] and not result.complete
    assert entries["city/huaian-2024.txt"].reconciliation is None  # alone in its folder


def test_by_folder_two_governments_of_one_year_in_one_folder_are_ambiguous(children):
    folder = Path("published")
    hierarchy, ambiguous = reconcile.by_folder(folder, [
        (folder / "huaian-2024.txt", children["huaian-2024"]),
        (folder / "hongze-2024.txt", children["hongze-2024"])])
    assert hierarchy == {}
    assert set(ambiguous) == {folder / "huaian-2024.txt", folder / "hongze-2024.txt"}
    warning = ambiguous[folder / "huaian-2024.txt"]
    assert (warning.rule, warning.severity) == ("汇总.上级不明", "warning")
    assert "2 份 2024 年度人民政府的报告" in warning.message and "hongze-2024.txt" in warning.message


@pytest.mark.parametrize("text, said", [
    ("parent.md: [a.txt, parent.md]\n", "上下级关系成环：parent.md → parent.md"),
    ("parent.md: [a.txt]\na.txt: [b/b.txt]\nb/b.txt: [parent.md]\n", "上下级关系成环：parent.md → a.txt → b/b.txt → parent.md"),
    ("parent.md: [a.txt, c.txt]\n", "条目“parent.md”：“c.txt”不是"),
    ("nowhere.md: [a.txt]\n", "条目“nowhere.md”：“nowhere.md”不是"),
    ("parent.md: a.txt\n", "条目“parent.md”：下级应为报告文件的列表"),
    ("parent.md: [a.txt, ./a.txt]\n", "条目“parent.md”：下级“a.txt”列出不止一次"),
    ("parent.md: [a.txt\n", "不是有效的 YAML"),
    ("- parent.md\n", "应为上级报告文件到其下级报告文件列表的映射"),
])
def test_a_hierarchy_file_that_cannot_be_used_is_refused_naming_the_file_and_entry(tmp_path, text, said):
    folder = tmp_path / "published"
    reports = [folder / "parent.md", folder / "a.txt", folder / "b" / "b.txt"]
    path = hierarchy_file(tmp_path, text)
    with pytest.raises(reconcile.HierarchyError) as refused:
        reconcile.read_hierarchy(path, folder, reports)
    assert str(refused.value).startswith(f"{path}：") and said in str(refused.value)


# the command line ---------------------------------------------------------------------------

def test_the_cli_lists_the_difference_on_the_parents_page_and_in_reconcile_csv(tmp_path, capsys):
    folder = folder_of(tmp_path, {"parent.md": published(PARENT, altered(total(CHILDREN), NEW, +1)),
                                  "huaian-2024.txt": "huaian-2024", "hongze-2024.txt": "hongze-2024"})
    hierarchy = hierarchy_file(tmp_path, "parent.md:\n  - huaian-2024.txt\n  - hongze-2024.txt\n")
    out = tmp_path / "out"
    assert main(["audit", str(folder), "-o", str(out), "--hierarchy", str(hierarchy), "--jobs", "1"]) == 1
    said = capsys.readouterr().out
    assert "逐格核对下级报告：上级报告 1 份，核对下级 2 份，不一致 1 处" in said
    with (out / "reconcile.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"file": "parent.md", "agency": PARENT, "year": "2024", "table": "三",
                     "row": NEW[1], "column": "总计", "published": "3215", "sum": "3214",
                     "children": "淮安市人民政府 3119、淮安市洪泽区人民政府 95"}]
    page = (out / "reports" / "parent.html").read_text(encoding="utf-8")
    section = page[page.index("与下级报告逐格核对"):page.index("</section>")]
    assert 'href="huaian-2024.html"' in section and 'href="hongze-2024.html"' in section
    for value in ("3215", "3214", "3119", "95", NEW[1]):
        assert value in section
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "核对下级 2 份：1 处不一致" in index
    with (out / "audit.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert int(next(r for r in csv.DictReader(handle) if r["file"] == "parent.md")["errors"]) >= 1


def test_the_cli_refuses_a_bad_hierarchy_file_and_writes_nothing(tmp_path, capsys):
    folder = folder_of(tmp_path, {"hongze-2024.txt": "hongze-2024"})
    hierarchy = hierarchy_file(tmp_path, "hongze-2024.txt: [missing.txt]\n")
    out = tmp_path / "out"
    assert main(["audit", str(folder), "-o", str(out), "--hierarchy", str(hierarchy)]) == 2
    assert "条目“hongze-2024.txt”：“missing.txt”不是" in capsys.readouterr().err
    assert not out.exists()


def test_without_a_hierarchy_the_audit_writes_no_reconciliation(tmp_path):
    folder = folder_of(tmp_path, {"hongze-2024.txt": "hongze-2024"})
    [entry] = audit(folder, tmp_path / "out", jobs=1)
    assert entry.reconciliation is None and not (tmp_path / "out" / "reconcile.csv").exists()
    assert "核对下级" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_names_from_published_files_never_become_markup(tmp_path):
    """A child is named by its file where its title names no agency: text on the parent's page."""
    hostile = "<img src=x onerror=alert(1)>.md"
    folder = folder_of(tmp_path, {
        "parent.md": published(PARENT, altered(total(CHILDREN), NEW, +1)),
        hostile: published("", cells("huaian-2024")),
        "hongze-2024.txt": "hongze-2024"})
    hierarchy = reconcile.read_hierarchy(hierarchy_file(tmp_path, f"parent.md: ['{hostile}', hongze-2024.txt]\n"),
                                         folder, files(folder))
    audit(folder, tmp_path / "out", jobs=1, hierarchy=hierarchy)
    page = (tmp_path / "out" / "reports" / "parent.html").read_text(encoding="utf-8")
    assert "<img" not in page
    assert "<th>&lt;img src=x onerror=alert(1)&gt;.md</th>" in page
