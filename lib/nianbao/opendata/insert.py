"""Drafted parts written into the record file an analyst keeps, and nothing else of it changed.

A YAML record is edited as text: each drafted part goes in as a block under `parts:` (a part
written as empty is replaced, a missing one added after the others), so the analyst's comments,
order and layout stay as they were. A workbook gets the text in its 正文 sheet's cells, which
have a row for each narrative part only: a table part's lead has no place there and is left
out. Either way the file is read back before it replaces the old one, and a part already
written, a table or a field that would read otherwise stops the write (DraftError).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import yaml

from .. import intake
from ..errors import NianbaoError
from ..intake import sheets

WORKBOOKS = (".xlsx",)


class DraftError(NianbaoError):
    """The drafted text could not be written into the record file: which, and why."""


def write(path: Path, texts: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Write the drafted parts into the record at `path`: (what was written, what was left out
    and why). Parts the file already holds text for are never touched."""
    path = Path(path)
    before = intake.read(path)
    texts = {part: text for part, text in texts.items() if not before.parts.get(part, "").strip()}
    left_out = []
    if path.suffix.lower() in WORKBOOKS:
        narrative = set(before.spec.narrative_parts)
        left_out = [f"{part}：填报表中没有表格前说明的位置，未写入（可改用 YAML 记录）" for part in texts if part not in narrative]
        texts = {part: text for part, text in texts.items() if part in narrative}
    if not texts:
        return {}, left_out
    temporary = path.with_name(f".{path.stem}.{secrets.token_hex(6)}{path.suffix}")
    try:
        if path.suffix.lower() in WORKBOOKS:
            _into_workbook(path, temporary, texts, before.spec)
        else:
            order = [part.id for part in before.spec.parts]
            temporary.write_text(_into_yaml(path.read_text(encoding="utf-8"), texts, order, path), encoding="utf-8")
        after = intake.read(temporary)
        expected = {**before.parts, **texts}
        if (after.parts, after.tables) != ({k: v.strip() for k, v in expected.items()}, before.tables):
            raise DraftError(f"{path}: 写入起草的文字后，记录的其他内容读出来与原来不同，未写入")
        os.replace(temporary, path)
    except intake.IntakeError as error:
        raise DraftError(f"{path}: 写入起草的文字后记录无法读取，未写入：{error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return texts, left_out


def _into_yaml(text: str, texts: dict[str, str], order: list[str], path: Path) -> str:
    """The YAML text with each drafted part under `parts:`, as a literal block, in the order of
    the edition's parts (`order`)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    entries = {key.value: (key, value) for key, value in root.value} if isinstance(root, yaml.MappingNode) else {}
    if "parts" not in entries or _empty(entries["parts"][1]):
        block = "parts:\n" + "".join(_entry(part, body, 2) for part, body in texts.items())
        if "parts" in entries:  # `parts:` or `parts: {}`: the whole line is replaced
            key, value = entries["parts"]
            return _spliced(text, _line_start(text, key), _line_end(text, value), block)
        at = _line_start(text, entries["tables"][0]) if "tables" in entries else len(text)
        prefix = "" if not text or text.endswith("\n") or "tables" in entries else "\n"
        return _spliced(text, at, at, prefix + block)
    parts = entries["parts"][1]
    if not isinstance(parts, yaml.MappingNode) or parts.flow_style:
        raise DraftError(f"{path}: parts 不是逐行书写的映射，无法自动写入起草的文字：请改为“parts:”下每部分一行后再试")
    written = {str(key.value): (key, value) for key, value in parts.value}
    indent = parts.value[0][0].start_mark.column
    # From the end backwards, so that each place found in the text stays where it was found;
    # a part added goes before the first written part that comes after it.
    edits = []
    for part, body in texts.items():
        if part in written:
            key, value = written[part]
            start, end = _line_start(text, key), _line_end(text, value)
            edits.append((start, end, order.index(part), _entry(part, body, indent)))
            continue
        later = [key for name, (key, _) in written.items() if name in order and order.index(name) > order.index(part)]
        at = _line_start(text, min(later, key=lambda key: key.start_mark.index)) if later else \
            _line_end(text, parts.value[-1][1])
        edits.append((at, at, order.index(part), _entry(part, body, indent)))
    for start, end, _, new in sorted(edits, key=lambda edit: edit[:3], reverse=True):
        text = _spliced(text, start, end, new)
    return text


def _empty(node) -> bool:
    return (isinstance(node, yaml.ScalarNode) and node.value == "") or (isinstance(node, yaml.MappingNode)
                                                                       and not node.value)


def _entry(part: str, body: str, indent: int) -> str:
    lines = "".join(f"{' ' * (indent + 2)}{line}\n" if line.strip() else "\n" for line in body.splitlines())
    return f"{' ' * indent}{part}: |\n{lines}"


def _line_start(text: str, node) -> int:
    return text.rfind("\n", 0, node.start_mark.index) + 1


def _line_end(text: str, node) -> int:
    """Just past the line on which the node ends (a block scalar ends at the next line's start)."""
    end = node.end_mark.index
    if end > 0 and text[end - 1] == "\n":
        return end
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _spliced(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _into_workbook(path: Path, temporary: Path, texts: dict[str, str], edition) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    cells = {item.key: item.cell for item in sheets.text_sheet(edition).inputs}
    sheet = book[sheets.TEXT]
    for part, body in texts.items():
        sheet[cells[part]].value = body
    book.save(temporary)

