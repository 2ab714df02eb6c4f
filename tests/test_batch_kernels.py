"""The batch's kernels: forked fresh for every report, and what happens when one dies, fails
to start, or the person at the terminal presses Ctrl-C."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import docx
import nbformat
import psutil
import pypdf
import pytest

from conftest import copy_project, params_for, template_with
from nianbao.batch.folder import OUTPUTS
from nianbao.cli import main

AGENCIES = [("2022", "shili-scjgj"), ("2023", "shili-scjgj"), ("2023", "shili-sjzyglj"),
            ("2022", "shili-sjzyglj"), ("2022", "dinghai-jgswglzx")]

# Run before the template's first cell: what the kernel holds before the report imports anything.
FACTS = """\
import json, os, sys
preloaded = sorted(name for name in ("pandas", "matplotlib", "nianbao.report") if name in sys.modules)
import matplotlib, numpy
with open(f"/proc/{os.getppid()}/cmdline") as parent:
    parent = parent.read().replace("\\0", " ")
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "parent": parent, "preloaded": preloaded,
                  "backend": matplotlib.get_backend(), "random": numpy.random.random(),
                  "fresh": "LEFT_BY_ANOTHER_REPORT" not in globals()}))
LEFT_BY_ANOTHER_REPORT = True
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, AGENCIES))
    return tmp_path


def run_json(project, folder: str) -> dict:
    return json.loads((project / "outputs" / folder / "run.json").read_text(encoding="utf-8"))


def facts_of_three_reports(project) -> list[dict]:
    """Run three agency-years with one worker, each printing FACTS about its kernel; what they printed."""
    notebook = template_with(project, "facts.ipynb", FACTS)
    params = [params_for(project, f"facts-{agency}", year, agency, notebook) for year, agency in AGENCIES[:3]]
    assert main(["run", "--jobs", "1", *params]) == 0
    facts = []
    for year, agency in AGENCIES[:3]:
        executed = nbformat.read(project / "outputs" / year / f"facts-{agency}" / "report.ipynb", as_version=4)
        facts.append(json.loads(executed.cells[3].outputs[0]["text"]))  # after papermill's injected cell
    return facts


def test_every_report_gets_a_fresh_kernel_forked_with_the_report_modules_imported(project):
    facts = facts_of_three_reports(project)
    assert len({f["pid"] for f in facts}) == 3
    assert all(f["fresh"] for f in facts)
    # one worker, so one fork server, which imported the report's modules once for all three
    assert len({f["parent"] for f in facts}) == 1 and "multiprocessing.forkserver" in facts[0]["parent"]
    assert all(f["preloaded"] == ["matplotlib", "nianbao.report", "pandas"] for f in facts)
    # as in a kernel that python started: ipykernel's inline backend, its own random state
    assert {f["backend"] for f in facts} == {"module://matplotlib_inline.backend_inline"}
    assert len({f["random"] for f in facts}) == 3


def test_a_worker_makes_a_bounded_number_of_reports_then_a_new_one_takes_over(project, monkeypatch):
    monkeypatch.setattr("nianbao.batch.executors.local.REPORTS_PER_WORKER", 2)
    fork_servers = [facts["ppid"] for facts in facts_of_three_reports(project)]
    # each worker has its own fork server: the third report was made by a new worker
    assert fork_servers[0] == fork_servers[1] != fork_servers[2]


def test_a_kernel_that_dies_fails_its_own_report_only(project):
    dies = params_for(project, "dies", "2023", "shili-scjgj",
                      template_with(project, "dies.ipynb", "import os\nos._exit(1)", at=3))
    assert main(["run", dies, "params/2023/shili-sjzyglj.yaml"]) == 1
    assert run_json(project, "2023/dies")["reason"].startswith("执行模板笔记本时内核意外终止")
    failed = nbformat.read(project / "outputs/2023/dies/report.failed.ipynb", as_version=4)
    assert "os._exit(1)" in failed.cells[4].source
    assert not (project / "outputs/2023/dies/report.html").exists()
    assert run_json(project, "2023/shili-sjzyglj")["status"] == "ok"


def test_a_kernel_that_fails_to_start_is_started_once_more(project, monkeypatch):
    # IPython runs its startup files before the kernel answers: this one ends the first kernel.
    flag = project / "die-once"
    flag.touch()
    startup = project / "ipython/profile_default/startup"
    startup.mkdir(parents=True)
    (startup / "die_once.py").write_text(
        f"import os, pathlib\nflag = pathlib.Path({str(flag)!r})\n"
        "if flag.exists():\n    flag.unlink()\n    os._exit(1)\n", encoding="utf-8")
    monkeypatch.setenv("IPYTHONDIR", str(project / "ipython"))
    assert main(["run", "params/2023/shili-scjgj.yaml"]) == 0
    assert not flag.exists()  # the first kernel did die
    assert run_json(project, "2023/shili-scjgj")["status"] == "ok"


def test_ctrl_c_finishes_the_reports_begun_and_leaves_no_half_written_output(project, capsys):
    batch = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "run", "--jobs", "1"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while not list(project.glob("outputs/*/*/run.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C sends: every process of the terminal's group
    out, err = batch.communicate(timeout=120)

    assert batch.returncode == 130, err
    assert "已按 Ctrl-C 中断" in out and "已中断" in err
    finished = sorted(path.parent for path in project.glob("outputs/*/*/run.json"))
    assert 1 <= len(finished) < len(AGENCIES)
    for folder in finished:
        assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
        for name in OUTPUTS:
            assert_whole(folder / name)
    left = [p.name for p in project.glob("outputs/*/*/*") if p.name.startswith(".staging") or "failed" in p.name]
    assert left == []
    assert _processes_in(project) == []  # no kernel, worker or fork server left behind

    # Running again makes the rest and keeps what the interrupted run finished.
    assert main(["run"]) == 0
    assert f"生成 {len(AGENCIES) - len(finished)}，未变化跳过 {len(finished)}，失败 0" in capsys.readouterr().out


def assert_whole(path) -> None:
    """The file is whole: it parses as its kind, and a PDF or a page ends as one is closed (a
    PDF cut short may still parse: pypdf rebuilds a lost cross-reference table)."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.rstrip().endswith(b"%%EOF"), path
        assert len(pypdf.PdfReader(path, strict=True).pages) >= 1, path
    elif path.suffix == ".docx":
        assert docx.Document(path).paragraphs, path
    elif path.suffix == ".ipynb":
        assert nbformat.reads(data.decode("utf-8"), as_version=4).cells, path
    elif path.suffix == ".json":
        json.loads(data)
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), path
    elif path.suffix == ".csv":  # every line as long as the head, the last one ended
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert data.endswith(b"\n") and all(len(line) == len(lines[0]) for line in lines), path
    else:
        raise AssertionError(f"{path.name}: no check that this kind of output is whole")


def _processes_in(folder, wait: float = 10) -> list[int]:
    """The processes (this one aside) still working in `folder` once `wait` seconds have let them end."""
    def cwd(process):
        try:
            return process.cwd()
        except psutil.Error:
            return ""

    deadline = time.monotonic() + wait
    while True:
        left = [p.pid for p in psutil.process_iter() if cwd(p) == str(folder) and p.pid != os.getpid()]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
