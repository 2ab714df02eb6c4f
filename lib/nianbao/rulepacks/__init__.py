"""Local rule packs: the requirements a province or city adds to the national format, as data.

A pack is one YAML file: its `id`, its `name` (the notice that asks for it), the `editions` it
applies to, and `rules:` written as an edition's rules are. A project selects packs in its
nianbao.yaml (project.py); checks.packs(ids) loads and validates them and checks.check runs
their rules after the edition's. The packs shipped in this folder are found first; other
packages add packs through the entry point group ``nianbao.rule_packs``, whose objects are
folders of pack YAML files.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .. import registry


@dataclass(frozen=True)
class Pack:
    id: str
    name: str                  # the notice that asks for it: 武威市政务公开办〔2025〕54号
    editions: tuple[str, ...]  # the editions whose reports its rules apply to
    rules: tuple[dict, ...]
    source: str = ""           # the file it was read from, for messages


@functools.cache
def definitions() -> dict[str, dict]:
    """Every pack's definition as written, by id, with the file it came from as `source`."""
    return registry.yaml_definitions("nianbao.rule_packs", __package__, "规则包")


def available() -> list[str]:
    return list(definitions())


def definition(pack_id: str) -> dict:
    """The definition of one pack; an unknown id raises KeyError naming the known ones."""
    known = definitions()
    if pack_id not in known:
        raise KeyError(f"未知的规则包“{pack_id}”，可用：{'、'.join(known) or '（无）'}")
    return known[pack_id]
