"""The project's own settings: nianbao.yaml at the project folder's root, optional.

    # nianbao.yaml
    rule_packs: [wuwei-2025]   # local rule packs its reports are checked against (rulepacks/)

Read as strictly as a params file: a field nianbao does not know, a value of the wrong kind or
a pack no one provides is refused, naming the file and the field.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from . import rulepacks, yamltext
from .errors import NianbaoError, reason

FILE = "nianbao.yaml"
FIELDS = ("rule_packs",)


class ProjectError(NianbaoError, ValueError):
    """nianbao.yaml cannot be used as it is; the message names the file and the field."""


def rule_packs(root: Path = Path(".")) -> list[str]:
    """The ids of the rule packs the project selects; none when it has no nianbao.yaml."""
    path = Path(root) / FILE
    if not path.exists():
        return []
    try:
        data = yamltext.load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ProjectError(f"{path}：无法读取：应为 UTF-8 编码的文字") from None
    except OSError as error:
        raise ProjectError(f"{path}：无法读取：{reason(error)}") from None
    except yaml.YAMLError as error:
        raise ProjectError(f"{path}：无法读取：{error}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ProjectError(f"{path}：应为“字段: 值”的映射（如 rule_packs: [wuwei-2025]）")
    unknown = [str(key) for key in data if key not in FIELDS]
    if unknown:
        raise ProjectError(f"{path}：未知字段“{'、'.join(unknown)}”，可用字段：{'、'.join(FIELDS)}")
    selected = data.get("rule_packs") or []
    if not isinstance(selected, list) or not all(isinstance(pack, str) for pack in selected):
        raise ProjectError(f"{path}：rule_packs：应为规则包代码的列表，如 [wuwei-2025]")
    known = rulepacks.available()
    for pack in selected:
        if pack not in known:
            raise ProjectError(f"{path}：rule_packs：未知的规则包“{pack}”，可用：{'、'.join(known) or '（无）'}")
        if selected.count(pack) > 1:
            raise ProjectError(f"{path}：rule_packs：规则包“{pack}”列了两次")
    return selected
