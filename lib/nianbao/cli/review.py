"""`nianbao review`: the output folder served on this machine, a form per finding."""
from __future__ import annotations

import sys
from pathlib import Path


def add(commands) -> None:
    review = commands.add_parser("review", help="在本机浏览器中审核报告：逐条记录审核决定",
                                 description="在 127.0.0.1 上提供输出目录的页面，每条审核结果旁有表单；"
                                             "审核决定写入 reviews/<年度>/<机关>.yaml")
    review.add_argument("--out", type=Path, default=Path("outputs"), metavar="目录", help="输出目录（默认 outputs/）")
    review.add_argument("--port", type=int, default=8765, metavar="端口", help="端口（默认 8765；0 表示任选空闲端口）")
    review.add_argument("--by", default="", metavar="姓名", help="审核人姓名，预先填入表单")
    review.set_defaults(handler=_review)


def _review(args) -> int:
    from ..desk.server import serve
    from ..errors import reason

    if not (args.out / "index.html").is_file():
        print(f"{args.out} 中没有审核索引：请先运行 nianbao run", file=sys.stderr)
        return 2
    try:
        serve(args.out, Path("."), args.port, args.by, announce=lambda line: print(line, flush=True))
    except OSError as error:
        print(f"审核服务无法启动（端口 {args.port}）：{reason(error)}；可用 --port 换一个端口", file=sys.stderr)
        return 2
    return 0
