"""A government's report: its tables summed over the units it covers, its coverage, its deadline.

The departments are the demo's 示例市 agencies of 2023 (data/2023/); the expected sums are
made here by plain addition over their records, cell by cell.
"""
import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import docx
import pytest

from conftest import ROOT, copy_project
from nianbao import checks, consolidation, editions, intake
from nianbao.batch import discover
from nianbao.cli import main
from nianbao.report import Report

DEPARTMENTS = ["shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj"]
TODAY = dt.date(2025, 6, 1)


def department(agency: str):
    return intake.read(ROOT / "data" / "2023" / f"{agency}.yaml")


def plain_sum(records, table_id: str) -> dict:
    """Table `table_id` added up by hand: {row: {column: total}}."""
    table = editions.load("2021").tables[table_id]
    return {row: {column: sum(r.value(table_id, row, column) for r in records) for column in table.columns(row)}
            for row in table.rows}


def unit(agency: str, **more) -> dict:
    """A covered unit as the batch hands it to the template."""
    return {"id": agency, "name": "", "params": f"params/2023/{agency}.yaml", "folder": f"2023/{agency}",
            "record": str(ROOT / "data" / "2023" / f"{agency}.yaml"), "problem": "", "missing": False,
            "covers": [], **more}


GOVERNMENT = ROOT / "data" / "2023" / "shili-szf.yaml"


# ---- the sum -------------------------------------------------------------------------------

def test_the_sum_adds_every_cell_of_tables_two_three_and_four():
    records = [department(agency) for agency in DEPARTMENTS]
    total = consolidation.summed(editions.load("2021"), [(r.agency, r) for r in records])
    for table_id in ("二", "三", "四"):
        assert total.tables[table_id] == plain_sum(records, table_id)
    assert total.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 144
    assert total.blanks == {}


def test_a_blank_cell_makes_the_sum_unknown_and_is_named_never_read_as_zero():
    records = [department(agency) for agency in DEPARTMENTS]
    records[1].tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] = None
    records[2].tables["四"][""]["行政复议/结果维持"] = None
    total = consolidation.summed(editions.load("2021"), [(r.agency, r) for r in records])
    assert total.tables["三"]["一、本年新收政府信息公开申请数量"]["自然人"] is None
    assert total.tables["四"][""]["行政复议/结果维持"] is None
    assert total.blanks == {("三", "一、本年新收政府信息公开申请数量", "自然人"): ["示例市市场监督管理局"],
                            ("四", "", "行政复议/结果维持"): ["示例市数据资源管理局"]}
    # the cell beside it is known and summed as before
    assert total.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 144


def test_fees_in_wan_yuan_add_up_without_float_noise():
    records = [department(agency) for agency in DEPARTMENTS[:3]]
    fee = ("二", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）")
    for record, amount in zip(records, (0.1, 0.2, 7730.28)):
        record.tables[fee[0]][fee[1]][fee[2]] = amount
    total = consolidation.summed(editions.load("2021"), [(r.agency, r) for r in records])
    assert total.tables[fee[0]][fee[1]][fee[2]] == 7730.58


def test_a_report_of_another_edition_is_mapped_as_the_history_charts_map_it():
    # 2021's three （六） sub-rows give 2021-single-six's single row, as in the history charts
    records = [department(agency) for agency in DEPARTMENTS]
    total = consolidation.summed(editions.load("2021-single-six"), [(r.agency, r) for r in records])
    six = "三、本年度办理结果/（六）其他处理"
    expected = sum(r.value("三", row, "总计") for r in records for row in editions.load("2021").tables["三"].rows
                   if row.startswith(six + "/"))
    assert total.tables["三"][six]["总计"] == expected == 4
    assert total.tables["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 144


def test_a_report_whose_edition_cannot_be_mapped_is_refused_with_the_cells_it_lacks():
    old = intake.read(ROOT / "data" / "2019" / "shili-zrzyghj.yaml")  # 2019 edition: another 表二
    with pytest.raises(consolidation.Refused) as refused:
        consolidation.summed(editions.load("2021"), [(old.agency, old)])
    assert "2019年版格式" in str(refused.value) and "表二“第二十条第（一）项/规章”行“本年制发件数”列" in str(refused.value)


# ---- the government's report ------------------------------------------------------------------

def test_a_government_report_sums_its_units_and_names_what_it_misses():
    covers = [*(unit(agency) for agency in DEPARTMENTS),
              unit("shili-wsjkw", name="示例市卫生健康委员会", params="", folder="", record="", missing=True,
                   problem="找不到 2023 年度的参数文件 shili-wsjkw.yaml")]
    report = Report.load(str(GOVERNMENT), year=2023, agency_id="shili-szf", covers=covers)
    records = [department(agency) for agency in DEPARTMENTS]
    assert report.record.tables["三"] == plain_sum(records, "三")
    assert report.record.covers == [*DEPARTMENTS, "shili-wsjkw"]
    statuses = {u.id: (u.status, u.errors) for u in report.covered.units}
    assert statuses == {"shili-jtysj": ("errors", 2), "shili-scjgj": ("clean", 0), "shili-sjzyglj": ("clean", 0),
                        "shili-zrzyghj": ("clean", 0), "shili-wsjkw": ("missing", 0)}
    by_rule = {}
    for found in report.findings:
        by_rule.setdefault(found.rule, []).append(found)
    [missing] = by_rule["汇总.覆盖范围"]
    assert missing.severity == "error" and "示例市卫生健康委员会（shili-wsjkw）没有2023年度报告" in missing.message
    [with_errors] = by_rule["汇总.下级报告有错误"]
    assert with_errors.severity == "warning" and "示例市交通运输局" in with_errors.message
    # the department's inconsistent table makes the sum inconsistent: named as responsible
    assert by_rule["表三.办理结果总计"] and all("示例市交通运输局" in f.message for f in by_rule["表三.办理结果总计"])
    # published 2024-03-26: a government's deadline is 31 March, not 31 January
    assert "法定.公开时限" not in by_rule
    # the published appendix lists every unit and whether its numbers are in the sums; the review
    # panel says more: a unit's errors, why one is missing
    appendix = report.coverage().html
    assert appendix.count("<tr") == 6  # the head and five units
    assert "示例市卫生健康委员会" in appendix and "尚无本年度报告，未计入" in appendix and "有错误" not in appendix
    panel = report.review().html
    assert "缺失：没有本年度报告（找不到 2023 年度的参数文件 shili-wsjkw.yaml）" in panel
    assert "已汇总，有错误（2 个）" in panel


def test_a_unit_blank_in_a_cell_is_named_in_the_blank_finding_and_the_appendix(tmp_path):
    blanked = tmp_path / "shili-scjgj.yaml"
    text = (ROOT / "data/2023/shili-scjgj.yaml").read_text(encoding="utf-8")
    blanked.write_text(text.replace("[35, 6, 1, 0, 0, 0, 42]", "[35, 6, 1, 0, 0, null, 42]"), encoding="utf-8")
    covers = [unit("shili-sjzyglj"), unit("shili-scjgj", record=str(blanked))]
    report = Report.load(str(GOVERNMENT), year=2023, agency_id="shili-szf", covers=covers)
    cell = report.record.tables["三"]["一、本年新收政府信息公开申请数量"]
    assert cell["法人或其他组织/其他"] is None and cell["总计"] is not None
    [blank] = [f for f in report.findings if f.rule == "数值.未填" and f.table == "三"]
    assert "示例市市场监督管理局" in blank.message and "不等于 0" in blank.message
    assert "因示例市市场监督管理局的报告在这些单元格空白" in report.coverage().html


def test_a_unit_that_cannot_be_read_or_is_another_edition_fails_and_is_left_out(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("agency: 坏\nyear: 二〇二三\n", encoding="utf-8")
    covers = [unit("shili-sjzyglj"), unit("broken", record=str(broken)),
              unit("old", record=str(ROOT / "data/2019/shili-zrzyghj.yaml"))]
    report = Report.load(str(GOVERNMENT), year=2023, agency_id="shili-szf", covers=covers)
    failed = {u.id: u for u in report.covered.units if u.status == "failed"}
    assert set(failed) == {"broken", "old"}
    assert "报告年度应为四位数年份" in failed["broken"].reason
    assert "应为 2023，实为 2019" in failed["old"].reason  # the year is checked before the edition
    assert report.record.tables["三"] == plain_sum([department("shili-sjzyglj")], "三")
    assert len([f for f in report.findings if f.rule == "汇总.覆盖范围"]) == 2


def test_nested_scopes_a_city_over_a_county_over_its_departments():
    county = unit("shili-county", record=str(GOVERNMENT),
                  covers=[unit("shili-scjgj"), unit("shili-sjzyglj")])
    report = Report.load(str(GOVERNMENT), year=2023, agency_id="shili-szf",
                         covers=[county, unit("shili-zrzyghj")])
    records = [department(agency) for agency in ("shili-scjgj", "shili-sjzyglj", "shili-zrzyghj")]
    assert report.record.tables["三"] == plain_sum(records, "三")
    assert [(depth, u.id) for _, depth, u in report.covered.lines()] == [
        (0, "shili-county"), (1, "shili-scjgj"), (1, "shili-sjzyglj"), (0, "shili-zrzyghj")]


def test_the_deadline_of_a_government_is_31_march_and_of_a_department_31_january():
    government = intake.read(GOVERNMENT)   # 示例市人民政府, published 2024-03-26
    assert [f for f in checks.check(government, today=TODAY) if f.rule == "法定.公开时限"] == []
    late = dataclasses.replace(government, published="2024-04-02")
    [finding] = [f for f in checks.check(late, today=TODAY) if f.rule == "法定.公开时限"]
    assert finding.expected == "2024年3月31日前"
    office = dataclasses.replace(government, agency="示例市人民政府办公室")  # a department
    [finding] = [f for f in checks.check(office, today=TODAY) if f.rule == "法定.公开时限"]
    assert finding.expected == "2024年1月31日前"
    # a report that covers others is a government's whatever its name
    covering = dataclasses.replace(office, covers=["shili-jtysj"])
    assert [f for f in checks.check(covering, today=TODAY) if f.rule == "法定.公开时限"] == []


# ---- the scope in the params file ------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", a) for a in [*DEPARTMENTS, "shili-szf"]]))
    return tmp_path


def government_params(project: Path, covers: str, name: str = "shili-szf", record="data/2023/shili-szf.yaml"):
    path = project / "params" / "2023" / f"{name}.yaml"
    path.write_text(f"agency_id: {name}\nyear: 2023\nrecord: {record}\ncovers:\n{covers}", encoding="utf-8")
    return path


def job_of(project, name="shili-szf", year=2023):
    [job] = [j for j in discover(None) if (j.agency_id, j.year) == (name, year)]
    return job


def test_a_scope_by_id_folder_and_list_file(project):
    county = project / "params" / "2023" / "county"
    county.mkdir()
    for agency in ("shili-scjgj", "shili-sjzyglj"):
        shutil.move(project / "params/2023" / f"{agency}.yaml", county)
    (project / "scopes").mkdir()
    (project / "scopes" / "city.txt").write_text(
        "# the city's own departments\nshili-jtysj\n\nshili-zrzyghj   # 自然资源\nshili-wsjkw 示例市卫生健康委员会\n",
        encoding="utf-8")
    government_params(project, "  - params/2023/county/\n  - scopes/city.txt\n  - shili-jtysj\n")
    job = job_of(project)
    assert job.problem == ""
    units = job.parameters["covers"]
    assert [(u["id"], u["name"], u["missing"]) for u in units] == [
        ("shili-scjgj", "", False), ("shili-sjzyglj", "", False), ("shili-jtysj", "", False),
        ("shili-zrzyghj", "", False), ("shili-wsjkw", "示例市卫生健康委员会", True)]  # jtysj counted once
    assert units[0]["params"] == "params/2023/county/shili-scjgj.yaml" and units[0]["folder"] == "2023/shili-scjgj"
    # every unit's record is an input: a department's change makes the government's report again
    assert str(project / "data/2023/shili-scjgj.yaml") in job.input_files
    before = job.inputs
    record = project / "data/2023/shili-scjgj.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert job_of(project).inputs != before


def test_a_folder_that_holds_the_government_s_own_params_file_covers_the_others(project):
    government_params(project, "  - params/2023/\n")
    assert [u["id"] for u in job_of(project).parameters["covers"]] == DEPARTMENTS


def test_a_nested_scope_brings_the_county_s_units_along(project):
    government_params(project, "  - shili-scjgj\n  - shili-sjzyglj\n", name="shili-county")
    government_params(project, "  - shili-county\n  - shili-jtysj\n")
    [county, department_unit] = job_of(project).parameters["covers"]
    assert [u["id"] for u in county["covers"]] == ["shili-scjgj", "shili-sjzyglj"]
    assert department_unit["covers"] == []


@pytest.mark.parametrize("covers, problem", [
    ("  - shili-szf\n", "涵盖范围循环：params/2023/shili-szf.yaml → params/2023/shili-szf.yaml"),
    ("  - ../elsewhere/\n", "不在项目目录之内"),
    ("  - scopes/none.txt\n", "名单文件 scopes/none.txt 不存在"),
    ("  - params/2099/\n", "目录 params/2099/ 不存在"),
    ("  - a/b\n", "目录请以“/”结尾"),
    ("  - 5\n", "应为涵盖单位的列表"),
])
def test_a_scope_that_cannot_be_resolved_fails_its_own_report_with_the_reason(project, covers, problem):
    government_params(project, covers)
    job = job_of(project)
    assert problem in job.problem and job.problem.startswith("参数文件的 covers：")
    assert all(not j.problem for j in discover(None) if j.agency_id != "shili-szf")  # the others run


def test_a_cycle_through_two_governments_is_refused(project):
    government_params(project, "  - shili-szf\n", name="shili-county")
    government_params(project, "  - shili-county\n")
    assert "涵盖范围循环" in job_of(project).problem


# ---- end to end: the demo's government --------------------------------------------------------

def test_the_demo_government_report_in_html_pdf_word_and_the_index(project):
    assert main(["run", "--jobs", "2"]) == 0  # made, with errors for the reviewer
    out = project / "outputs" / "2023"
    record = json.loads((out / "shili-szf/record.json").read_text(encoding="utf-8"))
    departments = [json.loads((out / a / "record.json").read_text(encoding="utf-8")) for a in DEPARTMENTS]
    for row, columns in record["tables"]["三"].items():
        for column, value in columns.items():
            assert value == sum(d["tables"]["三"][row][column] for d in departments), (row, column)
    html = (out / "shili-szf/report.html").read_text(encoding="utf-8")
    assert "附：本报告涵盖的单位" in html and "示例市卫生健康委员会" in html and "尚无本年度报告，未计入" in html
    review = (out / "shili-szf/review.html").read_text(encoding="utf-8")
    assert "缺失：没有本年度报告" in review and "已汇总，有错误（2 个）" in review
    checks_json = json.loads((out / "shili-szf/checks.json").read_text(encoding="utf-8"))
    assert any("示例市卫生健康委员会" in f["message"] for f in checks_json["findings"] if f["rule"] == "汇总.覆盖范围")
    import subprocess
    text = subprocess.run(["pdftotext", "-layout", str(out / "shili-szf/report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "附：本报告涵盖的单位" in text and "示例市卫生健康委员会" in text
    word = docx.Document(out / "shili-szf/report.docx")
    listing = word.tables[-1]
    assert [c.text for c in listing.rows[0].cells] == ["序号", "单位", "情况"]
    assert [c.text for c in listing.rows[5].cells[1:]] == ["示例市卫生健康委员会", "尚无本年度报告，未计入"]
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "涵盖 5 个单位：已汇总 4（有错误 1），缺失 1" in index
    assert 'href="2023/shili-jtysj/review.html">示例市交通运输局</a>' in index


def test_a_government_s_earlier_year_is_its_sum_too_for_the_carry_over(project):
    for agency in ("shili-scjgj", "shili-sjzyglj"):
        for kind in ("data", "params"):
            (project / kind / "2022").mkdir(exist_ok=True)
            shutil.copy(ROOT / kind / "2022" / f"{agency}.yaml", project / kind / "2022")
    government_params(project, "  - shili-scjgj\n  - shili-sjzyglj\n")
    last_year = government_params(project, "  - shili-scjgj\n  - shili-sjzyglj\n").read_text(encoding="utf-8")
    record_2022 = (project / "data/2023/shili-szf.yaml").read_text(encoding="utf-8")
    (project / "data/2022/shili-szf.yaml").write_text(
        record_2022.replace("year: 2023", "year: 2022").replace("2024年3月22日", "2023年3月22日")
        .replace("2024-03-26", "2023-03-26"), encoding="utf-8")
    (project / "params/2022/shili-szf.yaml").write_text(
        last_year.replace("year: 2023", "year: 2022").replace("data/2023/", "data/2022/"), encoding="utf-8")
    job = job_of(project)
    previous = job.parameters["previous"]
    assert previous["record"] == str(project / "data/2022/shili-szf.yaml")
    assert [u["id"] for u in previous["covers"]] == ["shili-scjgj", "shili-sjzyglj"]
    report = Report.load(job.parameters["record"], previous, year=2023, agency_id="shili-szf",
                         history=job.parameters["history"], covers=job.parameters["covers"])
    # 示例市市场监督管理局's 上年结转 disagrees with its 2022 结转下年度: so do the sums
    carried = [f for f in report.findings if f.rule == "跨年.结转"]
    assert carried and "示例市市场监督管理局" in carried[0].message
    assert [r.year for r in report.earlier] == [2022]
    assert report.earlier[0].tables["三"] == plain_sum([intake.read(project / "data/2022" / f"{a}.yaml")
                                                        for a in ("shili-scjgj", "shili-sjzyglj")], "三")


# ---- each unit once, wherever the scope reaches it ---------------------------------------------

def county_in_city_folder(project: Path) -> None:
    """示例市人民政府 covers the folder params/2023/city/, which holds 示例县人民政府 (covering its
    own sub-folder county/, with two departments) and 示例市交通运输局: the folder reaches the
    county's departments twice, once through the county and once directly."""
    params = project / "params" / "2023"
    (params / "city" / "county").mkdir(parents=True)
    for agency in ("shili-scjgj", "shili-sjzyglj"):
        shutil.move(params / f"{agency}.yaml", params / "city" / "county")
    shutil.move(params / "shili-jtysj.yaml", params / "city")
    county = (project / "data/2023/shili-szf.yaml").read_text(encoding="utf-8")
    (project / "data/2023/shili-county.yaml").write_text(
        county.replace("agency_id: shili-szf", "agency_id: shili-county").replace("示例市人民政府", "示例县人民政府"),
        encoding="utf-8")
    (params / "city" / "shili-county.yaml").write_text(
        "agency_id: shili-county\nyear: 2023\nrecord: data/2023/shili-county.yaml\ncovers: [params/2023/city/county/]\n",
        encoding="utf-8")
    government_params(project, "  - params/2023/city/\n")


def test_a_city_over_a_folder_holding_a_county_and_its_departments_sums_each_department_once(project):
    county_in_city_folder(project)
    assert main(["run", "params/2023/shili-szf.yaml"]) == 0
    out = project / "outputs" / "2023" / "shili-szf"
    record = json.loads((out / "record.json").read_text(encoding="utf-8"))
    departments = [department(agency) for agency in ("shili-jtysj", "shili-scjgj", "shili-sjzyglj")]
    # 22 + 42 + 16: each department once (the folder reached the county's two twice: 138)
    assert record["tables"]["三"]["一、本年新收政府信息公开申请数量"]["总计"] == 80
    for table_id in ("二", "三", "四"):
        assert record["tables"][table_id] == plain_sum(departments, table_id)
    assert record["covers"] == ["shili-county", "shili-jtysj"]
    checked = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    statuses = {(u["id"], u["status"]): u["reason"] for u in checked["coverage"]["units"]}
    assert statuses[("shili-scjgj", "duplicate")] == "示例市人民政府 → 示例县人民政府 → 示例市市场监督管理局"
    assert statuses[("shili-sjzyglj", "duplicate")] == "示例市人民政府 → 示例县人民政府 → 示例市数据资源管理局"
    [county] = [u for u in checked["coverage"]["units"] if u["id"] == "shili-county"]
    assert [(u["id"], u["status"]) for u in county["units"]] == [("shili-scjgj", "clean"), ("shili-sjzyglj", "clean")]
    # the second listing named, with both paths
    duplicates = {f["excerpt"]: f["message"] for f in checked["findings"] if f["rule"] == "汇总.重复涵盖"}
    assert set(duplicates) == {"shili-scjgj", "shili-sjzyglj"}
    assert ("示例市人民政府 → 示例县人民政府 → 示例市市场监督管理局（已计入汇总）；"
            "示例市人民政府 → 示例市市场监督管理局（重复，未再计入）") in duplicates["shili-scjgj"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("重复列入，已在他处计入，不重复计算") == 2  # as the published appendix says it
    review = (out / "review.html").read_text(encoding="utf-8")
    assert review.count("已计入他处，不重复汇总") == 2
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "涵盖 2 个单位：已汇总 2" in index and "重复列入 2（不重复汇总）" in index


def units_in(covers: list[dict]) -> list[tuple[int, str, bool]]:
    """(depth, id, duplicate) for every unit of a `covers` parameter, in order."""
    found = []

    def walk(units, depth):
        for unit in units:
            found.append((depth, unit["id"], unit.get("duplicate", False)))
            walk(unit["covers"], depth + 1)

    walk(covers, 0)
    return found


def test_a_unit_reached_through_two_sibling_governments_counts_under_the_first(project):
    government_params(project, "  - shili-scjgj\n  - shili-sjzyglj\n", name="shili-xian-a")
    government_params(project, "  - shili-sjzyglj\n  - shili-jtysj\n", name="shili-xian-b")
    government_params(project, "  - shili-jtysj\n  - shili-xian-a\n  - shili-xian-b\n")
    assert units_in(job_of(project).parameters["covers"]) == [
        (0, "shili-jtysj", True),  # listed directly, and reached through 县 b: counts under 县 b
        (0, "shili-xian-a", False), (1, "shili-scjgj", False), (1, "shili-sjzyglj", False),
        (0, "shili-xian-b", False), (1, "shili-sjzyglj", True), (1, "shili-jtysj", False)]


def test_shared_sub_scopes_resolve_in_work_and_parameters_linear_in_their_depth(project):
    # 16 levels of two governments each, each covering both of the level below: 2^16 paths
    depth = 16
    for level in range(1, depth + 1):
        below = [f"shili-g{level + 1}{side}" for side in "ab"] if level < depth else ["shili-jtysj"]
        for side in "ab":
            government_params(project, "".join(f"  - {name}\n" for name in below), name=f"shili-g{level}{side}")
    jobs = {job.agency_id: job for job in discover(None)}
    top = units_in(jobs["shili-g1a"].parameters["covers"])
    entries = 2 * (2 * (depth - 1) + 1)  # every `covers:` entry of every params file
    assert len(top) <= entries  # each entry at most once, not once per path (2^16)
    assert sum(not duplicate for _, _, duplicate in top) == 2 * (depth - 1) + 1  # each unit counted once
    assert len(json.dumps(jobs["shili-g1a"].parameters)) < 400 * entries
