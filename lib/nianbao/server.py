"""`nianbao review`: the outputs served on 127.0.0.1, with a form for every finding.

A reviewer who reads no code decides on each finding in the page itself: the index (every
finding, to filter and sort) and each report's review panel get a form per finding; saving it
writes the decision to reviews/<year>/<name>.yaml (reviews.py), the only file this server
writes. Pages are made as they are asked for, with the decisions as they are now; every other
file of the output folder is served as it lies. The next `nianbao run` renders the decided
reports again (their reviews file is one of their inputs), so the files themselves show the
decisions and an agency-year whose errors are all settled is no longer a draft.

Python's own http.server: three routes, no templates of its own, no new dependency to keep
up; one reviewer at a time on their own machine needs nothing more. It listens on the
loopback address only, answers only requests addressed to it by that name (a page elsewhere
cannot reach it through a DNS name that points at 127.0.0.1), and takes a decision only with
the token of its own pages.
"""
from __future__ import annotations

import datetime as dt
import json
import mimetypes
import re
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import ids, pages, reviews
from .pages import index
from .record import Record

HOST = "127.0.0.1"
LARGEST_FORM = 16_384  # bytes: a decision with its note is well under this
SERVED = {".html", ".pdf", ".docx", ".ipynb", ".json", ".csv", ".png"}
# the review panel as the exporter writes it (attributes in any order)
PANEL = re.compile(r'<aside\b[^>]*\bclass="review-panel"[^>]*>.*?</aside>', re.DOTALL)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
PAGE_CSP = "form-action 'self'; frame-ancestors 'none'"


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, out: Path, root: Path, port: int = 0, by: str = ""):
        super().__init__((HOST, port), Handler)
        self.out, self.root, self.by = Path(out), Path(root), by
        self.token = secrets.token_urlsafe(24)  # forms of this server's own pages carry it

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/"

    def form(self, back: str, folder: str = "") -> dict:
        return {"action": "/decide", "token": self.token, "folder": folder, "back": back, "by": self.by}


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "nianbao-review"

    def log_message(self, format, *args):  # one line a request is noise on the reviewer's terminal
        pass

    def _addressed_to_us(self) -> bool:
        port = self.server.server_port
        return self.headers.get("Host", "") in (f"{HOST}:{port}", f"localhost:{port}")

    def do_GET(self):
        if not self._addressed_to_us():
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, "只接受发往 127.0.0.1 的请求")
        path = unquote(urlsplit(self.path).path)
        if path in ("/", "/index.html"):
            histories = {p.stem: f"history/{p.name}" for p in (self.server.out / "history").glob("*.html")}
            return self._send(HTTPStatus.OK, index.index_page(self.server.out, histories, root=self.server.root,
                                                              form=self.server.form("/")), "text/html")
        try:
            file = ids.inside(self.server.out, path.lstrip("/"))
        except ValueError:
            return self._send(HTTPStatus.NOT_FOUND, "没有这个文件")
        hidden = any(part.startswith(".") for part in file.relative_to(self.server.out.resolve()).parts)
        if not file.is_file() or file.suffix not in SERVED or hidden:  # staging folders, lock files
            return self._send(HTTPStatus.NOT_FOUND, "没有这个文件")
        if file.name == "report.html":
            return self._send(HTTPStatus.OK, self._report(file), "text/html")
        body = file.read_bytes()
        return self._send(HTTPStatus.OK, body, mimetypes.guess_type(file.name)[0] or "application/octet-stream")

    def _report(self, file: Path) -> str:
        """A report page with its review panel made anew: the decisions as they are now, and a
        form for each finding."""
        html = file.read_text(encoding="utf-8")
        folder = file.parent.relative_to(self.server.out.resolve()).as_posix()
        try:
            record = Record.from_dict(json.loads((file.parent / "record.json").read_text(encoding="utf-8")))
            findings, stale = index.decided_findings(index.checks_of(file.parent / "checks.json"),
                                                     self.server.root, folder)
        except (OSError, ValueError, KeyError, TypeError):  # no record.json: as it was rendered
            return html
        panel = pages.review(record, findings, stale, form=self.server.form(f"/{folder}/report.html", folder))
        return PANEL.sub(lambda _: panel, html, count=1)

    def do_POST(self):
        if not self._addressed_to_us():
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, "只接受发往 127.0.0.1 的请求")
        origin = self.headers.get("Origin")
        if origin not in (None, "null") and urlsplit(origin).netloc != self.headers.get("Host"):
            return self._send(HTTPStatus.FORBIDDEN, "只接受本页面提交的审核决定")
        if urlsplit(self.path).path != "/decide":
            return self._send(HTTPStatus.NOT_FOUND, "没有这个地址")
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= LARGEST_FORM:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"提交的内容应不超过 {LARGEST_FORM} 字节")
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        if not secrets.compare_digest(form.get("token", ""), self.server.token):
            return self._send(HTTPStatus.FORBIDDEN, "页面已过期：请刷新页面后再提交")
        problem = self._decide(form)
        if problem:
            return self._send(HTTPStatus.BAD_REQUEST, problem)
        back = form.get("back", "/")
        back = back if back.startswith("/") and not back.startswith("//") else "/"
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", back)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _decide(self, form: dict) -> str | None:
        """Record the decision of a form, or say why it cannot be."""
        folder = form.get("folder", "")
        year, _, name = folder.partition("/")
        if not year.isdigit() or ids.problem(name) or not (self.server.out / year / name / "checks.json").is_file():
            return f"没有这份报告：{folder[:60]}"
        checked = index.checks_of(self.server.out / year / name / "checks.json")
        findings, _ = index.decided_findings(checked, self.server.root, folder)
        if form.get("finding") not in {f.id for f in findings}:
            return "这条审核结果已不存在（报告可能已重新生成）：请刷新页面"
        decision = reviews.Decision(finding=form["finding"], decision=form.get("decision", ""),
                                    note=form.get("note", "").strip(), by=form.get("by", "").strip(),
                                    at=dt.date.today().isoformat())
        try:
            reviews.decide(reviews.path_of(self.server.root, int(year), name), decision)
        except reviews.ReviewsError as error:
            return str(error)
        return None

    def _send(self, status: HTTPStatus, body, content_type: str = "text/plain"):
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8" if content_type.startswith("text/")
                         else content_type)
        self.send_header("Content-Length", str(len(data)))
        # a page keeps the policy its meta tag states (the index allows its own script by hash)
        self.send_header("Content-Security-Policy", PAGE_CSP if content_type == "text/html" else CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def serve(out: Path, root: Path = Path("."), port: int = 8765, by: str = "", announce=print) -> None:
    """Serve until Ctrl-C."""
    with ReviewServer(out, root, port, by) as server:
        announce(f"审核服务：{server.url} （只在本机可访问；审核决定写入 {root / 'reviews'}/；按 Ctrl-C 结束）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            announce("审核服务已结束。重新运行 nianbao run，报告和索引即按审核决定重新生成。")
