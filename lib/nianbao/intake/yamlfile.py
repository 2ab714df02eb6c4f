"""The YAML intake: one file per agency-year that a person can read, edit and diff.

Tables are written as nested mappings of their official labels. A row of a wide table is a
list of its values in column order; any cell can also be given by name, and the value of a
row with one column alone (the legacy 统计表's `3.网络申请数: 1`). Labels are matched
after folding width and spacing, and a leaf label that names one row only may stand alone.
See data/2022/quzhou-jgswbzzx.yaml for a complete example.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .. import yamltext
from ..record import Record
from .raw import FIELDS, IntakeError, Problem, Raw, build, edition_for, kind_of

ENCODING = "文件应为 UTF-8 编码的文字（GBK、UTF-16 等编码请另存为 UTF-8）"


def read(path: Path) -> Record:
    try:
        data = yamltext.load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise IntakeError(path, [Problem("编码", ENCODING)]) from None
    except yaml.reader.ReaderError as error:  # binary, or UTF-16 that happens to decode as UTF-8
        raise IntakeError(path, [Problem("编码", f"含有控制字符 U+{error.character:04X}，{ENCODING}")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "YAML"
        raise IntakeError(path, [Problem(where, f"YAML 语法错误：{getattr(error, 'problem', error)}")]) from None
    if not isinstance(data, dict):
        raise IntakeError(path, [Problem("文件", "应为一个 YAML 映射（字段: 值）")])

    problems: list[Problem] = []
    known = [*FIELDS, "parts", "tables"]
    for key in data:
        if key not in known:
            problems.append(Problem(str(key), f"未知字段，可用字段：{'、'.join(known)}"))
    meta = {name: Raw(data[name], name) for name in FIELDS if name in data}
    parts = {str(k): Raw(v, f"parts.{k}") for k, v in
             _mapping(data, "parts", "应为以正文部分编号为键的映射（如“一: 文字”）", problems).items()}

    cells: dict[tuple[str, str, str], Raw] = {}
    tables = _mapping(data, "tables", "应为以表名（二、三、四）为键的映射", problems)
    edition = edition_for(meta)
    if edition is not None:
        for table_id, node in tables.items():
            table_id = str(table_id)
            if table_id not in edition.tables:
                problems.append(Problem(f"tables.{table_id}", f"未知的表，应为 {'、'.join(edition.tables)} 之一"))
                continue
            _place(edition, table_id, node, [], cells, problems)
    return build(path, meta, parts, cells, problems)


def _mapping(data: dict, name: str, expected: str, problems: list[Problem]) -> dict:
    """The mapping under `name`; left out or empty (`tables:`) is an empty one."""
    node = data.get(name)
    if node is None:
        return {}
    if not isinstance(node, dict):
        problems.append(Problem(name, f"{expected}，实为{kind_of(node)}"))
        return {}
    return node


def _place(edition, table_id, node, path, cells, problems) -> None:
    """Walk a table's nested labels down to its values and put each on its official cell."""
    where = ".".join(["tables", table_id, *path])
    if isinstance(node, dict):
        for key, child in node.items():
            _place(edition, table_id, child, [*path, str(key)], cells, problems)
        return
    if isinstance(node, list):
        row = edition.resolve_row(table_id, "/".join(path))
        if row is None:
            problems.append(Problem(where, f"{edition.tables[table_id].name}中没有这一行"))
            return
        columns = edition.tables[table_id].columns(row)
        if len(node) != len(columns):
            problems.append(Problem(where, f"应有 {len(columns)} 个数（{'、'.join(columns)}），实有 {len(node)} 个"))
            return
        for column, value in zip(columns, node):
            _put(cells, (table_id, row, column), Raw(value, f"{where}[{column}]"), problems)
        return
    # A single value: its path is a row followed by a column; try the longest row first.
    for split in range(len(path), -1, -1):
        row = edition.resolve_row(table_id, "/".join(path[:split]))
        column = row is not None and edition.resolve_column(table_id, row, "/".join(path[split:]))
        if column:
            _put(cells, (table_id, row, column), Raw(node, where), problems)
            return
    problems.append(Problem(where, f"{edition.tables[table_id].name}中没有这一单元格"))


def _put(cells, key, raw, problems) -> None:
    if key in cells:
        problems.append(Problem(raw.where, f"与 {cells[key].where} 是同一单元格，重复填写"))
    cells[key] = raw


def dump(record: Record) -> str:
    """The YAML text of a record, in the layout `read` takes back."""
    data = {name: getattr(record, name) for name in FIELDS if getattr(record, name) not in ("", None)}
    data["parts"] = dict(record.parts)
    data["tables"] = {tid: _nested(table, record.tables[tid]) for tid, table in record.spec.tables.items()}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _nested(table, values) -> dict:
    out: dict = {}
    for block in table.blocks:
        for key in block.keys:
            row = values[key]
            if key == "":            # a row with no label (table 四): its columns nest instead
                for column, value in row.items():
                    _set(out, column.split("/"), value)
            elif len(block.columns) > 3:   # wide rows read best as one list in column order
                _set(out, key.split("/"), _Flow(row.values()))
            else:
                _set(out, key.split("/"), dict(row))
    return out


def _set(tree: dict, path: list[str], value) -> None:
    for label in path[:-1]:
        tree = tree.setdefault(label, {})
    tree[path[-1]] = value


class _Flow(list):
    """A list written on one line: `[0, 0, 0, 0, 0, 0, 0]`."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
