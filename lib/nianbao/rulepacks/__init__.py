"""Local rule packs: the requirements a province or city adds to the national format, as data.

A pack is one YAML file: its `id`, its `name` (the notice that asks for it), the `editions` it
applies to, and `rules:` written as an edition's rules are. A project selects packs in its
nianbao.yaml (project.py); checks.packs(ids) loads them, refused with every mistake `problems`
finds, and checks.check runs their rules after the edition's. The packs shipped in this folder are found first; other
packages add packs through the entry point group ``nianbao.rule_packs``, whose objects are
folders of pack YAML files.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .. import editions, registry
from ..editions import schema


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


FIELDS = ("id", "name", "editions", "rules")


def problems(data: dict) -> list[str]:
    """Every mistake in a pack's definition: its fields, the editions it names, and each rule
    checked against every edition it applies to, as an edition's own rules are."""
    found = [f"缺少 {field}" for field in FIELDS if field not in data]
    found += [f"未知字段 {key}，可用：{'、'.join(FIELDS)}" for key in data if key not in (*FIELDS, "source")]
    if found:
        return found
    if not isinstance(data["editions"], list) or not isinstance(data["rules"], list):
        return ["editions 和 rules 应为列表"]
    for edition_id in data["editions"]:
        try:
            edition = editions.load(str(edition_id))
        except KeyError as error:
            found.append(f"editions：{error.args[0]}")
            continue
        for number, rule in enumerate(data["rules"], 1):
            name = f"规则 {rule.get('id', f'第{number}条')}（格式版本 {edition.id}）"
            found += [f"{name}：{problem}" for problem in schema.rule_problems(edition, rule)]
    return found
