"""Entry points: how other packages add to nianbao, looked up one way for every kind of thing.

Each group names what it registers (`nianbao.executors`: where a batch's jobs run; see the
README for every group). The built-in entries come first and a built-in name wins, so a
plugin can add but never silently replace. Entry points are scanned once per process.
"""
from __future__ import annotations

import functools
from importlib import metadata


def entries(group: str, builtin: dict) -> dict:
    """The built-in entries of a group, then what installed packages register under it."""
    return {**_registered(group), **builtin}


@functools.cache
def _registered(group: str) -> dict:
    return {entry.name: entry.load() for entry in metadata.entry_points(group=group)}


def yaml_definitions(group: str, package: str, what: str) -> dict[str, dict]:
    """Definitions kept as YAML files with an `id` (editions, rule packs): those of `package`'s
    own folder first, then of the folders other packages register under `group`. The first
    definition of an id wins; each carries the file it came from as `source`, for messages."""
    from importlib import resources
    from pathlib import Path

    from . import yamltext

    found: dict[str, dict] = {}
    for folder in [resources.files(package), *map(Path, entries(group, {}).values())]:
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".yaml"):
                data = yamltext.load(item.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or "id" not in data:
                    raise ValueError(f"{what} {item}：应为含 id 字段的映射")
                found.setdefault(str(data["id"]), {**data, "source": str(item)})
    return found
