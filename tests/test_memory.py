"""Memory bounds: input that costs memory out of all proportion fails its own report with a
reason in Chinese, and the batch goes on (limits.py). NIANBAO_MEMORY_LIMIT lowers the bound
here so that reaching it takes a moment."""
import json
import os
import signal
import subprocess
import sys

import pytest
import yaml

from conftest import DEMO, copy_project, drawn, params_for, template_with
from nianbao import intake, limits
from nianbao.cli import main
from nianbao.pages import typeset
from nianbao.report import Report


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-scjgj"), ("2023", "shili-sjzyglj")]))
    monkeypatch.setenv("NIANBAO_MEMORY_LIMIT", "800")
    return tmp_path


def run_json(project, name):
    return json.loads((project / "outputs/2023" / name / "run.json").read_text(encoding="utf-8"))


def test_stacked_accents_fail_their_own_pdf_and_the_next_report_gets_a_new_typesetter(project, capsys):
    # 8,000 combining accents on one letter: 16 KB of narrative that took Typst to 3.9 GB
    record = project / "data/2023/shili-scjgj.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["parts"]["五"] = "a" + "\u0301" * 8000
    record.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    # one worker: the second report is typeset by the process whose typesetter the first one killed
    assert main(["run", "--jobs", "1"]) == 1
    reason = run_json(project, "shili-scjgj")["reason"]
    assert "的 PDF 无法排版：排版 PDF所需内存超过上限 800 MB" in reason
    assert run_json(project, "shili-sjzyglj")["status"] == "ok"
    assert (project / "outputs/2023/shili-sjzyglj/report.pdf").read_bytes().startswith(b"%PDF")
    assert "memory allocation" not in capsys.readouterr().err  # Rust's last words stay off the terminal


def test_a_typesetter_that_died_between_two_reports_is_replaced():
    document, _ = drawn(Report(intake.read(DEMO), []))
    assert typeset.pdf(document).startswith(b"%PDF")
    helper = typeset._typesetter(os.getpid())
    os.kill(helper.pid, signal.SIGKILL)
    helper.wait()
    assert typeset.pdf(document).startswith(b"%PDF")  # was BrokenPipeError
    assert typeset._typesetter(os.getpid()).pid != helper.pid


def test_a_kernel_past_its_memory_bound_fails_its_own_report(project):
    greedy = params_for(project, "greedy", "2023", "shili-sjzyglj",
                        template_with(project, "greedy.ipynb", "x = bytearray(2 * 2**30)", at=3))
    assert main(["run", greedy, "params/2023/shili-sjzyglj.yaml"]) == 1
    assert run_json(project, "greedy")["reason"] == "执行模板笔记本所需内存超过上限 800 MB，已放弃" \
                                                     "（输入中可能有异常内容，如大量叠加的组合符号或解压后极大的文件）"
    assert run_json(project, "shili-sjzyglj")["status"] == "ok"


FORKED_FROM_A_LARGE_PROCESS = """
import os, sys, threading
from nianbao import limits
held = bytearray(400 * 2**20)  # the parent holds more than the bound, as a test run with the OCR models does
if os.fork() == 0:
    limits.bound_memory()
    threading.Thread(target=lambda: None).start()  # below its parent's pages, this waited for ever
    room = bytearray(100 * 2**20)
    try:
        bytearray(300 * 2**20)
    except MemoryError:
        os._exit(0)
    os._exit(1)
sys.exit(os.waitstatus_to_exitcode(os.wait()[1]))
"""


def test_a_process_forked_from_one_larger_than_the_bound_is_bounded_beyond_what_it_holds():
    done = subprocess.run([sys.executable, "-c", FORKED_FROM_A_LARGE_PROCESS], timeout=60,
                          env={**os.environ, limits.VARIABLE: "200"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # 100 MB more taken, 300 MB more refused
