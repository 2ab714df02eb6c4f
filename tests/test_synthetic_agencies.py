"""The benchmark's synthetic agencies must be as valid as real ones: a benchmark of reports
full of findings or unreadable records would measure the wrong thing."""
import sys

from conftest import ROOT
from nianbao import checks, intake

sys.path.insert(0, str(ROOT / "benchmarks"))
import agencies  # noqa: E402  (benchmarks/ is not a package)


def test_synthetic_agencies_read_back_and_pass_every_check(tmp_path):
    params = agencies.write_project(tmp_path, 40)
    assert len(params) == 40 and len({p.name for p in params}) == 40
    for number in range(40):
        record = intake.read(tmp_path / "data/2023" / f"synthetic-{number:04d}.yaml", year=2023)
        assert record == agencies.agency(number)
        assert checks.check(record) == [], record.agency_id
    sizes = [agencies.agency(n).value("三", "一、本年新收政府信息公开申请数量", "总计") for n in range(40)]
    assert min(sizes) < 60 < max(sizes)  # agencies of different sizes, not one copied forty times
