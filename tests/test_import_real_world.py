"""Importing reports as they reach an auditor (issue #18): crawled pages whose title stands on a
`标题:` line, pages and files that carry their title outside the text, "PDF to Markdown"
conversions that lost labels, published errors that must survive the import, and folders that
hold more than annual reports.

Every input is made here from the real samples and seeds, changed only as the issue describes.
"""
import csv
import html
import json
import shutil
import subprocess
import sys

import yaml
from conftest import ROOT, SAMPLES, SEEDS

from nianbao import checks, importer

PINGTAN = (SAMPLES / "raw" / "pingtan-2019.txt").read_text(encoding="utf-8")
POLICE = "平潭综合实验区公安局2021年政府信息公开工作年度报告"


def expected(name: str) -> dict:
    return json.loads((SAMPLES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def crawled_page(title_line: str) -> str:
    """The pingtan crawl as a police bureau's 2021 page: the title only on its `标题:` line
    (the crawler's own header line and the title opening the body taken off), a signature."""
    header, body = PINGTAN.split("==================== 正文 ====================\n")
    header = header.split("\n", 1)[1].replace("标题: 平潭综合实验区2019年度政府信息公开工作年度报告", title_line)
    body = body.replace("平潭综合实验区2019年政府信息公开工作年度报告 ", "", 1)
    return f"{header}==================== 正文 ====================\n{body}\n平潭综合实验区公安局\n2022年1月18日\n"


# Item 4: metadata from the document itself

def test_the_agency_comes_from_the_title_line_of_a_crawled_page():
    imported = importer.from_text(crawled_page(f"标题: {POLICE}"), "lines")
    record = imported.record
    assert (record.agency, record.year) == ("平潭综合实验区公安局", 2021)
    assert (record.date, record.published) == ("2022年1月18日", "2020年1月20日")
    assert imported.origins == {"agency": "标题行“标题:”", "year": "标题行“标题:”", "date": "落款",
                                "published": "“发布时间”行"}
    assert not [n for n in imported.notes if n.rule == "导入.标题"]


def test_a_title_saying_guanyu_still_names_the_agency():
    page = crawled_page("标题：平潭综合实验区公安局关于2021年度政府信息公开工作年度报告")
    assert importer.from_text(page, "lines").record.agency == "平潭综合实验区公安局"


def test_a_page_title_names_the_agency_its_body_does_not(tmp_path):
    body = PINGTAN.split("==================== 正文 ====================\n")[1].replace(
        "平潭综合实验区2019年政府信息公开工作年度报告 ", "", 1)
    page = tmp_path / "80576.html"
    page.write_text(f"<html><head><title>平潭综合实验区2019年度政府信息公开工作年度报告_政府信息公开年报</title></head>"
                    f"<body><p>{body}</p></body></html>", encoding="utf-8")
    imported = importer.read(page)
    assert (imported.record.agency, imported.record.year) == ("平潭综合实验区", 2019)
    assert imported.origins["agency"] == "网页标题 <title>"


def test_import_fills_in_the_agency_and_year_a_document_lacks(tmp_path):
    # a page saved without its header: no title, no year anywhere (the signature's date is lost too)
    path = tmp_path / "untitled.txt"
    path.write_text("一、总体情况\n本年度，我局认真贯彻落实《条例》。\n六、其他需要报告的事项\n无。\n", encoding="utf-8")
    out = tmp_path / "out"

    def run(*options):
        return subprocess.run([sys.executable, "-m", "nianbao.cli", "import", str(path), "-o", str(out), *options],
                              capture_output=True, text=True, cwd=ROOT)

    refused = run()
    assert refused.returncode == 1 and "untitled.txt: 没有找到报告年度" in refused.stderr and "--year" in refused.stderr
    done = run("--agency", "平潭综合实验区公安局", "--year", "2021")
    assert done.returncode == 0, done.stderr
    record = yaml.safe_load((out / "untitled.yaml").read_text(encoding="utf-8"))
    assert (record["agency"], record["year"]) == ("平潭综合实验区公安局", 2021)
    assert "机关取自命令行 --agency；年度取自命令行 --year；成文日期未找到" in done.stdout
    # what the document states is kept: the options fill in, they do not overwrite
    titled = tmp_path / "titled.txt"
    titled.write_text(crawled_page(f"标题: {POLICE}"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "import", str(titled), "--agency", "别的机关",
                           "--year", "2030"], capture_output=True, text=True, cwd=ROOT)
    assert "平潭综合实验区公安局 2021年度" in done.stdout and "别的机关" not in done.stdout


# Item 6: damaged tables

HUAIAN = expected("huaian-2024")


def pdf_to_markdown(labels: str) -> str:
    """huaian-2024 as a "PDF to Markdown" tool gives it, saved as .txt: tables 三 and 四 as
    Markdown rows, every other row of table 三 without its label cell. `labels` says where the
    lost labels went: `around` the row as loose wrapped lines, `after` it, or `lost` altogether."""
    raw = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    start, end = raw.index("三、收到和处理政府信息公开申请情况"), raw.index("五、存在的主要问题及改进情况")
    lines = ["三、收到和处理政府信息公开申请情况", "",
             "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |",
             "|---|---|---|---|---|---|---|---|",
             "| | 自然人 | 法人或其他组织 | | | | | 总计 |",
             "| | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |"]
    for index, (path, values) in enumerate(HUAIAN["table3"].items()):
        cells = " | ".join(map(str, values))
        label = path.split("/")[-1]
        if index % 2 == 0:
            lines.append(f"| {' | '.join(path.split('/'))} | {cells} |")
        elif labels == "around":
            lines += [label[:len(label) // 2], f"| {cells} |", label[len(label) // 2:]]
        elif labels == "after":
            lines += [f"| {cells} |", label]
        else:
            lines.append(f"| {cells} |")
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况",
              "| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |", "|" + "---|" * 15,
              "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |",
              "| " + " | ".join(str(v) for group in HUAIAN["table4"].values() for v in group) + " |", ""]
    return raw[:start] + "\n".join(lines) + "\n\n" + raw[end:]


def table3_wrong(record) -> dict:
    return {path: list(record.tables["三"][path].values()) for path, values in HUAIAN["table3"].items()
            if list(record.tables["三"][path].values()) != values}


def test_a_pdf_to_markdown_conversion_imports_every_row_and_its_edition(tmp_path):
    path = tmp_path / "huaian-2024.txt"
    path.write_text(pdf_to_markdown("around"), encoding="utf-8")
    imported = importer.read(path)  # before: the legacy table, 0 of 190 cells
    record = imported.record
    assert record.edition == "2021"
    assert table3_wrong(record) == {}
    assert [v for group in HUAIAN["table4"].values() for v in group] == list(record.tables["四"][""].values())
    assert not [n for n in imported.notes if n.table in ("三", "四")]


def test_a_lost_label_after_its_numbers_still_finds_its_row():
    record = importer.from_text(pdf_to_markdown("after"), "lines").record
    assert (record.edition, table3_wrong(record)) == ("2021", {})


def test_rows_without_any_label_are_read_from_their_position_and_sums_and_said_so():
    imported = importer.from_text(pdf_to_markdown("lost"), "lines")
    assert table3_wrong(imported.record) == {}
    inferred = [n for n in imported.notes if n.rule == "导入.行按位置推断"]
    assert [n.row for n in inferred] == list(HUAIAN["table3"])[1::2]
    assert "34 0 0 0 0 0 34" in inferred[0].message


def test_an_unlabelled_row_whose_sums_fail_stays_unknown():
    # 二、上年结转 printed without a label and with a wrong 总计: its place alone is not enough
    text = pdf_to_markdown("lost").replace("| 34 | 0 | 0 | 0 | 0 | 0 | 34 |", "| 34 | 0 | 0 | 0 | 0 | 0 | 35 |", 1)
    imported = importer.from_text(text, "lines")
    row = "二、上年结转政府信息公开申请数量"
    assert set(imported.record.tables["三"][row].values()) == {None}
    assert any(n.rule == "导入.行未找到" and n.row == row for n in imported.notes)
    assert any(n.rule == "导入.多余数字" and n.found == "34 0 0 0 0 0 35" for n in imported.notes)
    # the neighbours keep their own numbers
    assert list(imported.record.tables["三"]["一、本年新收政府信息公开申请数量"].values()) == HUAIAN["table3"][
        "一、本年新收政府信息公开申请数量"]


def test_a_published_error_survives_the_import():
    # 表四 printed as fifteen run-together digits: 行政复议 1|0|0|0 with 总计 0, wrong as published
    raw = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    published = "72   64    178    37    351   13    4        8        1        26   12   1     1    6       20"
    imported = importer.from_text(raw.replace(published, "100000000000000"), "layout")
    values = list(imported.record.tables["四"][""].values())
    assert values == [1] + [0] * 14
    errors = [f for f in checks.check(imported.record) if f.severity == "error"]
    assert [(f.rule, f.expected, f.found) for f in errors if f.table == "四"] == [("表四.总计", "1", "0")]


# Item 7: a folder as it really is

def test_an_audit_folder_with_a_readme_a_work_summary_and_a_duplicate(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(SAMPLES / "raw" / "huaian-2024.txt", folder / "huaian-2024.txt")
    (folder / "huaian-2024.html").write_text(  # the same report, saved as its page
        "<html><head><title>淮安市人民政府2024年政府信息公开工作年度报告</title></head><body><pre>"
        + html.escape((SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")) + "</pre></body></html>",
        encoding="utf-8")
    shutil.copy(next(SEEDS.glob("000_*.txt")), folder / "quzhou-summary-2022.txt")
    shutil.copy(next(SEEDS.glob("002_*.txt")), folder / "template-site-summary.txt")  # no agency, no year in its title
    (folder / "README.md").write_text("# 下载说明\n\n本目录保存 2024 年从各政府网站下载的文件，按机关命名。\n", encoding="utf-8")
    out = tmp_path / "audit"
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "audit", str(folder), "-o", str(out), "--jobs", "2"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["file"]: r for r in csv.DictReader((out / "audit.csv").open(encoding="utf-8-sig"))}
    summary = rows["quzhou-summary-2022.txt"]
    assert (summary["edition"], summary["agency"], summary["year"]) == ("work-summary", "衢州市机关事务保障中心", "2022")
    assert summary["errors"] == "0"
    assert rows["template-site-summary.txt"]["edition"] == "work-summary"
    assert rows["README.md"]["errors"] == "0" and rows["README.md"]["edition"] == ""
    assert rows["README.md"]["status"].startswith("已跳过：") and "没有找到报告标题" in rows["README.md"]["status"]
    assert rows["huaian-2024.txt"]["status"] == "与 huaian-2024.html 是同一份报告，未再核查"
    assert rows["huaian-2024.html"]["status"] == summary["status"] == ""
    assert "已跳过 " in done.stdout and "README.md: 不是政府信息公开工作年度报告或工作总结" in done.stdout
    assert "重复 huaian-2024.txt：与 huaian-2024.html 是同一份报告" in done.stdout
    assert "3 份报告" in done.stdout and "跳过 2 个文件" in done.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "已跳过：" in index and "与 huaian-2024.html 是同一份报告，未再核查" in index
    assert "政务公开工作总结和下一年度工作思路" in index


NO_READY_INFO = "2.没有现成信息需要另行制作           11        0        0         0        0         0    11"


def test_run_together_digits_are_settled_by_the_column_sums():
    raw = (SAMPLES / "raw" / "huaian-2024.txt").read_text(encoding="utf-8")
    assert NO_READY_INFO in raw
    # `110000011` is 11|0|0|0|0|0|11 or 1|10|0|0|0|0|11 along its row; the 自然人 and 商业企业
    # columns' sums, (七)总计 = (一)…(六), decide
    imported = importer.from_text(raw.replace(NO_READY_INFO, "2.没有现成信息需要另行制作  110000011"), "layout")
    row = "三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作"
    assert list(imported.record.tables["三"][row].values()) == HUAIAN["table3"][row]
    inferred = [n for n in imported.notes if n.rule == "导入.拆分推断"]
    assert [(n.row, n.found) for n in inferred] == [(row, "110000011")]
    assert "有 2 种拆分，按表内各列合计关系推断为 11 | 0 | 0 | 0 | 0 | 0 | 11" in inferred[0].message
    # without the (七)总计 row the columns cannot tell: the row stays unknown, and says why
    unsettled = raw.replace(NO_READY_INFO, "2.没有现成信息需要另行制作  110000011").replace(
        "（七）总计                           2932        53        0         0        61        4   3050", "（七）总计")
    imported = importer.from_text(unsettled, "layout")
    assert set(imported.record.tables["三"][row].values()) == {None}
    note = next(n for n in imported.notes if n.rule == "导入.拆分不确定")
    assert note.row == row and "11 | 0 | 0 | 0 | 0 | 0 | 11 或 1 | 10 | 0 | 0 | 0 | 0 | 11" in note.message
