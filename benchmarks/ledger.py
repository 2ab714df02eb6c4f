"""The ledger of obligations and rules, docs/rules.md, written from docs/obligations.yaml, the
editions and the rule packs.

    .venv/bin/python benchmarks/ledger.py            # write docs/rules.md
    .venv/bin/python benchmarks/ledger.py --check    # exit 1 when docs/rules.md is not what it would write

Each obligation of the 条例, of the format notice, of what evaluations cite and of the local
rule packs, with the rules that check it (in which editions or packs, of what severity), or why
none does; then every rule with the obligations it serves. A rule id the obligations name that
no edition or pack has, or a rule of an edition or pack under no obligation, is refused.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from nianbao import editions, rulepacks
from nianbao.editions.schema import SEVERITIES as SEVERITY

ROOT = Path(__file__).resolve().parent.parent
OBLIGATIONS = ROOT / "docs" / "obligations.yaml"
LEDGER = ROOT / "docs" / "rules.md"


def rules() -> dict[str, dict]:
    """Every rule id with its kind, severity and the editions and packs that have it, in the
    order the editions (then the packs) list them."""
    found: dict[str, dict] = {}
    sources = [(edition_id, editions.load(edition_id).rules) for edition_id in editions.available()]
    sources += [(f"规则包 {pack_id}", rulepacks.definition(pack_id)["rules"]) for pack_id in rulepacks.available()]
    for where, listed in sources:
        for rule in listed:
            entry = found.setdefault(rule["id"], {"kind": rule["kind"], "severity": set(), "in": []})
            entry["severity"].add(SEVERITY.get(rule["severity"], rule["severity"]))
            if where not in entry["in"]:
                entry["in"].append(where)
    return found


def problems(sources: list[dict], known: dict[str, dict]) -> list[str]:
    named = {rule for source in sources for item in source["obligations"] for rule in item.get("rules", [])}
    found = [f"{OBLIGATIONS.name}：规则 {rule} 不在任何版本或规则包中" for rule in sorted(named - set(known))]
    found += [f"规则 {rule}（{'、'.join(known[rule]['in'])}）不在 {OBLIGATIONS.name} 的任何义务之下"
              for rule in known if rule not in named]
    return found


def render(sources: list[dict], known: dict[str, dict]) -> str:
    lines = ["# 规则台账", "",
             "<!-- benchmarks/ledger.py 由 docs/obligations.yaml、各版本和规则包生成，请勿手改 -->", "",
             "每项义务由哪些规则核查（在哪些版本或规则包中、严重程度），或为什么没有规则核查。"
             "每条规则在金标准上的精确率和召回率见 `benchmarks/rules.py`。", ""]
    served: dict[str, list[str]] = {rule: [] for rule in known}
    for source in sources:
        lines += [f"## {source['name']}", "", "| 条款 | 义务 | 核查规则 |", "|---|---|---|"]
        for item in source["obligations"]:
            if item.get("rules"):
                checked = "<br>".join(f"`{rule}`（{'、'.join(sorted(known[rule]['severity']))}；"
                                      f"{'、'.join(known[rule]['in'])}）" for rule in item["rules"])
            else:
                checked = item["unchecked"]
            lines.append(f"| {item['clause']} | {item['what']} | {checked} |")
            for rule in item.get("rules", []):
                served[rule].append(f"{source['id']}·{item['clause']}")
        lines.append("")
    lines += ["## 规则一览", "", "| 规则 | 检查类型 | 严重程度 | 版本、规则包 | 所核查的义务 |", "|---|---|---|---|---|"]
    for rule, entry in known.items():
        lines.append(f"| `{rule}` | {entry['kind']} | {'、'.join(sorted(entry['severity']))} | "
                     f"{'、'.join(entry['in'])} | {'；'.join(dict.fromkeys(served[rule]))} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="只核对 docs/rules.md 是否为最新，不写入")
    args = parser.parse_args(argv)
    sources = yaml.safe_load(OBLIGATIONS.read_text(encoding="utf-8"))["sources"]
    known = rules()
    wrong = problems(sources, known)
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        return 1
    ledger = render(sources, known)
    if args.check:
        if not LEDGER.is_file() or LEDGER.read_text(encoding="utf-8") != ledger:
            print(f"{LEDGER.relative_to(ROOT)} 不是最新的：请运行 .venv/bin/python benchmarks/ledger.py", file=sys.stderr)
            return 1
        return 0
    LEDGER.write_text(ledger, encoding="utf-8")
    print(f"已写入 {LEDGER.relative_to(ROOT)}：{sum(len(s['obligations']) for s in sources)} 项义务，{len(known)} 条规则")
    return 0


if __name__ == "__main__":
    sys.exit(main())
