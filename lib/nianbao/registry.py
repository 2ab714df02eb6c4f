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
