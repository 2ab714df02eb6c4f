"""The checks third-party evaluations ask for (checks/evaluation.py), local rule packs and
nianbao.yaml, and `nianbao check` finding the year before as the batch does."""
import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SAMPLES, SEEDS, copy_project
from nianbao import checks, importer, intake, project, registry, rulepacks, yamltext
from nianbao.batch import discover
from nianbao.checks import evaluation
from nianbao.cli import main
from nianbao.report import Report

TODAY = dt.date(2025, 6, 1)
NEW_RULES = ("跨年.正文雷同", "跨年.表格雷同", "批次.正文雷同", "跨年.年份未更新",
             "内容.总体情况五方面", "内容.问题及改进", "内容.信息处理费")


def of(findings, rule):
    return [f for f in findings if f.rule == rule]


def sample(name: str):
    return importer.read(SAMPLES / "raw" / f"{name}.txt").record


def demo(year: int, agency: str):
    return intake.read(ROOT / "data" / str(year) / f"{agency}.yaml")


# ---- the case: a 2023 report made from a copy of the 2022 one -----------------------

LAST_YEAR = ROOT / "data/2022/shili-scjgj.yaml"


def copied_project(folder: Path) -> Path:
    """A project whose 示例市市场监督管理局 2022 report opens and counts as seed 001 does
    (`现公布…2022年…年度报告`, `2022年1月--12月`), and whose 2023 record is that file copied
    as a new user starts a year: the year and the dates changed, the rest left as it was."""
    project_folder = copy_project(folder, [("2022", "shili-scjgj")])
    text = LAST_YEAR.read_text(encoding="utf-8")
    text = text.replace("contact: 本报告根据《中华人民共和国政府信息公开条例》编制。",
                        "contact: 根据《中华人民共和国政府信息公开条例》要求，"
                        "现公布示例市市场监督管理局2022年政府信息公开工作年度报告。")
    text = text.replace("（一）主动公开。全年主动公开政府信息1863条",
                        "（一）主动公开。2022年1月--12月，我局通过门户网站主动公开政府信息1863条")
    (project_folder / "data/2022/shili-scjgj.yaml").write_text(text, encoding="utf-8")
    (project_folder / "data/2023").mkdir()
    copy = (text.replace("year: 2022", "year: 2023").replace("date: 2023年1月16日", "date: 2024年1月16日")
            .replace("published: 2023-01-17", "published: 2024-01-17"))
    (project_folder / "data/2023/shili-scjgj.yaml").write_text(copy, encoding="utf-8")
    (project_folder / "params/2023").mkdir()
    (project_folder / "params/2023/shili-scjgj.yaml").write_text(
        "agency_id: shili-scjgj\nyear: 2023\nrecord: data/2023/shili-scjgj.yaml\n", encoding="utf-8")
    return project_folder


@pytest.fixture
def copied(tmp_path, monkeypatch):
    monkeypatch.chdir(copied_project(tmp_path))
    return tmp_path


def test_check_flags_the_copy_and_the_stale_year_finding_last_year_among_the_params(copied, capsys):
    assert main(["check", "data/2023/shili-scjgj.yaml"]) == 0
    out = capsys.readouterr().out
    # last year's record was found through params/2022/, not given on the command line
    assert "跨年.结转" in out
    assert ("提示 跨年.正文雷同  第一部分：第一部分“一、总体情况”与2022年报告的同一部分有 100% 相同，疑为照搬上年报告"
            in out)
    # the longest copied passage, cut to 60 characters
    assert "“2022年，示例市市场监督管理局围绕优化营商环境和食品药品安全监管，持续深化政务公开。 （一）主动公开。2022年1月-…”" in out
    assert "提示 跨年.表格雷同" in out and "表二、表三、表四的数字与2022年报告完全相同" in out
    stale = [line for line in out.splitlines() if "跨年.年份未更新" in line]
    assert any("开头段落把2022年当作报告年度（公布的报告年度）" in line for line in stale)
    assert any("第一部分“一、总体情况”把2022年当作报告年度（统计期限）" in line for line in stale)
    assert any("第一部分“一、总体情况”把2022年当作报告年度（开篇的年份）" in line for line in stale)
    assert "“2022年1月--12月，我局通过门户网站主动公开政府信息1863条，公开行政许可决定1250件、行政处罚决定3120件。”" in out
    # part 五's plan, copied too, now speaks of the report year: the existing lint says so
    assert "下一年度的计划写的是报告年度 2023 年" in out


def test_check_and_the_batch_give_the_same_findings_for_the_same_file(copied, capsys):
    [job] = discover([Path("params/2023/shili-scjgj.yaml")])
    parameters = job.parameters
    report = Report.load(parameters["record"], parameters["previous"], year=parameters["year"],
                         agency_id=parameters["agency_id"], history=parameters["history"])
    assert {"跨年.正文雷同", "跨年.表格雷同", "跨年.年份未更新", "跨年.结转"} <= {f.rule for f in report.findings}
    main(["check", "data/2023/shili-scjgj.yaml"])
    out = capsys.readouterr().out
    assert f"错误 {report.errors}，提示 {report.warnings}" in out
    said = [line.strip() for line in out.splitlines()[1:] if not line.startswith("      ")]
    assert Counter(re.match(r"(?:错误|提示) (\S+) ", line).group(1) for line in said) == Counter(
        f.rule for f in report.findings)
    for f in report.findings:
        assert any(line.startswith(("错误 ", "提示 ")) and f" {f.rule}  " in line and f.message in line
                   for line in said), f


def test_a_broken_year_before_among_the_params_is_said_as_the_report_says_it(copied, capsys):
    Path("data/2022/shili-scjgj.yaml").write_text("agency: 示例市市场监督管理局\nyear: 二〇二二\n", encoding="utf-8")
    assert main(["check", "data/2023/shili-scjgj.yaml"]) == 0
    out = capsys.readouterr().out
    assert "提示 跨年.上年记录  历年记录：上一年度记录无法读取，未核对跨年结转" in out
    assert "跨年.正文雷同" not in out and "跨年.结转" not in out


# ---- copied from last year, measured ---------------------------------------------------------

def test_the_measure_shrugs_off_numbers_punctuation_and_a_few_edits():
    last = sample("hongze-2023").parts["一"]
    edited = (last.replace("不断完善", "持续完善").replace("规范、有序、健康发展", "规范有序发展")
              .replace("1136", "1288").replace("21 件", "35 件").replace("，", ","))
    alike = evaluation.likeness(evaluation.wording(edited), evaluation.wording(last))
    assert alike.share >= 0.9
    assert len(alike.passage) == evaluation.PASSAGE + 1 and alike.passage.endswith("…")
    # the same agency's real reports of two years share their set phrases, not their text
    real = evaluation.likeness(evaluation.wording(sample("hongze-2024").parts["一"]), evaluation.wording(last))
    assert 0.3 < real.share < 0.6


def test_copied_names_the_part_the_share_and_the_passage():
    previous = demo(2022, "shili-sjzyglj")
    record = dataclasses.replace(demo(2023, "shili-sjzyglj"), parts={**demo(2023, "shili-sjzyglj").parts,
                                                                     "五": previous.parts["五"]})
    [copy] = of(checks.check(record, previous, today=TODAY), "跨年.正文雷同")
    assert copy.part == "五" and copy.found == "100%" and copy.severity == "warning"
    assert copy.message.startswith("第五部分“五、存在的主要问题及改进情况”与2022年报告的同一部分有 100% 相同")
    assert copy.excerpt.startswith("存在的主要问题：政策解读形式较为单一")


def test_tables_all_zero_two_years_running_are_no_copy():
    previous = demo(2022, "shili-scjgj")
    record = dataclasses.replace(demo(2023, "shili-scjgj"), tables=previous.tables)
    assert of(checks.check(record, previous, today=TODAY), "跨年.表格雷同")
    zeros = {table: {row: {column: 0 for column in cells} for row, cells in rows.items()}
             for table, rows in previous.tables.items()}
    record, previous = dataclasses.replace(record, tables=zeros), dataclasses.replace(previous, tables=zeros)
    assert not of(checks.check(record, previous, today=TODAY), "跨年.表格雷同")


# ---- the same narrative in two agencies of a batch ---------------------------------------------

def test_shared_narratives_names_the_other_agency_and_spares_the_demo_batch():
    agencies = ("shili-jtysj", "shili-scjgj", "shili-sjzyglj", "shili-zrzyghj", "shili-szf")
    batch = [demo(2023, agency) for agency in agencies]
    assert checks.shared_narratives(batch) == {}
    original = batch[2]
    borrowed = dataclasses.replace(original, agency="示例市统计局", agency_id="shili-tjj",
                                   parts={**original.parts, "一": original.parts["一"].replace("示例市数据资源管理局", "示例市统计局")})
    found = checks.shared_narratives([*batch, borrowed])
    assert set(found) == {("shili-sjzyglj", 2023), ("shili-tjj", 2023)}
    # part 一 with the agency's name changed; part 五 word for word; part 六 too short to judge
    assert [f.part for f in found[("shili-tjj", 2023)]] == ["一", "五"]
    mine = found[("shili-tjj", 2023)][0]
    assert mine.rule == "批次.正文雷同" and mine.excerpt.startswith("局深入推进政务公开标准化规范化")
    assert mine.message.startswith("第一部分“一、总体情况”与本批次示例市数据资源管理局2023年报告的同一部分有 9")
    # another year is another batch's business
    assert checks.shared_narratives([original, dataclasses.replace(borrowed, year=2022)]) == {}


def test_check_of_several_files_says_which_share_a_narrative(tmp_path, capsys):
    text = (ROOT / "data/2023/shili-sjzyglj.yaml").read_text(encoding="utf-8")
    other = tmp_path / "shili-tjj.yaml"
    other.write_text(text.replace("agency_id: shili-sjzyglj", "agency_id: shili-tjj"), encoding="utf-8")
    main(["check", str(ROOT / "data/2023/shili-sjzyglj.yaml"), str(other)])
    out = capsys.readouterr().out
    assert out.count("提示 批次.正文雷同  第一部分：") == 2 and out.count("提示 批次.正文雷同  第五部分：") == 2


# ---- a stale year ------------------------------------------------------------------------------

def test_last_year_named_in_a_comparison_is_no_stale_year():
    record = demo(2023, "shili-sjzyglj")
    fine = ("2023年，本局主动公开政府信息156条，较2022年增长18%；与2022年相比，申请数量有所增加。"
            "2022年结转申请1件已办结。按照2022年12月制定的制度，自2022年1月起推行的目录继续执行。")
    record.parts["一"] = fine + "\n\n" + record.parts["一"]
    assert not of(checks.check(record, today=TODAY), "跨年.年份未更新")
    record.parts["一"] += "\n\n2022年，我局围绕数字政府建设推进公开。"
    [stale] = of(checks.check(record, today=TODAY), "跨年.年份未更新")
    assert stale.found == "2022年，" and stale.expected == "2023年"


# ---- what the parts must say -------------------------------------------------------------------

def test_part_one_names_the_subject_it_misses():
    [missing] = of(checks.check(intake.read(ROOT / "data/2022/quzhou-jgswbzzx.yaml"), today=TODAY),
                   "内容.总体情况五方面")
    assert missing.expected == "政府信息管理" and "没有写到“政府信息管理”" in missing.message
    record = sample("huaian-2024")
    record.parts["一"] = re.sub("依申请|申请公开|公开申请", "", record.parts["一"])
    assert [f.expected for f in of(checks.check(record, today=TODAY), "内容.总体情况五方面")] == ["依申请公开"]


GOLD = ROOT / "benchmarks" / "gold" / "reports"


@pytest.mark.parametrize("page, missing", [
    # `各类监督检查18条` is information published, not 监督保障 work; nor 依申请 nor 管理 are there
    ("daishan-wsjkj-2021", ["依申请公开", "政府信息管理", "监督保障"]),
    # `严格执行“三审三校”制度…经内部多层审核` is 政府信息管理; `有利监督` a principle quoted
    ("guyang-xiashihao-2022", ["依申请公开", "监督保障"]),
    ("laifeng-zwfwj-2021", []),  # the five subjects under their own headings
    # `包括…工作动态、政府信息公开指南等信息` lists the guide as information published
    ("dttz-xfj-2021", ["政府信息管理", "平台建设"]),
    # `完成试点领域基层政务公开目录、政府信息主动公开基本目录更新` is work on the catalogue
    ("scgw-xiang-2021", []),
])
def test_part_one_subjects_on_published_pages(page, missing):
    """Part 一's five subjects as benchmarks/gold marks them by hand on real pages."""
    record = importer.read(GOLD / f"{page}.txt").record
    assert [f.expected for f in of(checks.check(record, today=TODAY), "内容.总体情况五方面")] == missing


@pytest.mark.parametrize("said, flagged", [
    ("无。", True), ("暂无", True), ("无其他需要报告的事项。", True), ("存在的主要问题：无。", True),
    ("存在的主要问题：部分基层所信息发布不够及时。改进措施：建立月度通报制度。", False),
])
def test_part_five_that_says_nothing(said, flagged):
    record = demo(2023, "shili-sjzyglj")
    record.parts["五"] = said
    found = of(checks.check(record, today=TODAY), "内容.问题及改进")
    assert bool(found) == flagged
    if flagged:
        assert f"（“{said}”" in found[0].message


def test_fee_statements_that_contradict_each_other():
    record = sample("huaian-2024")  # part 六: 全年收取政府信息公开信息处理费 3940 元
    assert not of(checks.check(record, today=TODAY), "内容.信息处理费")
    record.parts["一"] += "\n\n（六）收费情况。本年度未收取信息处理费。"
    [fees] = of(checks.check(record, today=TODAY), "内容.信息处理费")
    assert fees.found == "0 元、3940 元"
    assert "第一部分“一、总体情况”说未收取（“本年度未收取信息处理费。”）" in fees.message
    assert "第六部分“六、其他需要报告的事项”说收取 3940 元" in fees.message
    record.parts["一"] = record.parts["一"].replace("本年度未收取信息处理费", "本年度收取信息处理费0.5万元")
    [fees] = of(checks.check(record, today=TODAY), "内容.信息处理费")
    assert fees.found == "3940 元、5000 元"


# ---- no false alarm on the real documents and the demo -----------------------------------------

def test_the_seeds_samples_and_demo_give_only_the_expected_findings():
    demo_records = [intake.read(path) for path in sorted((ROOT / "data").glob("*/*.yaml"))]
    by_year = {(r.agency_id, r.year, r.spec.notebook): r for r in demo_records}
    counted = Counter()
    for record in demo_records:
        previous = by_year.get((record.agency_id, record.year - 1, record.spec.notebook))
        counted.update((f.rule, record.agency_id, record.year) for f in checks.check(record, previous, today=TODAY)
                       if f.rule in NEW_RULES)
    published = {path.stem: importer.read(path).record
                 for path in [*sorted((SAMPLES / "raw").glob("*.txt")), *sorted(SEEDS.glob("*.txt"))]}
    previous = {"hongze-2024": published["hongze-2023"]}
    for name, record in published.items():
        counted.update((f.rule, name, record.year) for f in checks.check(record, previous.get(name), today=TODAY)
                       if f.rule in NEW_RULES)
    assert counted == Counter({
        # its narrative is the year before's with the numbers changed, every year
        **{("跨年.正文雷同", "shili-zrzyghj", year): 1 for year in (2020, 2021, 2022, 2023)},
        # seed 001 (and the demo record made from it) has no 政府信息管理 in its 总体情况
        ("内容.总体情况五方面", "quzhou-jgswbzzx", 2022): 1,
        ("内容.总体情况五方面", "001_d85570ef8ddfd07a", 2022): 1,
        # seed 003 (and its demo record), a 2019 report: `2018年,我们在原有制度的基础上，进一步完善了…`
        # in the section on the year's work (benchmarks/gold marks it)
        ("跨年.年份未更新", "shangqiu-jgswzx", 2019): 1,
        ("跨年.年份未更新", "003_78f1c78ca45ce1dc", 2019): 1,
    })
    assert checks.shared_narratives(demo_records) == {}
    assert checks.shared_narratives(published.values()) == {}


# ---- local rule packs and nianbao.yaml ---------------------------------------------------------

def test_the_wuwei_pack_asks_for_a_short_overview_and_counts_per_platform():
    [wuwei] = checks.packs(["wuwei-2025"])
    assert wuwei.name == "武威市政务公开办〔2025〕54号" and "2021" in wuwei.editions
    long = checks.check(sample("huaian-2024"), today=TODAY, packs=[wuwei])
    [length] = of(long, "武威.总体情况篇幅")
    assert length.message == "第一部分“一、总体情况”共 1290 字，超过约 1000 字的要求（武威市政务公开办〔2025〕54号）"
    # 政府网站主动公开各类政府信息5500余条: the website is counted, new media are not
    assert [f.expected for f in of(long, "武威.主动公开分平台")] == ["政务新媒体的发布条数"]
    assert not [f for f in checks.check(sample("hongze-2023"), today=TODAY) if f.rule.startswith("武威")]
    # a pack applies to the editions it names only
    assert not [f for f in checks.check(sample("pingtan-2019"), today=TODAY, packs=[wuwei]) if f.rule.startswith("武威")]


def test_nianbao_yaml_selects_packs_and_refuses_an_unknown_one(tmp_path, monkeypatch, capsys):
    assert project.rule_packs(tmp_path) == []
    (tmp_path / "nianbao.yaml").write_text("rule_packs: [wuwei-2025]\n", encoding="utf-8")
    assert project.rule_packs(tmp_path) == ["wuwei-2025"]
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(ROOT / "data/2023/shili-scjgj.yaml")]) == 0
    assert "提示 武威.主动公开分平台  第一部分：第一部分“一、总体情况”的主动公开情况没有写明政府网站的公开条数" in capsys.readouterr().out

    (tmp_path / "nianbao.yaml").write_text("rule_packs: [wuwei-2052]\n", encoding="utf-8")
    with pytest.raises(project.ProjectError) as refused:
        project.rule_packs(tmp_path)
    assert str(refused.value) == f"{tmp_path / 'nianbao.yaml'}：rule_packs：未知的规则包“wuwei-2052”，可用：suqian、wuwei-2025"
    assert main(["check", str(ROOT / "data/2023/shili-scjgj.yaml")]) == 2
    said = capsys.readouterr()
    assert "未知的规则包“wuwei-2052”" in said.err and said.out == ""

    (tmp_path / "nianbao.yaml").write_text("rule_pack: [wuwei-2025]\n", encoding="utf-8")
    with pytest.raises(project.ProjectError, match="未知字段“rule_pack”，可用字段：rule_packs"):
        project.rule_packs(tmp_path)


def installed(site: Path, name: str, group: str, entries: dict[str, str]) -> None:
    """A distribution as pip installs it, in `site`: its *.dist-info folder (METADATA and
    entry_points.txt) beside its modules, which importlib.metadata finds on sys.path."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{key} = {value}\n" for key, value in entries.items())
    (info / "entry_points.txt").write_text(f"[{group}]\n{lines}", encoding="utf-8")


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    """A folder on sys.path for distributions installed by the test. The entry points and the
    definitions read from them are scanned once per process: forgotten before and after."""
    site = tmp_path / "site"
    site.mkdir()
    caches = (registry._registered, rulepacks.definitions)
    for cache in caches:
        cache.cache_clear()
    monkeypatch.syspath_prepend(site)
    yield site
    for cache in caches:
        cache.cache_clear()


def test_a_misspelt_pack_is_refused_with_every_mistake_named(plugin_site):
    # a package of another project registers its folder of packs (entry point group nianbao.rule_packs)
    folder = plugin_site / "typo_pack"
    folder.mkdir()
    (folder / "__init__.py").write_text("from pathlib import Path\n\nPACKS = Path(__file__).parent\n",
                                        encoding="utf-8")
    (folder / "typo.yaml").write_text("""\
id: typo
name: 某市〔2025〕1号
editions: ["2021", "2031"]
rules:
  - {id: 某市.篇幅, kind: lenght, severity: warning, part: 一, max: 1000, message: x}
  - {id: 某市.篇幅二, kind: length, severity: warning, part: 一, maximum: 1000, message: x}
  - id: 某市.平台
    kind: mentions_each
    severity: warning
    part: 七
    items: [{name: 网站, pattern: '网站(\\d+'}, {pattern: 微博}]
    message: "{part}缺少{nmae}"
""", encoding="utf-8")
    installed(plugin_site, "typo_pack", "nianbao.rule_packs", {"typo": "typo_pack:PACKS"})
    assert "typo" in rulepacks.available()
    with pytest.raises(ValueError) as refused:
        checks.packs(["typo"])
    said = str(refused.value)
    assert said.startswith(f"规则包 typo（{folder / 'typo.yaml'}）的定义有误")
    assert "editions：未知的格式版本 '2031'" in said
    assert "规则 某市.篇幅（格式版本 2021）：未知的检查类型 'lenght'" in said
    assert "规则 某市.篇幅二（格式版本 2021）：缺少参数 max" in said
    assert "规则 某市.平台（格式版本 2021）：items 第2项缺少 name" in said
    assert "正则表达式 '网站(\\\\d+' 有误" in said
    assert "没有正文部分 '七'" in said
    assert "message 中的 {nmae} 无法填写，可用：{part}、{name}" in said
    assert rulepacks.problems({"id": "x", "name": "x", "editions": ["2021"]}) == ["缺少 rules"]


def test_the_batch_checks_every_report_against_the_project_s_packs(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-scjgj")]))
    [plain] = discover(None)
    assert plain.parameters["rule_packs"] == []
    (tmp_path / "nianbao.yaml").write_text("rule_packs: [wuwei-2025]\n", encoding="utf-8")
    [job] = discover(None)
    assert job.parameters["rule_packs"] == ["wuwei-2025"] and "nianbao.yaml" in job.input_files
    assert job.inputs != plain.inputs  # selecting a pack makes the reports again
    report = Report.load(job.parameters["record"], year=2023, agency_id="shili-scjgj",
                         rule_packs=job.parameters["rule_packs"])
    assert "武威.主动公开分平台" in {f.rule for f in report.findings}
    (tmp_path / "nianbao.yaml").write_text("rule_packs: [nowhere]\n", encoding="utf-8")
    [broken] = discover(None)  # a broken project file fails each report with the reason
    assert broken.problem.startswith("项目设置有误：") and "未知的规则包“nowhere”" in broken.problem


# ---- patterns in bounded time -------------------------------------------------------------------

def check_in(folder: Path, *files: str, plugins: Path | None = None) -> subprocess.CompletedProcess:
    """`nianbao check` as a user runs it, with the packages in `plugins` installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in (plugins, os.environ.get("PYTHONPATH"))
                                                       if path)}
    # not a speed limit: a pattern that backtracks for ever never ends, and the test must then fail
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "check", *files], cwd=folder, env=env, text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


def with_overview(folder: Path, overview: str) -> str:
    """The demo's 2021-edition record with part 一 replaced, in `folder`."""
    text = (ROOT / "data/2022/shili-sjzyglj.yaml").read_text(encoding="utf-8")
    data = yamltext.load(text)
    data["parts"]["一"] = overview
    (folder / "record.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return "record.yaml"


def test_the_wuwei_pack_reads_a_long_run_of_digits(tmp_path):
    # Tried from every digit of the run, its `\d+` made the search quadratic: 262 s for one record.
    (tmp_path / "nianbao.yaml").write_text("rule_packs: [wuwei-2025]\n", encoding="utf-8")
    record = with_overview(tmp_path, "主动公开方面，" + "1" * 99_000 + "。在政府网站公开信息1136条。")
    result = check_in(tmp_path, record)
    platforms = [line for line in result.stdout.splitlines() if "武威.主动公开分平台" in line]
    assert len(platforms) == 1 and "没有写明政务新媒体的发布条数" in platforms[0]  # the website's count is read
    assert "运行超时" not in result.stdout


def test_a_plugin_pack_s_pattern_that_backtracks_for_ever_is_a_finding_of_its_own(tmp_path):
    plugins = tmp_path / "plugins"
    (plugins / "hostile_packs").mkdir(parents=True)
    (plugins / "hostile_packs" / "__init__.py").write_text(
        "from pathlib import Path\n\nFOLDER = Path(__file__).parent\n", encoding="utf-8")
    (plugins / "hostile_packs" / "hostile.yaml").write_text("""\
id: hostile
name: 某市〔2025〕1号
editions: ["2021"]
rules:
  - {id: 某市.回溯, kind: mentions, severity: error, part: 一, pattern: '^(a|aa)+$', message: 第一部分应为 a}
""", encoding="utf-8")
    (plugins / "hostile_packs-1.0.dist-info").mkdir()
    (plugins / "hostile_packs-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hostile-packs\nVersion: 1.0\n", encoding="utf-8")
    (plugins / "hostile_packs-1.0.dist-info" / "entry_points.txt").write_text(
        "[nianbao.rule_packs]\nhostile = hostile_packs:FOLDER\n", encoding="utf-8")
    (tmp_path / "nianbao.yaml").write_text("rule_packs: [hostile]\n", encoding="utf-8")
    record = with_overview(tmp_path, "a" * 60 + "b")  # 2^60 ways to split the a's, none ending the text
    result = check_in(tmp_path, record, plugins=plugins)
    assert result.returncode == 1
    [timed_out] = [line for line in result.stdout.splitlines() if "某市.回溯" in line]
    assert timed_out == ("  错误 某市.回溯  第一部分：规则 某市.回溯（规则包 hostile（某市〔2025〕1号））的正则表达式"
                         "运行超时（超过 1 秒），未能核查：请检查该规则的正则表达式，或人工核对"
                         "（应为 核查完成，实为 超时：^(a|aa)+$）")
    assert "record.yaml  示例市数据资源管理局 2022年度" in result.stdout  # every other rule ran
