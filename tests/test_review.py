"""Reviewers' decisions: stable finding ids, the reviews files, `nianbao review`, and the desk
in a real headless Chromium (Debian's, driven by Playwright)."""
import dataclasses
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project
from nianbao import reviews
from nianbao.batch import discover
from nianbao.checks import Finding
from nianbao.cli import main
from nianbao.report import Report

AGENCIES = [("2022", "shili-scjgj"), ("2023", "shili-jtysj"), ("2023", "shili-scjgj"), ("2023", "shili-sjzyglj")]


# ---- ids and the reviews file -----------------------------------------------------------------

def test_a_finding_id_stays_while_its_rule_place_and_values_stay():
    finding = Finding("表三.行总计", "error", "总计应为 5，实为 6", table="三", row="一、本年新收政府信息公开申请数量",
                      column="总计", expected="5", found="6")
    assert re.fullmatch(r"[0-9a-f]{12}", finding.id)
    assert dataclasses.replace(finding, message="另一种说法").id == finding.id
    assert dataclasses.replace(finding, decision="误报", note="x").id == finding.id
    assert dataclasses.replace(finding, found="7").id != finding.id
    assert dataclasses.replace(finding, column="自然人").id != finding.id
    assert finding.to_dict()["id"] == finding.id


@pytest.mark.parametrize("text, said", [
    ("finding: abc", "应为审核决定的列表"),
    ("- {finding: 0123456789ab, decision: 同意}", "第 1 项：decision 应为 需修改、已说明、误报 之一，实为“同意”"),
    ("- {finding: 0123456789ab, decision: 已说明}", "第 1 项：decision 为“已说明”时，note 须写明理由"),
    ("- {finding: 0123456789ab, decision: 误报, who: 张三}", "第 1 项：未知字段“who”"),
    ("- {finding: 0123456789ab, decision: 误报}\n- {finding: 0123456789ab, decision: 需修改}", "第 2 项：审核结果 0123456789ab 已有决定（重复）"),
    ("- {finding: '<b>', decision: 误报}", "finding 应为审核结果的编号"),
    ("- {finding: 0123456789ab, decision: 误报, at: 2024-02-30}", "不是有效的 YAML"),
    ("- {finding: 0123456789ab, decision: 误报, at: 昨天}", "at 应为日期（YYYY-MM-DD）"),
])
def test_a_reviews_file_that_cannot_be_used_is_refused_naming_the_entry(tmp_path, text, said):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(reviews.ReviewsError) as refused:
        reviews.load(path)
    assert said in str(refused.value) and str(path) in str(refused.value)


def test_decisions_show_on_findings_settle_errors_and_stale_ones_are_named(tmp_path):
    record = ROOT / "data/2023/shili-jtysj.yaml"  # two errors of 表三
    first, second = [f for f in Report.load(str(record)).findings if f.severity == "error"]
    decisions = tmp_path / "reviews.yaml"
    reviews.decide(decisions, reviews.Decision(first.id, "已说明", note="该局当年合并，总计按合并后口径", by="张三"))
    reviews.decide(decisions, reviews.Decision("0123456789ab", "误报", by="李四"))  # no such finding
    report = Report.load(str(record), decisions=str(decisions))
    decided = {f.id: (f.decision, f.note) for f in report.findings}
    assert decided[first.id] == ("已说明", "该局当年合并，总计按合并后口径") and decided[second.id] == ("", "")
    assert [d.finding for d in report.stale] == ["0123456789ab"]
    payload = report.review().payload
    assert (payload["errors"], payload["open_errors"], payload["decided"]) == (2, 1, 1)
    assert payload["stale"] == [{"finding": "0123456789ab", "decision": "误报", "by": "李四"}]
    panel = report.review().html
    assert "审核决定：<strong>已说明</strong>" in panel and "已过时的审核决定（1）" in panel
    assert "已说明或误报 1" in panel
    reviews.decide(decisions, reviews.Decision(second.id, "误报"))
    assert Report.load(str(record), decisions=str(decisions)).review().payload["open_errors"] == 0


def test_a_broken_reviews_file_is_an_error_of_the_report_not_a_crash(tmp_path):
    decisions = tmp_path / "reviews.yaml"
    decisions.write_text("- {finding: 0123456789ab, decision: 好}", encoding="utf-8")
    report = Report.load(str(ROOT / "data/2023/shili-sjzyglj.yaml"), decisions=str(decisions))
    [broken] = [f for f in report.findings if f.rule == "审核.决定无法读取"]
    assert broken.severity == "error" and "decision 应为" in broken.message


def test_the_batch_hands_each_report_its_reviews_file_and_a_new_decision_makes_it_again(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, AGENCIES))
    [job] = [j for j in discover(None) if j.agency_id == "shili-jtysj"]
    expected = tmp_path / "reviews/2023/shili-jtysj.yaml"
    assert job.parameters["decisions"] == str(expected) and str(expected) in job.input_files
    reviews.decide(expected, reviews.Decision("0123456789ab", "误报"))
    [again] = [j for j in discover(None) if j.agency_id == "shili-jtysj"]
    assert again.inputs != job.inputs


# ---- nianbao review, in Chromium --------------------------------------------------------------

@dataclasses.dataclass
class Served:
    project: Path
    url: str
    log: Path  # what the server printed on the reviewer's terminal (stderr)


def _start_review(project: Path, log: Path, umask: int = -1) -> tuple[subprocess.Popen, str]:
    """`nianbao review` serving `project` on a free port: the process and its address."""
    server = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "review", "--port", "0", "--by", "张三"],
                              cwd=project, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, umask=umask)
    line = server.stdout.readline()
    return server, re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Four demo reports made once; each test serves a copy of its own."""
    project = copy_project(tmp_path_factory.mktemp("made"), AGENCIES)
    here = os.getcwd()
    os.chdir(project)
    try:
        assert main(["run", "--jobs", "2"]) == 0
    finally:
        os.chdir(here)
    return project


@pytest.fixture
def served(made, tmp_path, monkeypatch):
    """A copy of the made project, and `nianbao review` serving it on a free port."""
    project = tmp_path / "project"
    shutil.copytree(made, project)
    monkeypatch.chdir(project)
    server, url = _start_review(project, tmp_path / "review.log")
    yield Served(project, url, tmp_path / "review.log")
    server.terminate()
    server.wait(timeout=10)


def test_a_reviewer_filters_sorts_searches_and_decides_and_the_decision_is_kept(served, browser):
    project, url = served.project, served.url
    found = {folder: json.loads((project / "outputs" / folder / "checks.json").read_text(encoding="utf-8"))["findings"]
             for folder in (f"{year}/{agency}" for year, agency in AGENCIES)}
    total = sum(map(len, found.values()))

    def expect(reports: int, findings: int) -> str:
        return f"显示 {reports} / 4 份报告，{findings} / {total} 条审核结果"

    page = browser.new_page()
    page.goto(url)
    shown = page.locator("#shown")
    assert shown.text_content() == expect(4, total)
    # filter: errors only (示例市交通运输局's two); then by agency name; then by rule and year
    page.select_option("select[name=severity]", "error")
    assert shown.text_content() == expect(1, 2)
    page.select_option("select[name=severity]", "")
    page.fill("input[name=agency]", "市场监督")
    assert shown.text_content() == expect(2, len(found["2022/shili-scjgj"]) + len(found["2023/shili-scjgj"]))
    page.select_option("select[name=year]", "2023")
    assert shown.text_content() == expect(1, len(found["2023/shili-scjgj"]))
    page.fill("input[name=agency]", "")
    page.select_option("select[name=year]", "")
    page.select_option("select[name=rule]", "跨年.结转")
    carried = sum(f["rule"] == "跨年.结转" for f in found["2023/shili-scjgj"])
    assert carried == 2 and shown.text_content() == expect(1, carried)
    page.select_option("select[name=rule]", "")
    # sort the reports by 提示, ascending then descending
    warnings = lambda: [row.text_content().strip() for row in page.locator("#reports tbody tr td:nth-child(5)").all()]
    page.click("#reports th:nth-child(5) button")
    assert warnings() == sorted(warnings(), key=int)
    page.click("#reports th:nth-child(5) button")
    assert warnings() == sorted(warnings(), key=int, reverse=True)
    assert page.get_attribute("#reports th:nth-child(5)", "aria-sort") == "descending"

    # decide on the first error in the report's review page
    page.goto(url + "2023/shili-jtysj/review.html")
    first = page.locator("li.finding.error").first
    first.locator("textarea[name=note]").fill("2023年3月两局合并，按合并后口径填报")
    first.locator("button[value=已说明]").click()
    page.wait_for_load_state()
    page.reload()
    first = page.locator("li.finding.error").first
    assert first.locator(".decision").text_content().strip() == "审核决定：已说明　2023年3月两局合并，按合并后口径填报"
    # and on the second from the index
    page.goto(url)
    page.select_option("select[name=decision]", "none")
    page.select_option("select[name=severity]", "error")
    row = page.locator("#findings tbody tr:not([hidden])").first
    row.locator("button[value=误报]").click()
    page.wait_for_load_state()
    assert page.locator("#reports tbody tr[data-key='2023/shili-jtysj'] .settled").text_content() == "另有 2 个已说明或误报"

    written = yaml.safe_load((project / "reviews/2023/shili-jtysj.yaml").read_text(encoding="utf-8"))
    assert [(d["decision"], d["by"]) for d in written] == [("已说明", "张三"), ("误报", "张三")]
    checks = json.loads((project / "outputs/2023/shili-jtysj/checks.json").read_text(encoding="utf-8"))
    assert {d["finding"] for d in written} == {f["id"] for f in checks["findings"] if f["severity"] == "error"}

    # the decisions survive a forced run, and the files show them: no longer a draft
    assert main(["run", "--force"]) == 0
    html = (project / "outputs/2023/shili-jtysj/report.html").read_text(encoding="utf-8")
    review = (project / "outputs/2023/shili-jtysj/review.html").read_text(encoding="utf-8")
    assert '<p class="draft-mark">' not in html and "审核决定" not in html
    assert '<p class="draft-mark">' not in review and "审核决定：<strong>误报</strong>" in review
    checks = json.loads((project / "outputs/2023/shili-jtysj/checks.json").read_text(encoding="utf-8"))
    assert (checks["open_errors"], checks["decided"]) == (0, 2)
    static = browser.new_page()
    static.goto((project / "outputs/index.html").as_uri())
    assert "（其中 1 份的错误均已说明或标为误报）" in static.text_content(".summary")
    static.select_option("select[name=decision]", "已说明")
    assert re.fullmatch(r"显示 1 / 4 份报告，1 / \d+ 条审核结果", static.locator("#shown").text_content())
    assert static.locator("form.decide").count() == 0  # read-only without the server


def _request(url: str, method: str = "GET", path: str = "/", body: str = "", headers: dict | None = None):
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request(method, path, body=body.encode(), headers={
        "Host": address.netloc, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_the_review_server_answers_only_its_own_pages_and_writes_only_decisions(served):
    project, url = served.project, served.url
    before = {p for p in project.rglob("*") if p.is_file()}
    status, index = _request(url)
    token = re.search(r'name="token" value="([^"]+)"', index).group(1)
    finding = json.loads((project / "outputs/2023/shili-jtysj/checks.json").read_text(encoding="utf-8"))["findings"][0]["id"]
    form = {"token": token, "folder": "2023/shili-jtysj", "finding": finding, "decision": "误报"}
    encode = urllib.parse.urlencode
    assert _request(url, headers={"Host": "attacker.example:80"})[0] == 421           # DNS rebinding
    assert _request(url, path="/../../../etc/passwd")[0] == 404
    assert _request(url, path="/2023/shili-jtysj/run.json")[0] == 200
    assert _request(url, "POST", "/decide", encode({**form, "token": "x"}))[0] == 403
    assert _request(url, "POST", "/decide", encode(form), {"Origin": "http://attacker.example"})[0] == 403
    assert _request(url, "POST", "/decide", encode({**form, "folder": "../../etc"}))[0] == 400
    assert _request(url, "POST", "/decide", encode({**form, "finding": "0123456789ab"}))[0] == 400
    assert _request(url, "POST", "/decide", encode({**form, "decision": "已说明"}))[0] == 400
    assert _request(url, "POST", "/decide", encode(form))[0] == 303
    after = {p for p in project.rglob("*") if p.is_file()}
    assert after - before == {project / "reviews/2023/shili-jtysj.yaml"}


def test_the_review_server_serves_an_output_folder_that_lies_under_a_hidden_folder(tmp_path):
    import threading

    from nianbao.desk.server import ReviewServer

    out = tmp_path / ".cache" / "outputs"  # e.g. a home's hidden folder: only the output's own dot files are hidden
    (out / "2023" / "x").mkdir(parents=True)
    (out / "2023" / "x" / "run.json").write_text("{}", encoding="utf-8")
    (out / "2023" / "x" / ".staging-1").mkdir()
    (out / "2023" / "x" / ".staging-1" / "report.pdf").write_bytes(b"%PDF")
    with ReviewServer(out, tmp_path) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        assert _request(server.url, path="/2023/x/run.json")[0] == 200
        assert _request(server.url, path="/2023/x/.staging-1/report.pdf")[0] == 404
        server.shutdown()


# ---- the server's edges (issue #23 items 4, 9 and 10) -----------------------------------------

def _token(url: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', _request(url)[1]).group(1)


def _post(url: str, form: dict, headers: dict | None = None):
    """A form posted as a browser posts it: the status, the Location and the body."""
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("POST", "/decide", body=urllib.parse.urlencode(form).encode(), headers={
        "Host": address.netloc, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    response = connection.getresponse()
    return response.status, response.getheader("Location"), response.read().decode("utf-8", "replace")


def _findings(project: Path, folder: str) -> list[str]:
    return [f["id"] for f in json.loads((project / "outputs" / folder / "checks.json").read_text(encoding="utf-8"))["findings"]]


def test_decisions_posted_at_the_same_moment_to_two_servers_all_land(served, tmp_path):
    """Two tabs, a double submit, two `nianbao review` on one project: 40 rounds of four
    decisions posted at once on the four findings of one report, two to each server."""
    other, other_url = _start_review(served.project, tmp_path / "other.log")
    try:
        folder, path = "2023/shili-scjgj", served.project / "reviews/2023/shili-scjgj.yaml"
        findings = _findings(served.project, folder)
        assert len(findings) == 4
        servers = [(served.url, _token(served.url)), (other_url, _token(other_url))] * 2
        answers, lost = [], []
        for round_ in range(40):
            start = threading.Barrier(4)

            def post(finding, url, token, note=f"第 {round_} 轮"):
                address = urllib.parse.urlsplit(url)
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
                connection.connect()
                start.wait()
                body = urllib.parse.urlencode({"token": token, "folder": folder, "finding": finding,
                                               "decision": "误报", "note": note, "back": "/"})
                connection.request("POST", "/decide", body=body, headers={
                    "Host": address.netloc, "Content-Type": "application/x-www-form-urlencoded"})
                answers.append(connection.getresponse().status)

            posting = [threading.Thread(target=post, args=(finding, *server)) for finding, server in zip(findings, servers)]
            for thread in posting:
                thread.start()
            for thread in posting:
                thread.join()
            written = {d["finding"]: d["note"] for d in yaml.safe_load(path.read_text(encoding="utf-8"))}
            lost += [(round_, finding) for finding in findings if written.get(finding) != f"第 {round_} 轮"]
        assert answers == [303] * 160
        assert lost == []
    finally:
        other.terminate()
        other.wait(timeout=10)
    assert "Traceback" not in served.log.read_text() + (tmp_path / "other.log").read_text()


@pytest.mark.parametrize("back, location", [
    ("/2023/shili-jtysj/review.html#finding-2", "/2023/shili-jtysj/review.html#finding-2"),
    ("/?severity=error&agency=%E5%B8%82#finding-2023-shili-jtysj-0123456789ab",
     "/?severity=error&agency=%E5%B8%82#finding-2023-shili-jtysj-0123456789ab"),
    ("/x\r\nSet-Cookie: stolen=1", "/"),      # a header of the attacker's
    ("/\\evil.example/", "/"),                # browsers read /\ as //
    ("//evil.example/", "/"),
    ("/\t/evil.example/", "/"),               # browsers drop the tab: //evil.example
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/报告/report.html", "/%E6%8A%A5%E5%91%8A/report.html"),  # an agency named in Chinese: encoded for the header
    ("", "/"),
])
def test_a_saved_decision_goes_back_only_to_a_page_of_this_server(served, back, location):
    finding = _findings(served.project, "2023/shili-jtysj")[0]
    form = {"token": _token(served.url), "folder": "2023/shili-jtysj", "finding": finding, "decision": "误报", "back": back}
    address = urllib.parse.urlsplit(served.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:  # the raw answer
        body = urllib.parse.urlencode(form).encode()
        connection.sendall(b"POST /decide HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                           b"Content-Length: %d\r\n\r\n%s" % (address.netloc.encode(), len(body), body))
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head = answer.decode("latin-1").split("\r\n\r\n")[0].split("\r\n")
    assert head[0].split(" ")[1] == "303"
    assert [line for line in head if line.lower().startswith(("location:", "set-cookie:"))] == [f"Location: {location}"]
    assert "Traceback" not in served.log.read_text()


def test_malformed_requests_get_a_chinese_refusal_and_no_traceback(served):
    url, project = served.url, served.project
    address = urllib.parse.urlsplit(url)
    finding = _findings(project, "2023/shili-jtysj")[0]
    form = {"token": _token(url), "folder": "2023/shili-jtysj", "finding": finding, "decision": "误报"}

    def raw(request: bytes) -> tuple[int, str]:
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert answer, "the connection was dropped without an answer"
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), body.decode("utf-8")

    host = address.netloc.encode()
    status, said = raw(b"POST /decide HTTP/1.1\r\nHost: %s\r\nContent-Length: abc\r\n\r\n" % host)
    assert status == 400 and "Content-Length" in said and re.search(r"[\u4e00-\u9fff]", said)
    status, _, said = _post(url, {**form, "token": "令牌"})   # compare_digest refuses non-ASCII text
    assert status == 403 and "页面已过期" in said
    for path in ("/" + "a" * 300, "/" + "a/" * 3000, "/2023/" + "%E6%8A%A5" * 200 + "/report.html"):
        status, said = raw(b"GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path.encode(), host))
        assert (status, said) == (404, "没有这个文件")
    status, said = raw(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: %s\r\n\r\n" % host)  # http.server's own refusal
    assert status == 414 and re.search(r"[\u4e00-\u9fff]", said)
    status, said = raw(b"PUT / HTTP/1.1\r\nHost: %s\r\n\r\n" % host)
    assert status == 501 and re.search(r"[\u4e00-\u9fff]", said)
    assert _request(url)[0] == 200  # still serving
    assert "Traceback" not in served.log.read_text()


def test_stalled_connections_hold_a_bounded_number_of_threads_and_time_out(tmp_path):
    from nianbao.desk.server import CONNECTIONS, TIMEOUT, ReviewServer

    out = tmp_path / "outputs"
    (out / "2023" / "x").mkdir(parents=True)
    (out / "2023" / "x" / "run.json").write_text("{}", encoding="utf-8")
    with ReviewServer(out, tmp_path) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        before = threading.active_count()
        # connections opened and never sent a byte
        stalled = [socket.create_connection(("127.0.0.1", server.server_port), timeout=TIMEOUT + 10)
                   for _ in range(CONNECTIONS + 40)]
        time.sleep(0.5)
        assert threading.active_count() - before <= CONNECTIONS
        assert stalled[0].recv(1) == b""  # closed by the server once its time is up
        for connection in stalled:
            connection.close()
        assert _request(server.url, path="/2023/x/run.json")[0] == 200
        server.shutdown()


def test_an_oversized_reviews_file_is_refused_naming_it(served):
    path = served.project / "reviews/2023/shili-scjgj.yaml"
    path.parent.mkdir(parents=True)
    entry = "- {finding: '%012x', decision: 已说明, note: 该局2023年3月由两局合并，上年结转按合并后的口径填报, by: 张三, at: 2024-01-20}\n"
    path.write_text("".join(entry % n for n in range(20_000)), encoding="utf-8")  # 2.4 MB
    size = path.stat().st_size
    finding = _findings(served.project, "2023/shili-scjgj")[0]
    status, _, said = _post(served.url, {"token": _token(served.url), "folder": "2023/shili-scjgj",
                                         "finding": finding, "decision": "误报"})
    assert status == 400 and "reviews/2023/shili-scjgj.yaml" in said and "过大" in said
    assert str(served.project) not in said and path.stat().st_size == size
    assert _request(served.url)[0] == 200 and _request(served.url, path="/2023/shili-scjgj/review.html")[0] == 200
    report = Report.load(str(ROOT / "data/2023/shili-scjgj.yaml"), decisions=str(path))
    [refused] = [f for f in report.findings if f.rule == "审核.决定无法读取"]
    assert "过大" in refused.message and "1 MB" in refused.message


def test_an_unchanged_reviews_file_is_not_parsed_again(tmp_path):
    path = tmp_path / "reviews.yaml"
    reviews.decide(path, reviews.Decision("0123456789ab", "误报", by="张三"))
    first, again = reviews.load(path), reviews.load(path)
    assert first == again and first["0123456789ab"] is again["0123456789ab"]  # the same object: not parsed again
    path.write_text(path.read_text(encoding="utf-8").replace("张三", "李四"), encoding="utf-8")  # a hand edit
    assert reviews.load(path)["0123456789ab"].by == "李四"
    reviews.decide(path, reviews.Decision("0123456789ac", "需修改"))
    assert list(reviews.load(path)) == ["0123456789ab", "0123456789ac"]


def test_run_json_and_reviews_files_get_the_mode_every_other_output_gets(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-jtysj")]))
    umask = os.umask(0o007)  # not the usual 022, so that the mode is seen to follow it
    try:
        assert main(["run"]) == 0
    finally:
        os.umask(umask)
    folder = tmp_path / "outputs/2023/shili-jtysj"
    modes = {name: (folder / name).stat().st_mode & 0o777 for name in ("report.html", "checks.json", "run.json")}
    assert modes == dict.fromkeys(modes, 0o660)
    server, url = _start_review(tmp_path, tmp_path / "review.log", umask=0o007)
    try:
        finding = _findings(tmp_path, "2023/shili-jtysj")[0]
        assert _post(url, {"token": _token(url), "folder": "2023/shili-jtysj", "finding": finding, "decision": "误报"})[0] == 303
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (tmp_path / "reviews/2023/shili-jtysj.yaml").stat().st_mode & 0o777 == 0o660


def test_explained_without_a_note_gets_a_page_that_says_so_and_leads_back(served):
    finding = _findings(served.project, "2023/shili-jtysj")[1]
    back = "/2023/shili-jtysj/review.html#finding-2"
    status, _, page = _post(served.url, {"token": _token(served.url), "folder": "2023/shili-jtysj", "finding": finding,
                                         "decision": "已说明", "note": "  ", "by": "<b>王五</b>", "back": back})
    assert status == 400
    said = re.search(r'<p class="problem"[^>]*>(.*?)</p>', page).group(1)
    assert "选择“已说明”时" in said and "写明理由" in said and not re.search("[A-Za-z]", said)  # in the reviewer's words
    assert f'<a href="{back}">' in page                                   # back to where the reviewer was
    assert f'name="finding" value="{finding}"' in page                    # and the form again, to finish it
    assert re.search(r'value="已说明" aria-current="true"', page) and 'value="&lt;b&gt;王五&lt;/b&gt;"' in page
    assert "<script" not in page and "Content-Security-Policy" in page
    assert not (served.project / "reviews/2023/shili-jtysj.yaml").exists()


def test_a_reviewer_comes_back_to_the_same_filters_and_row_after_saving(served, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 400})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(served.url + "?severity=warning")
    shown = page.locator("#shown").text_content()
    rows = page.locator("#findings tbody tr:not([hidden])")
    row = rows.nth(rows.count() - 2)
    key = row.get_attribute("id")
    row.locator("button[value=需修改]").click()
    page.wait_for_load_state()
    assert page.url == f"{served.url}?severity=warning#{key}"
    assert page.locator("#shown").text_content() == shown and page.locator("select[name=severity]").input_value() == "warning"
    assert page.evaluate("window.scrollY") > 0
    inside = "(row) => { const box = row.getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }"
    assert page.locator(f"[id='{key}']").evaluate(inside)
    # undecided only: the decided row leaves the list, and the page stands at the one after it
    page.goto(served.url + "?decision=none")
    rows = page.locator("#findings tbody tr:not([hidden])")
    row, after = rows.nth(rows.count() - 3), rows.nth(rows.count() - 2).get_attribute("id")
    decided = row.get_attribute("id")
    row.locator("button[value=误报]").click()
    page.wait_for_load_state()
    assert page.url == f"{served.url}?decision=none#{decided}" and page.locator(f"[id='{decided}']").is_hidden()
    assert page.locator(f"[id='{after}']").evaluate(inside)
    # 已说明 with a note of spaces only (the browser takes it), in the review page: the server's
    # page that says so leads back to the finding
    page.goto(served.url + "2023/shili-jtysj/review.html")
    first = page.locator("li.finding").first
    first.locator("textarea[name=note]").fill("   ")
    first.locator("button[value=已说明]").click()
    page.wait_for_load_state()
    assert "选择“已说明”时" in page.text_content("body")
    page.fill("textarea[name=note]", "两局合并")
    page.click("button[value=已说明]")
    page.wait_for_load_state()
    assert page.url == served.url + "2023/shili-jtysj/review.html#finding-1"
    assert "两局合并" in page.locator("li.finding").first.text_content()
    assert not [error for error in errors if "Content Security Policy" in error]  # the 400 itself is logged


def test_explained_without_a_note_is_refused_in_the_page_in_chinese_and_nothing_is_sent(served, browser):
    """The review page runs no script: the browser's own constraint validation refuses it, and
    the page says why in Chinese; the index the same, through the same form."""
    page = browser.new_page()
    posted, errors = [], []
    page.on("request", lambda request: posted.append(request.post_data) if request.method == "POST" else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    written = served.project / "reviews/2023/shili-jtysj.yaml"
    for address, finding in ((served.url + "2023/shili-jtysj/review.html", "li.finding"),
                             (served.url + "?severity=error", "#findings tbody tr:not([hidden])")):
        page.goto(address)
        form = page.locator(finding).first.locator("form.decide")
        said = form.locator(".needs-note")
        assert said.is_hidden()
        form.locator("input[name=by]").press("Enter")  # Enter in a field decides nothing
        form.locator("button[value=已说明]").click()
        assert said.is_visible() and said.text_content() == "选择“已说明”时，须在“说明”栏中写明理由"
        assert page.url == address and page.evaluate("document.activeElement.name") == "note"
        assert form.locator("textarea[name=note]").evaluate("note => note.validity.valueMissing")
    assert posted == [] and not written.exists()
    # a note written, the same button saves it: the one request sent
    form.locator("textarea[name=note]").fill("两局合并")
    assert said.is_hidden()
    form.locator("button[value=已说明]").click()
    page.wait_for_load_state()
    assert len(posted) == 1 and "%E5%B7%B2%E8%AF%B4%E6%98%8E" in posted[0]  # 已说明
    assert [d["note"] for d in yaml.safe_load(written.read_text(encoding="utf-8"))] == ["两局合并"]
    assert not [error for error in errors if "Content Security Policy" in error]


def test_a_decision_that_cannot_be_written_is_refused_with_the_reason(served):
    (served.project / "reviews").mkdir()
    (served.project / "reviews/2023").write_text("", encoding="utf-8")  # a file where the year's folder goes
    finding = _findings(served.project, "2023/shili-jtysj")[0]
    status, _, page = _post(served.url, {"token": _token(served.url), "folder": "2023/shili-jtysj", "finding": finding,
                                         "decision": "误报", "back": "/"})
    assert status == 400 and "无法写入 reviews/2023：已有同名文件" in page
    assert "Traceback" not in served.log.read_text()


def test_a_reviews_file_that_cannot_be_read_is_said_in_chinese_naming_it(served):
    (served.project / "reviews/2023/shili-jtysj.yaml").mkdir(parents=True)  # a folder in the file's place
    finding = _findings(served.project, "2023/shili-jtysj")[0]
    status, _, page = _post(served.url, {"token": _token(served.url), "folder": "2023/shili-jtysj", "finding": finding,
                                         "decision": "误报", "back": "/"})
    said = re.search(r'<p class="problem"[^>]*>(.*?)</p>', page).group(1)
    assert status == 400 and said == "无法读取 reviews/2023/shili-jtysj.yaml：是目录，不是文件"
    assert _request(served.url, path="/2023/shili-jtysj/review.html")[0] == 200
    assert "Traceback" not in served.log.read_text()
