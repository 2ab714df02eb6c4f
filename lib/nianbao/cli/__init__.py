"""`nianbao run | check | workbook | import | audit | review`: the command line of the toolkit.

One module per kind of work, each adding its commands to the parser (`add`) with the function
that carries each out: run.py (the batch), records.py (an agency's records: check, workbook),
published.py (published reports: import, audit), review.py (the reviewers' server). Every
message a person reads is in Chinese; a NianbaoError is shown as its message, never a traceback.
"""
from __future__ import annotations

import argparse
import re

from . import data, published, records, review, run


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="nianbao", description="政府信息公开工作年度报告：生成、审核、发布")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=Parser)
    for module in (run, records, published, review, data):
        module.add(commands)
    args = parser.parse_args(argv)
    return args.handler(args)


class Parser(argparse.ArgumentParser):
    """argparse, speaking Chinese where it speaks to the user: its own help headings, and a bad
    argument said in one line with exit status 2 (argparse's detail, in its words, follows)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示此帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "用法：", 1)

    def error(self, message: str):
        for pattern, said in _ARGPARSE_ERRORS:
            message = re.sub(pattern, said, message)
        self.exit(2, f"{self.prog}：参数有误：{message}（查看用法：{self.prog} --help）\n")


# argparse's own messages, in the user's words.
_ARGPARSE_ERRORS = [
    (r"^argument (\S+): invalid choice: (.+) \(choose from (.+)\)$", r"\1 的值 \2 无效，可选：\3"),
    (r"^argument (\S+): invalid int value: (.+)$", r"\1 的值 \2 无效，应为整数"),
    (r"^argument (\S+): expected one argument$", r"\1 后面应有一个值"),
    (r"^the following arguments are required: (.+)$", r"缺少参数：\1"),
    (r"^unrecognized arguments: (.+)$", r"无法识别的参数：\1"),
]
