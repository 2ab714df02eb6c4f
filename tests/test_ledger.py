"""The ledger of obligations and rules (docs/rules.md) is what benchmarks/ledger.py writes from
docs/obligations.yaml, the editions and the rule packs: every rule under an obligation."""
import importlib.util
import subprocess
import sys

from conftest import ROOT


def ledger():
    spec = importlib.util.spec_from_file_location("ledger", ROOT / "benchmarks" / "ledger.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_ledger_is_up_to_date():
    done = subprocess.run([sys.executable, "benchmarks/ledger.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_rule_under_no_obligation_or_an_obligation_naming_no_rule_is_refused():
    module = ledger()
    known = module.rules()
    sources = [{"id": "条例", "name": "…", "obligations": [
        {"clause": "第五十条", "what": "…", "rules": [rule for rule in known if rule != "表四.总计"] + ["表五.总计"]}]}]
    assert module.problems(sources, known) == [
        "obligations.yaml：规则 表五.总计 不在任何版本或规则包中",
        "规则 表四.总计（2019、2021-single-six、2021）不在 obligations.yaml 的任何义务之下"]


def test_every_obligation_either_names_rules_or_says_why_none():
    import yaml
    sources = yaml.safe_load((ROOT / "docs" / "obligations.yaml").read_text(encoding="utf-8"))["sources"]
    for source in sources:
        for item in source["obligations"]:
            assert bool(item.get("rules")) != bool(item.get("unchecked")), item
            assert not item.get("unchecked") or item["unchecked"].startswith(("不能从报告核查", "尚无规则", "不是对报告的要求"))
