"""What the batch reads from a user's path, and what a government's published appendix says of
a unit it could not read: a named pipe where a file should be fails its own report in Chinese
instead of holding the batch for ever, and no server path is ever published."""
import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, copy_project

DEPARTMENTS = ["shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj"]
# Not a speed limit: a batch that waits on a named pipe never ends, and the test must then fail.
HUNG = 300


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "run", "--jobs", "2", *args], cwd=project,
                          capture_output=True, text=True, timeout=HUNG, stdin=subprocess.DEVNULL)


def reason(project: Path, folder: str) -> str:
    return json.loads((project / "outputs" / folder / "run.json").read_text(encoding="utf-8"))["reason"]


def test_named_pipes_as_scope_list_params_file_and_record_fail_their_own_reports_and_the_batch_goes_on(tmp_path):
    project = copy_project(tmp_path, [("2023", a) for a in [*DEPARTMENTS, "shili-szf"]])
    (project / "scopes").mkdir()
    os.mkfifo(project / "scopes" / "city.txt")
    (project / "params/2023/shili-szf.yaml").write_text(
        "agency_id: shili-szf\nyear: 2023\nrecord: data/2023/shili-szf.yaml\ncovers: [scopes/city.txt]\n",
        encoding="utf-8")
    os.mkfifo(project / "params/2023/shili-pipe.yaml")
    os.mkfifo(project / "data/2023/shili-piped.yaml")
    (project / "params/2023/shili-piped.yaml").write_text(
        "agency_id: shili-piped\nyear: 2023\nrecord: data/2023/shili-piped.yaml\n", encoding="utf-8")

    result = run(project)
    assert result.returncode == 1, result.stderr
    assert reason(project, "2023/shili-szf") == ("参数文件的 covers：名单文件 scopes/city.txt 无法读取："
                                                 "不是普通文件（可能是命名管道、设备或目录）")
    assert reason(project, "2023/shili-pipe") == "参数文件不是普通文件（可能是命名管道、设备或目录）"
    assert reason(project, "2023/shili-piped") == ("参数文件的 record：“data/2023/shili-piped.yaml”"
                                                   "不是普通文件（可能是命名管道、设备或目录）")
    for agency in DEPARTMENTS:  # the others are made
        assert (project / "outputs/2023" / agency / "report.html").is_file()


def test_a_unit_whose_record_cannot_be_read_is_listed_with_its_project_path_never_the_server_s(tmp_path):
    project = copy_project(tmp_path, [("2023", a) for a in ["shili-scjgj", "shili-sjzyglj", "shili-szf"]])
    broken = project / "data/2023/shili-scjgj.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: 2023", "year: 二〇二三"), encoding="utf-8")
    (project / "params/2023/shili-szf.yaml").write_text(
        "agency_id: shili-szf\nyear: 2023\nrecord: data/2023/shili-szf.yaml\ncovers: [shili-scjgj, shili-sjzyglj]\n",
        encoding="utf-8")
    run(project, "params/2023/shili-szf.yaml")
    out = project / "outputs/2023/shili-szf"
    checked = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    [unit] = [u for u in checked["coverage"]["units"] if u["id"] == "shili-scjgj"]
    assert unit["status"] == "failed"
    assert unit["reason"].startswith("记录 data/2023/shili-scjgj.yaml 无法读取：year: 报告年度应为四位数年份")
    shown = [(out / name).read_text(encoding="utf-8") for name in ("review.html", "report.html", "checks.json")]
    shown.append(subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True,
                                check=True).stdout)
    assert "data/2023/shili-scjgj.yaml" in shown[0]  # the reviewer is told which file
    assert ".yaml" not in shown[1] and ".yaml" not in shown[3]  # the published report names none
    assert all(str(tmp_path) not in text and str(ROOT) not in text for text in shown)
