"""nianbao run on a real Dask cluster: a scheduler and two workers on loopback, started and
stopped here. The workers run in their own temporary folders: a task carries its files."""
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client

from conftest import copy_project
from nianbao.batch.folder import OPTIONAL, OUTPUTS
from nianbao.cli import main

BIN = Path(sys.executable).parent
AGENCIES = [("2022", "shili-scjgj"), ("2023", "shili-scjgj"), ("2023", "shili-jtysj")]


@pytest.fixture
def cluster(tmp_path):
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], cwd=tmp_path, **quiet)]
    for number in range(2):
        folder = tmp_path / f"worker-{number}"
        folder.mkdir()
        processes.append(subprocess.Popen([BIN / "dask", "worker", address, "--nthreads", "1", "--no-dashboard",
                                           "--local-directory", folder], cwd=folder, **quiet))
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = copy_project(tmp_path / "project", AGENCIES)
    monkeypatch.chdir(folder)
    return folder


def test_the_batch_runs_on_a_dask_cluster(cluster, project, capsys):
    started = time.time()
    assert main(["run", "--scheduler", cluster]) == 0
    for year, agency in AGENCIES:
        folder = project / "outputs" / year / agency
        assert {p.name for p in folder.iterdir()} == {*OUTPUTS, *OPTIONAL, "run.json"}
        assert (folder / "report.pdf").stat().st_mtime >= started
    # history and carry-over travelled with the task: 2023 compared itself with 2022
    checks = json.loads((project / "outputs/2023/shili-scjgj/checks.json").read_text(encoding="utf-8"))
    assert "跨年.结转" in {f["rule"] for f in checks["findings"]}
    assert "历年情况对比" in (project / "outputs/2023/shili-scjgj/report.html").read_text(encoding="utf-8")
    assert "生成 3，未变化跳过 0，失败 0" in capsys.readouterr().out

    # A broken record fails on the cluster with the path it has here, and loses nothing.
    good = (project / "outputs/2023/shili-jtysj/report.pdf").read_bytes()
    data = project / "data/2023/shili-jtysj.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("[20, 2, 0, 0, 0, 0, 22]", "[20, x, 0, 0, 0, 0, 22]"),
                    encoding="utf-8")
    assert main(["run", "--scheduler", cluster]) == 1
    reason = json.loads((project / "outputs/2023/shili-jtysj/run.json").read_text(encoding="utf-8"))["reason"]
    assert "data/2023/shili-jtysj.yaml: tables.三" in reason and "应为非负整数，实为文字“x”" in reason
    assert (project / "outputs/2023/shili-jtysj/report.pdf").read_bytes() == good
    assert (project / "outputs/2023/shili-jtysj/report.failed.ipynb").exists()
    assert "生成 0，未变化跳过 2，失败 1" in capsys.readouterr().out
