"""`nianbao review`: the outputs served on 127.0.0.1, with a form for every finding.

A reviewer who reads no code decides on each finding in the page itself: the index (every
finding, to filter and sort) and each report's review page get a form per finding; saving it
writes the decision to reviews/<year>/<name>.yaml (reviews.py), the only file this server
writes. Pages are made as they are asked for, with the decisions as they are now; every other
file of the output folder is served as it lies. The next `nianbao run` renders the decided
reports again (their reviews file is one of their inputs), so the files themselves show the
decisions and an agency-year whose errors are all settled is no longer a draft.

Python's own http.server: three routes, no new dependency to keep up; one reviewer at a time
on their own machine needs nothing more. It listens on the loopback address only, answers only
requests addressed to it by that name (a page elsewhere cannot reach it through a DNS name that
points at 127.0.0.1), and takes a decision only with the token of its own pages. A decision not
saved gets a page that says why, in the reviewer's words, and leads back; a malformed request a
refusal in Chinese. A silent connection is closed after TIMEOUT seconds, and at most
CONNECTIONS are handled at once.
"""
from __future__ import annotations

import datetime as dt
import json
import mimetypes
import re
import secrets
import string
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .. import ids, pages, reviews
from ..consolidation import Coverage
from ..record import Record
from . import index

HOST = "127.0.0.1"
LARGEST_FORM = 16_384  # bytes: a decision with its note is well under this
TIMEOUT = 10  # seconds a connection may keep its thread waiting (a browser here sends at once)
CONNECTIONS = 32  # handled at once: a browser opens six, and each carries one request (HTTP/1.0)
SERVED = {".html", ".pdf", ".docx", ".ipynb", ".json", ".csv", ".png"}
# the review panel as the review page has it (attributes in any order)
PANEL = re.compile(r'<aside\b[^>]*\bclass="review-panel"[^>]*>.*?</aside>', re.DOTALL)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
PAGE_CSP = "form-action 'self'; frame-ancestors 'none'"
# http.server's own refusals (a request line too long, a method not served), said in Chinese
REFUSALS = {
    HTTPStatus.BAD_REQUEST: "请求格式有误",
    HTTPStatus.REQUEST_URI_TOO_LONG: "地址过长",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "请求头过长或过多",
    HTTPStatus.NOT_IMPLEMENTED: "只接受 GET 和 POST 请求",
    HTTPStatus.HTTP_VERSION_NOT_SUPPORTED: "不支持这一 HTTP 版本",
}


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # connections past CONNECTIONS wait here for a thread

    def __init__(self, out: Path, root: Path, port: int = 0, by: str = ""):
        super().__init__((HOST, port), Handler)
        self.out, self.root, self.by = Path(out), Path(root), by
        self.token = secrets.token_urlsafe(24)  # forms of this server's own pages carry it
        self.slots = threading.BoundedSemaphore(CONNECTIONS)

    def process_request(self, request, client_address):
        self.slots.acquire()  # given back when the connection's thread ends
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_port}/"

    def form(self, back: str, folder: str = "") -> dict:
        return {"action": "/decide", "token": self.token, "folder": folder, "back": back, "by": self.by}


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "nianbao-review"
    timeout = TIMEOUT  # a silent connection is closed instead of holding its thread

    def log_message(self, format, *args):  # one line a request is noise on the reviewer's terminal
        pass

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        self._send(HTTPStatus(code), REFUSALS.get(code, "请求无法处理"))

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
            body, kind = self._file(path)
        except (ValueError, OSError):  # outside the folder, not served, a name too long for the filesystem
            return self._send(HTTPStatus.NOT_FOUND, "没有这个文件")
        return self._send(HTTPStatus.OK, body, kind)

    def _file(self, path: str) -> tuple[str | bytes, str]:
        """What the output folder holds at `path`, and its type."""
        file = ids.inside(self.server.out, path.lstrip("/"))
        hidden = any(part.startswith(".") for part in file.relative_to(self.server.out.resolve()).parts)
        if not file.is_file() or file.suffix not in SERVED or hidden:  # staging folders, lock files
            raise FileNotFoundError(path)
        if file.name == "review.html":
            return self._review(file), "text/html"
        return file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"

    def _review(self, file: Path) -> str:
        """A review page with its panel made anew: the decisions as they are now, and a form
        for each finding."""
        html = file.read_text(encoding="utf-8")
        folder = file.parent.relative_to(self.server.out.resolve()).as_posix()
        try:
            record = Record.from_dict(json.loads((file.parent / "record.json").read_text(encoding="utf-8")))
            checked = index.checks_of(file.parent / "checks.json")
            findings, stale = index.decided_findings(checked, self.server.root, folder)
            coverage = Coverage.from_dict(checked["coverage"]) if checked.get("coverage") else None
        except (OSError, ValueError, KeyError, TypeError):  # no record.json: as it was rendered
            return html
        panel = pages.review(record, findings, stale, form=self.server.form(f"/{folder}/review.html", folder),
                             coverage=coverage)
        return PANEL.sub(lambda _: panel, html, count=1)

    def do_POST(self):
        if not self._addressed_to_us():
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, "只接受发往 127.0.0.1 的请求")
        origin = self.headers.get("Origin")
        if origin not in (None, "null") and urlsplit(origin).netloc != self.headers.get("Host"):
            return self._send(HTTPStatus.FORBIDDEN, "只接受本页面提交的审核决定")
        if urlsplit(self.path).path != "/decide":
            return self._send(HTTPStatus.NOT_FOUND, "没有这个地址")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._send(HTTPStatus.BAD_REQUEST, "请求头 Content-Length 应为提交内容的字节数")
        if not 0 < length <= LARGEST_FORM:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"提交的内容应不超过 {LARGEST_FORM} 字节")
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        back = same_site(form.get("back", ""))
        if not secrets.compare_digest(form.get("token", "").encode(), self.server.token.encode()):
            return self._refuse(HTTPStatus.FORBIDDEN, "页面已过期：请返回，刷新页面后再提交", back)
        problem = self._unknown(form)
        if problem:
            return self._refuse(HTTPStatus.BAD_REQUEST, problem, back)
        problem = self._decide(form)
        if problem:
            return self._refuse(HTTPStatus.BAD_REQUEST, problem, back, form)
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", back)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _unknown(self, form: dict) -> str | None:
        """Why the report or the finding a form names cannot be decided on, or None."""
        folder = form.get("folder", "")
        year, _, name = folder.partition("/")
        if not (year.isascii() and year.isdigit()) or ids.problem(name) \
                or not (self.server.out / year / name / "checks.json").is_file():
            return f"没有这份报告：{folder[:60]}"
        checked = index.checks_of(self.server.out / year / name / "checks.json")
        findings, _ = index.decided_findings(checked, self.server.root, folder)
        if form.get("finding") not in {f.id for f in findings}:
            return "这条审核结果已不存在（报告可能已重新生成）：请返回并刷新页面"
        return None

    def _decide(self, form: dict) -> str | None:
        """Record the decision of a form, or say why it cannot be."""
        note = form.get("note", "").strip()
        if form.get("decision") == "已说明" and not note:  # the browser refuses an empty note; spaces come here
            return "选择“已说明”时，须在“说明”栏中写明理由"
        year, _, name = form["folder"].partition("/")
        decision = reviews.Decision(finding=form["finding"], decision=form.get("decision", ""), note=note,
                                    by=form.get("by", "").strip(), at=dt.date.today().isoformat())
        try:
            reviews.decide(reviews.path_of(self.server.root, int(year), name), decision)
        except reviews.ReviewsError as error:
            return str(error)
        return None

    def _refuse(self, status: HTTPStatus, problem: str, back: str, form: dict | None = None):
        """A decision not saved: a page that says why and leads back to where the reviewer was;
        with `form` (the reviewer's, with this server's token), the form again as they filled it."""
        again = form and {**self.server.form(back, form["folder"]), "by": form.get("by", "")}
        page = pages.render("desk/refused.html.j2", problem=problem, back=back, form=again, filled=form or {},
                            decisions=list(reviews.DECISIONS), style=pages.stylesheet(review=True))
        return self._send(status, page, "text/html")

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


def same_site(back: str) -> str:
    """`back` when it is a path of this server, percent-encoded as a Location header must be,
    else "/": a redirect must not carry a header of its own (CR, LF) nor leave for another site
    (`//host`, and `/\\host` or `/<tab>/host`, which browsers read as `//host`)."""
    if not back.startswith("/") or back.startswith("//") or "\\" in back or not back.isprintable():
        return "/"
    return quote(back, safe=string.punctuation)  # what is left to quote: letters outside ASCII


def serve(out: Path, root: Path = Path("."), port: int = 8765, by: str = "", announce=print) -> None:
    """Serve until Ctrl-C."""
    with ReviewServer(out, root, port, by) as server:
        announce(f"审核服务：{server.url} （只在本机可访问；审核决定写入 {root / 'reviews'}/；按 Ctrl-C 结束）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            announce("审核服务已结束。重新运行 nianbao run，报告和索引即按审核决定重新生成。")
