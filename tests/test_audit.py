"""`nianbao audit` of a folder of many reports: progress while it runs, every file in its
results, and a closing summary that names the worst reports and says where the rest are."""
import csv
import re
import shutil

from conftest import SAMPLES
from nianbao.cli import main
from nianbao.cli.published import LISTED

CARRIED_IN = "二、上年结转政府信息公开申请数量                              0"


def tampered(folder, count: int) -> list[str]:
    """`count` reports of the same agency-year that differ in one cell (so none is a duplicate of
    another), each in a folder of its own under the same name; their paths in the folder."""
    text = (SAMPLES / "raw" / "hongze-2024.txt").read_text(encoding="utf-8")
    assert CARRIED_IN in text
    names = []
    for number in range(count):
        path = folder / f"{number:02d}" / "hongze-2024.txt"
        path.parent.mkdir(parents=True)
        path.write_text(text.replace(CARRIED_IN, CARRIED_IN[:-1] + str(number + 1), 1), encoding="utf-8")
        names.append(path.relative_to(folder).as_posix())
    return names


def test_the_audit_shows_its_progress_on_stderr_as_each_file_is_read_and_checked(tmp_path, capsys):
    folder = tmp_path / "published"
    folder.mkdir()
    for name in ("hongze-2023", "hongze-2024", "huaian-2024"):
        shutil.copy(SAMPLES / "raw" / f"{name}.txt", folder)
    main(["audit", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2"])
    said = capsys.readouterr()
    shown = said.err.replace("\r", "\n")
    for step in ("导入", "核查"):  # a bar for each pass, done/total and a rate, as nianbao run shows
        assert re.search(rf"{step}: 100%.*\| 3/3 \[[\d:]+<[\d:]+, +[\d.]+份/s", shown), shown
    assert "导入" not in said.out
    assert re.search(r"^3 个文件，用时 [\d.]+ 秒（\d+ 份/分钟）$", said.out, re.M)


def test_every_file_of_a_large_folder_is_audited_and_the_summary_names_the_worst(tmp_path, capsys):
    folder = tmp_path / "published"
    # more files than workers keep queued ahead, each with errors (its sums no longer add up)
    names = tampered(folder, LISTED + 5)
    shutil.copy(SAMPLES / "raw" / "hongze-2024.txt", folder / "00" / "copy.txt")  # the same as no other: 00 is tampered
    shutil.copy(folder / "00" / "hongze-2024.txt", folder / "duplicate.txt")
    out = tmp_path / "out"
    assert main(["audit", str(folder), "-o", str(out), "--jobs", "2"]) == 1
    with (out / "audit.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted([*names, "00/copy.txt", "duplicate.txt"])
    assert rows["duplicate.txt"]["status"] == "与 00/hongze-2024.txt 是同一份报告，未再核查"
    assert all(int(rows[name]["errors"]) > 0 for name in names)
    pages = {row["findings"] for row in rows.values()}
    assert len(pages) == len(rows) and all((out / page).is_file() for page in pages)  # the same stem: a page each
    assert len(list((out / "records").iterdir())) == len(rows)

    said = capsys.readouterr().out
    # the untouched copy too: one agency-year in many files is one report, whose files disagree
    assert f"{len(rows) - 1} 份报告：含错误 {len(names) + 1}" in said and "重复 1）" in said
    assert "同一份报告的多个文件所载不同（发布.版本不一）：1 处（表格：" in said
    assert re.search(r"错误最多的规则：\S+ \d+ 处", said)
    listed = re.findall(r"^  \d\d/hongze-2024\.txt  淮安市洪泽区人民政府 2024年度：错误 \d+", said, re.M)
    assert len(listed) == LISTED  # the rest are a line each in audit.csv, which it names
    assert f"…… 每个文件一行：{out / 'audit.csv'}" in said

