"""How benchmarks/rules.py counts a finding on the gold set's stored copies of web pages: what
the copy cuts off is not the report's fault."""
import importlib.util
import sys

from conftest import ROOT


def rules():
    spec = importlib.util.spec_from_file_location("rules", ROOT / "benchmarks" / "rules.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["rules"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def lint_found(module, entry) -> list[str]:
    [judged] = module.judge([entry])
    return [finding.found for finding, _ in judged.findings if finding.rule == "文字.规范"]


def test_a_pair_of_marks_the_copy_cuts_inside_is_not_counted():
    """gaoping-jianning-2021's stored copy ends `…切实做好政府信息公开工作。(一`: the unpaired `(`
    is where the copy stops, not a fault of the report; in a part the copy holds whole it would be."""
    module = rules()
    [entry] = [entry for entry in module.gold() if entry["id"] == "gaoping-jianning-2021"]
    assert entry["cut"] == ["一"]
    assert lint_found(module, entry) == []
    assert lint_found(module, {**entry, "cut": []}) == ["（ 1 个，） 0 个"]


def test_other_faults_of_wording_in_a_cut_part_still_count():
    """quzhou-jgswbzzx-2022 (a whole report): `主动公开政府信息12。` and `2023年1月28` count,
    the parts they are in cut or not."""
    module = rules()
    [entry] = [entry for entry in module.gold() if entry["id"] == "quzhou-jgswbzzx-2022"]
    assert lint_found(module, entry) == lint_found(module, {**entry, "cut": ["一", "date"]}) != []
