"""`nianbao draft` and `Report.draft`: the narrative drafted from the tables for the parts not yet
written, marked 【待核改】, stating each figure as the text-against-table rules read it, and
never replacing an analyst's words. A table part's lead (the sentence before its table) is
read, shown before the table and checked like the narrative."""
import shutil

import pytest
import yaml

from conftest import ROOT, copy_project
from nianbao import intake
from nianbao.cli import main
from nianbao.document import build
from nianbao.opendata.draft import MARK
from nianbao.pages import html
from nianbao.report import Report

SIX = "      （六）其他处理:\n"


def single_six(text: str) -> str:
    """示例市市场监督管理局 2023 in the 2021-single-six edition: its three （六） rows as one."""
    text = text.replace('edition: "2021"', "edition: 2021-single-six")
    start, end = text.index(SIX), text.index("      （七）总计:")
    return text[:start] + "      （六）其他处理: [1, 0, 0, 0, 0, 0, 1]\n" + text[end:]


def consistent_legacy(text: str) -> str:
    """商丘 2019 with the counts its channels give: one application, received, handled, answered."""
    for line in ("（一）收到申请数", "（二）申请办结数", "（三）申请答复数"):
        text = text.replace(f"      {line}:\n        统计数: 0\n", f"      {line}:\n        统计数: 1\n")
    return text


# edition: (demo record, how it is changed, the narrative part and the sentence on applications drafted)
EDITIONS = {
    "2021": ("data/2023/shili-sjzyglj.yaml", str, "三", "2023年，本机关共收到政府信息公开申请{n}件"),
    "2021-single-six": ("data/2023/shili-scjgj.yaml", single_six, "三", "2023年，本机关共收到政府信息公开申请{n}件"),
    "2019": ("data/2019/pingtan-zhsyq.yaml", str, "三", "2019年，本机关共收到政府信息公开申请{n}件"),
    "legacy": ("data/2019/shangqiu-jgswzx.yaml", consistent_legacy, "正文", "2019年，本机关共收到政府信息公开申请{n}件"),
}
# the cell each edition's 文表.申请数 compares with, and another the tables' sums do not reach
APPLICATIONS = {"2021": ["三", "一、本年新收政府信息公开申请数量", "总计"],
                "legacy": ["统计表", "三、依申请公开情况/（一）收到申请数/1.当面申请数", "统计数"]}


def emptied(tmp_path, source: str, change=str) -> str:
    """A copy of a demo record with every narrative part left out, as a workbook handed back."""
    data = yaml.safe_load(change((ROOT / source).read_text(encoding="utf-8")))
    data.pop("parts")
    path = tmp_path / (ROOT / source).name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def text_findings(capsys, path: str) -> list[str]:
    main(["check", path])
    return [line for line in capsys.readouterr().out.splitlines() if " 文表." in line]


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_edition_drafted_from_its_tables_passes_every_text_against_table_check(tmp_path, capsys, edition):
    source, change, part, sentence = EDITIONS[edition]
    path = emptied(tmp_path, source, change)
    table, row, column = APPLICATIONS.get(edition, APPLICATIONS["2021"])
    before = intake.read(path)
    received = (before.value("三", *APPLICATIONS["2021"][1:]) if edition != "legacy"
                else before.value("统计表", "三、依申请公开情况/（一）收到申请数", "统计数"))
    assert main(["draft", path]) == 0
    assert "每段以【待核改】开头" in capsys.readouterr().out
    record = intake.read(path)
    assert record.edition == edition
    assert sentence.format(n=received) in record.parts[part]
    assert all(paragraph.startswith(MARK) for text in record.parts.values() if text for paragraph in text.split("\n\n"))
    assert record.tables == before.tables
    assert text_findings(capsys, path) == []

    # The drafted words state what the rules compare: a changed table makes them disagree.
    data = yaml.safe_load(open(path, encoding="utf-8").read())
    *above, last = row.split("/")
    parent = data["tables"][table]
    for label in above:
        parent = parent[label]
    if isinstance(parent[last], list):  # a row of table 三: its 总计 is the last
        parent[last][-1] += 1
    elif isinstance(parent[last], dict):
        parent[last][column] += 1
    else:  # a legacy line's single value
        parent[last] += 1
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle, allow_unicode=True, sort_keys=False)
    assert any("文表.申请数" in line for line in text_findings(capsys, path))


def test_drafting_never_replaces_an_analysts_words_and_keeps_the_files_comments(tmp_path, capsys):
    path = tmp_path / "shili-jtysj.yaml"
    original = (ROOT / "data/2023/shili-jtysj.yaml").read_text(encoding="utf-8")
    # the analyst wrote part 三's lead; 二 and 四 have none
    path.write_text(original.replace("  五: |\n", "  三: 见下表。\n  五: |\n"), encoding="utf-8")
    written = intake.read(path)
    assert main(["draft", str(path)]) == 0
    said = capsys.readouterr().out
    assert "已起草第二部分、第四部分" in said and "已有文字，未改动：第一部分、第三部分、第五部分、第六部分" in said
    drafted = intake.read(path)
    assert {part: drafted.parts[part] for part in written.parts} == written.parts
    assert drafted.parts["四"] == f"{MARK}2023年，本机关未发生因政府信息公开引发的行政复议和行政诉讼。"
    kept = iter(path.read_text(encoding="utf-8").splitlines())
    assert all(line in kept for line in original.splitlines() if "#" in line)  # every comment, in its order
    assert text_findings(capsys, str(path)) == []
    again = path.read_bytes()
    assert main(["draft", str(path)]) == 0
    assert "没有可起草的部分" in capsys.readouterr().out and path.read_bytes() == again


def test_a_workbook_gets_its_narrative_drafted_and_the_leads_are_said_to_have_no_place(tmp_path, capsys):
    record = emptied(tmp_path, "data/2019/pingtan-zhsyq.yaml")
    workbook = str(tmp_path / "pingtan.xlsx")
    assert main(["workbook", "--record", record, "-o", workbook]) == 0
    assert main(["draft", workbook]) == 0
    said = capsys.readouterr().out
    assert "已起草第一部分" in said and "填报表中没有表格前说明的位置" in said
    drafted = intake.read(workbook)
    assert drafted.parts["一"].startswith(f"{MARK}（一）主动公开。2019年，本机关制发规章0件、规范性文件89件")
    assert "共收到政府信息公开申请23件" in drafted.parts["一"] and drafted.tables == intake.read(record).tables
    assert text_findings(capsys, workbook) == []


def test_a_sentence_the_tables_contradict_is_not_drafted_and_the_reason_is_given(tmp_path, capsys):
    path = emptied(tmp_path, "data/2019/shangqiu-jgswzx.yaml")  # 收到申请数 0, 网络申请数 1
    assert main(["draft", path]) == 0
    assert "因其与表格核对不符（文表.申请数）" in capsys.readouterr().out
    record = intake.read(path)
    assert record.parts["正文"] == f"{MARK}2019年，本机关未发生因政府信息公开引发的行政复议和行政诉讼。"
    assert text_findings(capsys, path) == []


def test_a_governments_report_is_drafted_from_its_summed_tables(tmp_path, monkeypatch, capsys):
    from nianbao.batch.jobs import discover

    units = ["shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj"]
    monkeypatch.chdir(copy_project(tmp_path, [("2023", name) for name in ["shili-szf", *units]]))
    record = tmp_path / "data/2023/shili-szf.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data.pop("parts")
    record.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["draft", "data/2023/shili-szf.yaml"]) == 0
    total = sum(intake.read(f"data/2023/{name}.yaml").value("三", *APPLICATIONS["2021"][1:]) for name in units)
    drafted = intake.read(record)
    assert f"2023年，本报告涵盖的各单位共收到政府信息公开申请{total}件" in drafted.parts["一"]
    # checked as the batch checks it: its tables summed over the units
    job = discover([tmp_path / "params/2023/shili-szf.yaml"])[0]
    parameters = {k: v for k, v in job.parameters.items() if k not in ("covers_entries", "decisions")}
    report = Report.load(**parameters)
    assert report.record.value("三", *APPLICATIONS["2021"][1:]) == total
    assert [f for f in report.findings if f.rule.startswith("文表.")] == []


def test_the_notebook_function_drafts_into_the_record_file_and_the_lead_shows_before_its_table(tmp_path, capsys):
    path = tmp_path / "shili-zrzyghj.yaml"
    shutil.copy(ROOT / "data/2023/shili-zrzyghj.yaml", path)
    report = Report.load(str(path), year=2023, agency_id="shili-zrzyghj")
    report.draft()
    assert "已起草第二部分、第三部分、第四部分" in capsys.readouterr().out
    lead = intake.read(path).parts["四"]
    assert report.record.parts["四"] == lead and lead.startswith(f"{MARK}2023年，本机关发生政府信息公开行政复议7件，其中结果纠正1件")
    shown = str(html.section(build.part(report.record, "四"), {}))
    assert shown.index("发生政府信息公开行政复议7件") < shown.index("<table")


def test_an_analysts_lead_that_contradicts_its_table_is_found(tmp_path, capsys):
    path = tmp_path / "shili-sjzyglj.yaml"
    text = (ROOT / "data/2023/shili-sjzyglj.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("parts:\n", "parts:\n  三: 本年度共收到政府信息公开申请99件。\n", 1), encoding="utf-8")
    [finding] = text_findings(capsys, str(path))
    assert "文表.申请数" in finding and "第三部分" in finding
    path.write_text(text.replace("parts:\n", "parts:\n  七: 多余的部分\n", 1), encoding="utf-8")
    with pytest.raises(intake.IntakeError, match="未知的正文部分“七”，应为 一、二、三、四、五、六 之一"):
        intake.read(path)
