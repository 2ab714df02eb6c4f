"""Every edition, in YAML and in the Excel workbook, through `nianbao run`: each report is made
with its edition's template notebook, and the workbook gives the same record as the YAML.

One batch makes all ten reports. The records are the demo's (data/), one of each edition; the
2021-single-six one is the 2021 示例市市场监督管理局 2023 with its three （六） rows as one.
"""
import json
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, copy_project
from nianbao.cli import main

SIX = "三、本年度办理结果/（六）其他处理"
# params name: (year, edition, template notebook, a cell of record.json as [table, row, column] and
# its value as the record states it, or for the work summary a part and how it begins)
REPORTS = {
    "shili-sjzyglj": ("2022", "2021", "annual_report.ipynb",
                      ["三", "一、本年新收政府信息公开申请数量", "总计"], 10),
    "shili-scjgj": ("2023", "2021-single-six", "annual_report.ipynb", ["三", SIX, "总计"], 1),  # 1 + 0 + 0
    "pingtan-zhsyq": ("2019", "2019", "annual_report.ipynb", ["三", "一、本年新收政府信息公开申请数量", "总计"], 23),
    "shangqiu-jgswzx": ("2019", "legacy", "legacy_report.ipynb",
                        ["统计表", "三、依申请公开情况/（一）收到申请数/3.网络申请数", "统计数"], 1),
    "quzhou-jgswbzzx-summary": ("2022", "work-summary", "work_summary.ipynb", "前言", "2022年,衢州市机关事务保障中心"),
}


def single_six(project: Path) -> None:
    """The 2021 record of 示例市市场监督管理局 2023 in the 2021-single-six edition."""
    record = project / "data/2023/shili-scjgj.yaml"
    text = record.read_text(encoding="utf-8").replace('edition: "2021"', "edition: 2021-single-six")
    start = text.index("      （六）其他处理:\n")
    end = text.index("      （七）总计:")
    record.write_text(text[:start] + "      （六）其他处理: [1, 0, 0, 0, 0, 0, 1]\n" + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The ten reports, made by one `nianbao run`: each record as YAML, and as the workbook
    `nianbao workbook --record` makes of it, each with a params file of its own."""
    project = copy_project(tmp_path_factory.mktemp("editions"),
                           [(year, name) for name, (year, *_) in REPORTS.items()])
    single_six(project)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        for name, (year, *_) in REPORTS.items():
            params = project / "params" / year / f"{name}.yaml"
            record = params.read_text(encoding="utf-8").split("record: ")[1].split()[0]
            workbook = record.replace(".yaml", ".xlsx")
            assert main(["workbook", "--record", record, "-o", workbook]) == 0
            (project / "params" / year / f"{name}-xlsx.yaml").write_text(
                params.read_text(encoding="utf-8").replace(record, workbook), encoding="utf-8")
        main(["run", "--jobs", "2"])
    return project / "outputs"


def made(outputs: Path, year: str, name: str) -> tuple[dict, str]:
    """(record.json, the template notebook it was made from) of a report made without failing."""
    folder = outputs / year / name
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "ok", run["reason"]
    assert all((folder / f).is_file() for f in ("report.html", "report.pdf", "report.docx"))
    notebook = nbformat.read(folder / "report.ipynb", as_version=4)
    return (json.loads((folder / "record.json").read_text(encoding="utf-8")),
            Path(notebook.metadata.papermill.input_path).name)


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("form", ["yaml", "xlsx"])
def test_every_edition_in_yaml_and_in_the_workbook_is_made_with_its_own_template(batch, name, form):
    year, edition, template, where, value = REPORTS[name]
    record, notebook = made(batch, year, name if form == "yaml" else f"{name}-xlsx")
    assert (record["edition"], notebook) == (edition, template)
    if isinstance(where, list):
        table, row, column = where
        assert record["tables"][table][row][column] == value
    else:
        assert record["parts"][where].startswith(value)
    if form == "xlsx":  # the workbook's route gives the YAML's record
        from_yaml, _ = made(batch, year, name)
        assert record == from_yaml
