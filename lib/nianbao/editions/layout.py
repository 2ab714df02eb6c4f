"""Where the merged header cells of a table go, computed from its label paths.

The Excel workbook and the HTML report draw the same official tables, so both place their
headers with these functions. A column written `行政诉讼/复议后起诉/总计` sits under
`复议后起诉`, which sits under `行政诉讼`; a shallower column stretches down, as 自然人 and
总计 do beside the five columns of 法人或其他组织. Row labels (the stub on the left) are laid
out the same way, turned sideways, unless the block is flat: then each row's last label stands
in one stub column, indented by its depth (the legacy 统计表, whose group lines hold values).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..labels import split_path


@dataclass(frozen=True)
class Span:
    label: str
    level: int   # header line (for columns) or stub column (for rows), from 0
    start: int   # first column (or row) it covers, from 0
    depth: int   # how many levels it covers
    width: int   # how many columns (or rows) it covers
    indent: int = 0  # in a flat stub: how far the label stands in (its depth below the top)


def depth(paths: list[str]) -> int:
    return max((len(split_path(p)) for p in paths), default=0)


def spans(paths: list[str]) -> list[Span]:
    """The merged cells heading `paths`, in level then position order.

    With D levels in all, a path of d < D labels has levels to spare, and its last label takes
    them, as the national form draws it: 表四's 行政复议 stands on one line and its five heads
    below it each cover two, beside the three levels of 行政诉讼; in a stub, each group label
    stays one merged cell (表三: （一）予以公开 covers two columns beside the tall
    三、本年度办理结果). Neighbours with the same labels down to a level merge there.
    """
    total = depth(paths)
    placed = []  # (level, position, labels down to this level, levels covered)
    for position, path in enumerate(paths):
        labels = split_path(path)
        spare = total - len(labels)
        level = 0
        for k in range(len(labels)):
            levels = 1 + spare if k == len(labels) - 1 else 1
            placed.append((level, position, tuple(labels[: k + 1]), levels))
            level += levels
    merged: list[Span] = []
    owner: list[tuple[str, ...]] = []  # the labels each merged span stands for
    for level, position, prefix, levels in sorted(placed):
        last = merged[-1] if merged else None
        if (last and last.level == level and last.start + last.width == position
                and last.depth == levels and owner[-1] == prefix):
            merged[-1] = Span(last.label, level, last.start, levels, last.width + 1)
        else:
            merged.append(Span(prefix[-1], level, position, levels, 1))
            owner.append(prefix)
    return merged


def stub_width(block) -> int:
    """How many columns a block's row labels take."""
    return 1 if block.flat else depth(block.labels)


def stub_spans(block) -> list[Span]:
    """The cells of a block's row labels, sideways: a span's level is its stub column and its
    width the rows it covers."""
    if not block.flat:
        return spans(block.labels)
    return [Span(labels[-1], 0, position, 1, 1, indent=len(labels) - 1)
            for position, labels in enumerate(map(split_path, block.labels))]
