"""The batch on a copy of the project: real kernels, real renders, one broken agency at a time."""
import json

import docx
import nbformat
import pytest

from conftest import copy_project, params_for, template_with
from nianbao.cli import main

AGENCIES = [("2022", "shili-scjgj"), ("2023", "shili-scjgj"), ("2023", "shili-sjzyglj")]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder holding the template and three demo agency-years, as cwd."""
    monkeypatch.chdir(copy_project(tmp_path, AGENCIES))
    return tmp_path


def run_json(project, year, agency):
    return json.loads((project / "outputs" / year / agency / "run.json").read_text(encoding="utf-8"))


def test_batch_renders_every_agency_year_and_a_broken_one_loses_nothing(project, capsys):
    assert main(["run", "--jobs", "2"]) == 0
    for year, agency in AGENCIES:
        folder = project / "outputs" / year / agency
        assert {p.name for p in folder.iterdir()} == {"report.ipynb", "report.html", "review.html", "report.pdf",
                                                      "report.docx", "digest.pdf", "digest.png", "digest.html", "digest.md",
                                                      "checks.json", "record.json", "run.json",
                                                      "reports.csv", "cells.csv"}
        assert folder.joinpath("report.pdf").read_bytes().startswith(b"%PDF")
        assert docx.Document(folder / "report.docx").tables  # a real Word file, with the official tables
        assert "earlier" not in json.loads((folder / "checks.json").read_text(encoding="utf-8"))
        executed = nbformat.read(folder / "report.ipynb", as_version=4)
        assert executed.metadata.papermill.parameters["agency_id"] == agency
    # the previous year was found among the params files: the carry-over mismatch is reported
    checks = json.loads((project / "outputs/2023/shili-scjgj/checks.json").read_text(encoding="utf-8"))
    assert {f["rule"] for f in checks["findings"]} >= {"跨年.结转"}
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="2023/shili-scjgj/report.pdf"') == 1 and "示例市数据资源管理局" in index
    assert index.count('href="2023/shili-scjgj/report.docx"') == 1
    assert 'href="history/shili-scjgj.html"' in index  # two years: a history page
    page = (project / "outputs/history/shili-scjgj.html").read_text(encoding="utf-8")
    assert "历年情况对比</span><span class=\"line\">（2022—2023年）" in page
    assert 'href="../2022/shili-scjgj/report.html"' in page
    assert "历年情况对比" in (project / "outputs/2023/shili-scjgj/report.html").read_text(encoding="utf-8")
    assert "历年情况对比" not in (project / "outputs/2022/shili-scjgj/report.html").read_text(encoding="utf-8")
    good_pdf = (project / "outputs/2023/shili-scjgj/report.pdf").read_bytes()
    capsys.readouterr()

    # An agency hands in a count as text, and another params file lacks its record.
    data = project / "data/2023/shili-scjgj.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("[35, 6, 1, 0, 0, 0, 42]", "[35, 六, 1, 0, 0, 0, 42]"),
                    encoding="utf-8")
    (project / "params/2023/no-record.yaml").write_text("agency_id: no-record\nyear: 2023\n", encoding="utf-8")
    assert main(["run", "--jobs", "2"]) == 1

    folder = project / "outputs/2023/shili-scjgj"
    assert folder.joinpath("report.pdf").read_bytes() == good_pdf  # the last good report is kept
    failed = nbformat.read(folder / "report.failed.ipynb", as_version=4)
    errors = [o for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "IntakeError"
    reason = run_json(project, "2023", "shili-scjgj")["reason"]
    assert reason == ("data/2023/shili-scjgj.yaml: tables.三.一、本年新收政府信息公开申请数量"
                      "[法人或其他组织/商业企业]: 应为非负整数，实为文字“六”")  # the path as the person knows it
    assert run_json(project, "2023", "no-record")["reason"] == "参数文件缺少字段：record"
    assert run_json(project, "2023", "shili-sjzyglj")["status"] == "ok"  # the others still ran

    summary = capsys.readouterr().out
    assert "生成 0，未变化跳过 2，失败 2" in summary and "应为非负整数，实为文字“六”" in summary
    assert "report.failed.ipynb" in summary
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert index.count("生成失败</span>") == 2 and "参数文件缺少字段：record" in index
    assert index.index("no-record") < index.index("shili-sjzyglj")  # failures first

    # Mended, the report is rendered again. The failed notebook goes away, and so does the
    # staging folder of a worker killed while it wrote this report.
    data.write_text(data.read_text(encoding="utf-8").replace("六, 1, 0", "6, 1, 0"), encoding="utf-8")
    folder.joinpath(".staging-4194304").mkdir()
    folder.joinpath(".staging-4194304/report.html").write_text("<html><body>半", encoding="utf-8")
    assert main(["run", "params/2023/shili-scjgj.yaml"]) == 0
    assert {p.name for p in folder.iterdir()} == {"report.ipynb", "report.html", "review.html", "report.pdf",
                                                  "report.docx", "digest.pdf", "digest.png", "digest.html", "digest.md",
                                                  "checks.json", "record.json", "run.json", "reports.csv", "cells.csv"}
    assert run_json(project, "2023", "shili-scjgj")["status"] == "ok"


def test_a_params_file_may_name_its_notebook_and_gets_a_folder_of_its_own(project):
    notebook = nbformat.read(project / "notebooks/annual_report.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell('from IPython.display import HTML\nHTML("<p>另一模板</p>")'))
    nbformat.write(notebook, project / "notebooks/other.ipynb")
    (project / "params/2023/shili-sjzyglj-other.yaml").write_text(
        "agency_id: shili-sjzyglj\nyear: 2023\nrecord: data/2023/shili-sjzyglj.yaml\nnotebook: notebooks/other.ipynb\n",
        encoding="utf-8")
    assert main(["run", "params/2023/shili-sjzyglj.yaml", "params/2023/shili-sjzyglj-other.yaml"]) == 0
    other = (project / "outputs/2023/shili-sjzyglj-other/report.html").read_text(encoding="utf-8")
    plain = (project / "outputs/2023/shili-sjzyglj/report.html").read_text(encoding="utf-8")
    assert "另一模板" in other and "另一模板" not in plain


def test_a_rerun_renders_only_what_changed(project, capsys):
    assert main(["run"]) == 0
    pdfs = {year: (project / f"outputs/{year}/shili-scjgj/report.pdf") for year in ("2022", "2023")}
    stamps = {year: pdf.stat().st_mtime_ns for year, pdf in pdfs.items()}
    capsys.readouterr()

    assert main(["run"]) == 0
    out = capsys.readouterr().out
    assert "生成 0，未变化跳过 3，失败 0" in out and "没有重新生成任何报告" in out
    assert {year: pdf.stat().st_mtime_ns for year, pdf in pdfs.items()} == stamps

    # 2022's record changes: 2022 renders again, and so does 2023, which compares with it.
    data = project / "data/2022/shili-scjgj.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("行政许可决定1250件", "行政许可决定1251件"),
                    encoding="utf-8")
    assert main(["run"]) == 0
    assert "生成 2，未变化跳过 1，失败 0" in capsys.readouterr().out
    assert all(pdf.stat().st_mtime_ns != stamps[year] for year, pdf in pdfs.items())

    assert main(["run", "--force"]) == 0
    assert "生成 3，未变化跳过 0，失败 0" in capsys.readouterr().out


def test_a_hanging_notebook_fails_its_own_report_only(project):
    hangs = template_with(project, "hangs.ipynb", "import time\ntime.sleep(60)", at=3)
    params_for(project, "hangs", "2023", "shili-sjzyglj", hangs)
    # 10 s a step: far below the hang, far above what the good report takes even on a loaded machine
    assert main(["run", "--timeout", "10", "params/2023/hangs.yaml", "params/2023/shili-sjzyglj.yaml"]) == 1
    assert run_json(project, "2023", "hangs")["reason"].startswith("CellTimeoutError")
    failed = nbformat.read(project / "outputs/2023/hangs/report.failed.ipynb", as_version=4)
    assert "time.sleep(60)" in failed.cells[4].source  # the cell it hung in, after papermill's injected one
    assert run_json(project, "2023", "shili-sjzyglj")["status"] == "ok"


def test_run_json_counts_the_cpu_of_the_kernel_and_of_the_typesetter_in_their_stages(project):
    # A cell that keeps the kernel's CPU busy for 1.5 s: the worker itself only waits meanwhile.
    busy = "import time\nstarted = time.process_time()\nwhile time.process_time() - started < 1.5:\n    pass"
    params_for(project, "busy", "2023", "shili-sjzyglj", template_with(project, "busy.ipynb", busy, at=3))
    assert main(["run", "params/2023/busy.yaml", "params/2023/shili-sjzyglj.yaml"]) == 0
    busy, plain = run_json(project, "2023", "busy"), run_json(project, "2023", "shili-sjzyglj")
    assert set(busy["cpu"]) == set(busy["seconds"]) == {"execute", "html", "pdf", "docx", "digest"}
    assert busy["cpu"]["execute"] >= 1.5 > plain["cpu"]["execute"] > 0
    assert all(seconds > 0 for run in (busy, plain) for seconds in run["cpu"].values())
