"""Faults around the batch: broken params files, a worker killed mid-report, damaged state,
an output folder that cannot be written, two runs on one folder, and a batch killed outright.
Each fails what it touches and nothing else, with a reason that names the file or path."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import ROOT
from nianbao.batch import discover
from nianbao.cli import main

sys.path.insert(0, str(ROOT / "benchmarks"))
import agencies  # noqa: E402  (benchmarks/ is not a package)

BROKEN_PARAMS = {  # params file name: (its bytes, what the reason must say)
    "year-text": (b"agency_id: a\nyear: abc\nrecord: data/x.yaml\n", "year：应为四位数年份"),
    "year-inf": (b"agency_id: a\nyear: .inf\nrecord: data/x.yaml\n", "year：应为四位数年份"),
    "a-list": (b"- agency_id: a\n- year: 2023\n", "应为“字段: 值”的映射"),
    "record-number": (b"agency_id: a\nyear: 2023\nrecord: 123\n", "record：应为文件路径"),
    "history-number": (b"agency_id: a\nyear: 2023\nrecord: data/x.yaml\nhistory: 5\n", "history：应为文件路径的列表"),
    "no-such-date": (b"agency_id: a\nyear: 2023\nrecord: data/x.yaml\nprevious: 2023-02-30\n", "日期 2023-02-30 不存在"),
    "gbk": ("agency_id: 示例\nyear: 2023\n".encode("gbk"), "应为 UTF-8 编码的文字"),
    "binary": (bytes(range(256)) * 4, "参数文件无法读取"),
    "two-years": (b"agency_id: a\nyear: 2022\nyear: 2023\nrecord: data/x.yaml\n", "字段 year 重复"),
    "absolute-id": (b"agency_id: /srv/x\nyear: 2023\nrecord: data/x.yaml\n", "agency_id：“/srv/x”不是有效的机关代码"),
    "parent-id": (b"agency_id: ../x\nyear: 2023\nrecord: data/x.yaml\n", "agency_id：“../x”不是有效的机关代码"),
    "outside": (b"agency_id: a\nyear: 2023\nrecord: /etc/passwd\n", "record：“/etc/passwd”不在项目目录之内"),
    "climbs-out": (b"agency_id: a\nyear: 2023\nrecord: ../../x.yaml\n", "不在项目目录之内"),
    "notebook-outside": (b"agency_id: a\nyear: 2023\nrecord: data/x.yaml\nnotebook: /tmp/x.ipynb\n",
                         "notebook：“/tmp/x.ipynb”不在项目目录之内"),
}


def synthetic_project(folder: Path, count: int) -> list[Path]:
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    return agencies.write_project(folder, count)


def test_every_broken_params_file_fails_alone_with_its_field_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = synthetic_project(tmp_path, 1)[0]
    for name, (content, _) in BROKEN_PARAMS.items():
        (tmp_path / "params/2023" / f"{name}.yaml").write_bytes(content)
    (tmp_path / "params/2023/....yaml").write_text("agency_id: a\nyear: 2023\nrecord: data/x.yaml\n")

    jobs = {Path(job.params_file).stem: job for job in discover(None)}
    for name, (_, expected) in BROKEN_PARAMS.items():
        assert expected in jobs[name].problem, (name, jobs[name].problem)
        assert jobs[name].folder == f"2023/{name}"  # its reason goes where the index finds it
    assert "参数文件名不能用作输出目录名" in jobs["..."].problem and jobs["..."].folder is None
    assert jobs[good.stem].problem == ""
    # Paths outside the project are read when the command line allows their folder.
    (tmp_path / "params/2023/outside.yaml").write_text(f"agency_id: a\nyear: 2023\nrecord: {tmp_path.parent}/x.yaml\n")
    assert "不在项目目录之内" in discover([Path("params/2023/outside.yaml")])[0].problem
    assert discover([Path("params/2023/outside.yaml")], allowed=[tmp_path.parent])[0].problem == ""


def failed_once_notebook(project: Path, flag: Path) -> str:
    """The template with a cell that, while `flag` exists, writes its fork server's pid there and waits."""
    notebook = nbformat.read(project / "notebooks/annual_report.ipynb", as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(
        f"import os, pathlib, time\nflag = pathlib.Path({str(flag)!r})\n"
        "if flag.exists():\n    flag.write_text(str(os.getppid()))\n    time.sleep(120)\n"))
    nbformat.write(notebook, project / "notebooks/waits.ipynb")
    return "notebooks/waits.ipynb"


def test_a_batch_with_a_broken_params_file_a_killed_worker_and_a_damaged_run_json_makes_the_rest(tmp_path):
    params = synthetic_project(tmp_path, 8)
    run = [sys.executable, "-m", "nianbao.cli", "run", "--jobs", "2"]
    assert subprocess.run(run, cwd=tmp_path, capture_output=True).returncode == 0
    out = tmp_path / "outputs/2023"

    # One params file broken, one report's run.json left empty by a crash, one report whose
    # worker will be killed while it is being made.
    (tmp_path / "params/2023/broken.yaml").write_text("agency_id: broken\nyear: abc\nrecord: data/x.yaml\n")
    damaged, killed = params[1].stem, params[2].stem
    (out / damaged / "run.json").write_text("")
    flag = tmp_path / "waiting"
    flag.write_text("")
    params[2].write_text(params[2].read_text() + f"notebook: {failed_once_notebook(tmp_path, flag)}\n")
    batch = subprocess.Popen(run, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not flag.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    worker = psutil.Process(int(flag.read_text())).parent()  # the fork server's parent
    flag.unlink()  # the second try does not wait
    worker.kill()
    stdout, stderr = batch.communicate(timeout=240)

    assert batch.returncode == 1, stderr
    assert "broken.yaml" in stdout and "year：应为四位数年份" in stdout
    notices = {line.split("（")[0].strip(): line for line in stdout.splitlines() if "）：" in line}
    assert "上次的运行记录 run.json 已损坏，已重新生成" in notices[f"params/2023/{damaged}.yaml"]
    assert "生成这份报告时有工作进程意外终止（可能因内存不足被系统终止），已重试一次" in notices[f"params/2023/{killed}.yaml"]
    for param in params:
        state = json.loads((out / param.stem / "run.json").read_text(encoding="utf-8"))
        assert state["status"] == "ok", param.stem
    assert json.loads((out / "broken/run.json").read_text(encoding="utf-8"))["status"] == "failed"
    index = (tmp_path / "outputs/index.html").read_text(encoding="utf-8")
    assert "生成失败 1" in index and "year：应为四位数年份" in index
    assert not list(tmp_path.glob("outputs/2023/*/.staging-*"))


def test_an_unreadable_run_json_is_listed_in_the_index_not_fatal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 2)
    assert main(["run", "params/2023/synthetic-0000.yaml"]) == 0
    (tmp_path / "outputs/2023/synthetic-0000/run.json").write_text("{\"status\": [")
    assert main(["run", "params/2023/synthetic-0001.yaml"]) == 0  # another agency: unaffected
    index = (tmp_path / "outputs/index.html").read_text(encoding="utf-8")
    assert "运行记录 2023/synthetic-0000/run.json 已损坏" in index


def test_a_report_folder_taken_by_a_file_fails_that_report_with_its_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 2)
    (tmp_path / "outputs/2023").mkdir(parents=True)
    (tmp_path / "outputs/2023/synthetic-0000").write_text("不是目录")
    assert main(["run"]) == 1
    out = capsys.readouterr().out
    assert "无法写入 outputs/2023/synthetic-0000" in out and "Traceback" not in out
    assert (tmp_path / "outputs/2023/synthetic-0001/report.pdf").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of its own (mounting needs root, as CI and these machines have)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield disk
    subprocess.run(["umount", "-l", disk], check=True)


def test_a_full_disk_fails_the_reports_with_a_reason_and_keeps_earlier_ones(tmp_path, small_disk, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 3)
    out = small_disk / "outputs"
    assert main(["run", "--out", str(out), "params/2023/synthetic-0000.yaml"]) == 0
    good = (out / "2023/synthetic-0000/report.pdf").read_bytes()
    disk = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"0" * (disk.f_bavail * disk.f_frsize - 100 * 1024))  # leave too little
    capsys.readouterr()
    assert main(["run", "--out", str(out), "--force"]) == 1
    said = capsys.readouterr()
    assert "磁盘空间不足" in said.out + said.err and "Traceback" not in said.out + said.err
    assert (out / "2023/synthetic-0000/report.pdf").read_bytes() == good


def test_a_read_only_output_folder_is_one_line_not_a_traceback(tmp_path, small_disk, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 1)
    subprocess.run(["mount", "-o", "remount,ro", small_disk], check=True)
    assert main(["run", "--out", str(small_disk / "outputs")]) == 1
    err = capsys.readouterr().err
    assert "无法写入 disk/outputs：文件系统只读" in err and "Traceback" not in err


def test_a_second_run_on_the_same_output_folder_is_told_who_holds_it(tmp_path, monkeypatch, capsys):
    from nianbao.batch import lock

    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 1)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
                               "from nianbao.batch import lock\nwith lock(Path('outputs')):\n"
                               "    print('held', flush=True)\n    time.sleep(60)\n"],
                              cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        assert main(["run"]) == 2
        assert f"另一个 nianbao run（进程 {holder.pid}）正在写入输出目录 outputs" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    with lock(Path("outputs")):  # freed when its holder died
        pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_batch_stopped_by_a_signal_leaves_no_process_behind(tmp_path, signum):
    synthetic_project(tmp_path, 6)
    batch = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "run", "--jobs", "2"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("outputs/*/*/run.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    family = psutil.Process(batch.pid).children(recursive=True)
    assert len(family) >= 4  # workers, their fork servers, kernels
    os.kill(batch.pid, signum)  # the batch alone, as `kill PID` or the out-of-memory killer does
    out, err = batch.communicate(timeout=120)
    if signum == signal.SIGTERM:
        assert batch.returncode == 143 and "已收到终止信号而中断" in out
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []


def test_the_edition_names_its_notebook_and_a_template_without_review_is_refused_before_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    for year, name in [("2019", "shangqiu-jgswzx"), ("2022", "quzhou-jgswbzzx-summary"), ("2022", "quzhou-jgswbzzx")]:
        (tmp_path / "data" / year).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "data" / year / f"{name}.yaml", tmp_path / "data" / year)
        (tmp_path / "params" / year).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "params" / year / f"{name}.yaml", tmp_path / "params" / year)
    notebooks = {Path(job.params_file).stem: Path(job.notebook).name for job in discover(None)}
    assert notebooks == {"shangqiu-jgswzx": "legacy_report.ipynb", "quzhou-jgswbzzx-summary": "work_summary.ipynb",
                         "quzhou-jgswbzzx": "annual_report.ipynb"}
    notebook = nbformat.read(tmp_path / "notebooks/annual_report.ipynb", as_version=4)
    notebook.cells = [cell for cell in notebook.cells if "review()" not in cell.source]
    nbformat.write(notebook, tmp_path / "notebooks/annual_report.ipynb")
    assert "没有调用 report.review()" in discover([Path("params/2022/quzhou-jgswbzzx.yaml")])[0].problem


def test_workers_that_cannot_start_fail_the_batch_with_a_reason_instead_of_looping(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    synthetic_project(tmp_path, 2)
    # A worker that dies as it starts (here: its kernel fork server cannot be started).
    monkeypatch.setattr("nianbao.kernels.use_forked_kernels", lambda: os._exit(3))
    assert main(["run", "--jobs", "1"]) == 1
    assert capsys.readouterr().out.count("工作进程无法启动") == 2
