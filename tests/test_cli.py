"""`nianbao check` and `nianbao template` as a person runs them."""
import openpyxl

from conftest import ROOT, SAMPLES
from nianbao.cli import main


def test_check_prints_findings_and_exits_1_only_on_errors(capsys):
    assert main(["check", str(ROOT / "data/2022/quzhou-jgswbzzx.yaml")]) == 0
    out = capsys.readouterr().out
    # seed 001: also its 总体情况 says nothing of 政府信息管理 (内容.总体情况五方面), and its lead
    # cites the 2019 format notice (依据.过时)
    assert "衢州市机关事务保障中心 2022年度" in out and "错误 0，提示 5" in out
    assert "提示 文字.规范  成文日期：日期“2023年1月28”不完整，缺少“日”" in out
    assert "提示 表二.现行有效  表二 · 第二十条第（一）项/规章 · 现行有效件数" in out

    assert main(["check", str(ROOT / "data/2022/dinghai-jgswglzx.yaml")]) == 0
    assert "法定.公开时限" in capsys.readouterr().out  # seed 004: a 2022 report published 2024-01-18

    assert main(["check", str(ROOT / "data/2023/shili-jtysj.yaml")]) == 1
    assert "错误 表三.办理结果总计  表三 · 三、本年度办理结果/（七）总计 · 自然人" in capsys.readouterr().out


def test_check_finds_the_previous_year_among_the_files_given_or_the_params_as_run_does(tmp_path, capsys, monkeypatch):
    files = [str(ROOT / f"data/{year}/shili-scjgj.yaml") for year in (2022, 2023)]
    main(["check", *files])
    assert "跨年.结转" in capsys.readouterr().out
    monkeypatch.chdir(ROOT)
    main(["check", files[1]])  # 2022 found through params/2022/shili-scjgj.yaml
    assert "跨年.结转" in capsys.readouterr().out
    main(["check", "--params-dir", str(tmp_path), files[1]])  # no params there: no year before
    assert "跨年.结转" not in capsys.readouterr().out


def test_check_reports_unreadable_input_by_file_and_place(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: 甲\nyear: 二〇二三\ndate: 2024年1月1日\n", encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    assert f"{bad}: year: 报告年度应为四位数年份，实为“二〇二三”" in capsys.readouterr().err


def test_template_writes_a_real_workbook(tmp_path, capsys):
    path = tmp_path / "intake.xlsx"
    assert main(["template", "--edition", "2021", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["说明", "基本信息", "正文", "表二", "表三", "表四"]
    assert str(path) in capsys.readouterr().out


def test_check_and_import_handle_each_file_on_its_own(tmp_path, capsys):
    from conftest import SAMPLES

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)  # a zip's first bytes, then garbage
    good = str(ROOT / "data/2022/quzhou-jgswbzzx.yaml")
    assert main(["check", str(bad), good]) == 1
    said = capsys.readouterr()
    assert f"{bad}: 文件:" in said.err and "衢州市机关事务保障中心 2022年度" in said.out

    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    assert main(["import", str(binary), str(SAMPLES / "raw/hongze-2023.txt"), "-o", str(tmp_path / "out")]) == 1
    said = capsys.readouterr()
    assert str(binary) in said.err and (tmp_path / "out/hongze-2023.yaml").exists()


def test_a_finding_that_states_its_values_is_not_followed_by_them_again(capsys):
    main(["check", str(ROOT / "data/2023/shili-jtysj.yaml")])
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "表三.办理结果总计" in line)
    assert line.count("应为") == 1, line


def test_workbook_names_the_editions_it_knows_without_a_traceback(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit) as stopped:
        main(["workbook", "--edition", "2099", "-o", str(tmp_path / "x.xlsx")])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err and "'2099'" in err and "2021-single-six" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: 甲\n", encoding="utf-8")
    assert main(["workbook", "--record", str(bad), "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "缺少必填字段" in capsys.readouterr().err


def test_every_help_line_is_chinese(capsys):
    import re

    import pytest

    for command in [[], ["run"], ["check"], ["workbook"], ["import"], ["audit"]]:
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = capsys.readouterr().out
        # every line of help that is not a command, an option or a value says something in Chinese
        for line in text.splitlines():
            if re.fullmatch(r"\s+\w+( \(\w+\))?", line):  # a command's name on a line of its own
                continue
            words = re.sub(r"(--?[\w-]+|\[.*?\]|[A-Z_]{2,}|\S+\.(yaml|xlsx|html|csv|ipynb)|tcp://\S+)", "", line)
            if re.search(r"[A-Za-z]{3,}", words) and not re.search(r"[\u4e00-\u9fff]", line):
                pytest.fail(f"{command}: {line}")


def test_a_published_report_imported_then_checked_is_checked_whatever_metadata_it_lacks(tmp_path, capsys):
    # every real sample is imported and checked; none is refused for a missing agency or date
    assert main(["import", *map(str, sorted((SAMPLES / "raw").glob("*.txt"))), "-o", str(tmp_path)]) == 0
    records = sorted(map(str, tmp_path.glob("*.yaml")))
    assert len(records) == 4
    capsys.readouterr()
    main(["check", "--params-dir", str(tmp_path / "none"), *records])
    out, err = capsys.readouterr()
    assert err == "" and out.count("年度（") == 4
    assert out.count("提示 基本信息.缺失  成文日期：缺少成文日期") == 4  # none of them states its date
    # hongze 2023 publishes 表四 总计 0 while its parts are not: found, table by table
    assert "错误 表四.总计" in out
