"""Names that become paths: agency ids and params file names.

An agency id (`quzhou-jgswbzzx`) names the folder of its reports and its history page, so
it is checked before any path is built from it: letters (Chinese included), digits, `-`, `_`
and `.`, beginning with a letter or digit, at most 100 characters. `..`, `/`, `\\` and an
absolute path can thus never be an id.
"""
from __future__ import annotations

import re
from pathlib import Path

ID = re.compile(r"[^\W_][\w.-]{0,99}")
RULE = "只能由字母、汉字、数字和“-”“_”“.”组成，以字母、汉字或数字开头，不超过 100 个字符"


def problem(value) -> str | None:
    """What is wrong with `value` as an id, in Chinese, or None when it is a good one."""
    if not isinstance(value, str):
        return f"应为文字，实为{type(value).__name__}"
    if not ID.fullmatch(value):
        return f"“{value[:40]}”不是有效的机关代码：{RULE}"
    return None


def inside(root: Path, *parts: str) -> Path:
    """root/parts, refused (ValueError) unless it lies inside root once resolved."""
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise ValueError(f"{path} 不在输出目录 {base} 之内")
    return path
