"""`nianbao check` and `nianbao template` as a person runs them."""
import re

import openpyxl

from conftest import ROOT, SAMPLES, copy_project
from nianbao.cli import main


def test_check_prints_findings_and_exits_1_only_on_errors(capsys):
    assert main(["check", str(ROOT / "data/2022/quzhou-jgswbzzx.yaml")]) == 0
    out = capsys.readouterr().out
    # seed 001: also its 总体情况 says nothing of 政府信息管理 (内容.总体情况五方面), and its lead
    # cites the 2019 format notice (依据.过时), and a 中心 reports a 规章 made (表二.规章主体)
    assert "衢州市机关事务保障中心 2022年度" in out and "错误 0，提示 6" in out
    assert "提示 表二.规章主体  表二 · 第二十条第（一）项/规章 · 本年制发件数" in out
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


# ---- Files that cannot be read or written, said in Chinese (issue #24 item 5) ------------------

# What Python and the system say of a file, in English: never shown to the user
ENGLISH = re.compile(r"Errno|No such file|[Ii]s a directory|Not a directory|too long|Permission denied|"
                     r"already in use|Traceback|Error\b")


def test_files_that_cannot_be_read_or_written_are_said_in_chinese_naming_the_path(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("", encoding="utf-8")
    too_long = "甲" * 100  # 300 bytes: longer than a file's name may be
    cases = [
        (["workbook", "-o", "missing/x.xlsx"], 1, "无法写入 missing/x.xlsx：文件或目录不存在"),
        (["workbook", "-o", "folder"], 1, "无法写入 folder：是目录，不是文件"),
        (["workbook", "-o", "file/x.xlsx"], 1, "无法写入 file/x.xlsx：路径中有同名文件占用了目录的位置"),
        (["check", f"{too_long}.yaml"], 1, f"无法读取 {too_long}.yaml：文件名过长"),
        (["import", f"{too_long}.txt"], 1, f"{too_long}.txt: 无法读取文件：文件名过长"),
        (["import", str(SAMPLES / "raw/hongze-2023.txt"), "-o", "file"], 1, "无法写入 file：已有同名文件"),
        (["audit", "folder", "-o", "file"], 1, "无法写入 file/reports：路径中有同名文件占用了目录的位置"),
        (["audit", "folder", "-o", "out", "--hierarchy", "file/h.yaml"], 2,
         "file/h.yaml：无法读取上下级关系文件：路径中有同名文件占用了目录的位置"),
    ]
    for argv, status, said in cases:
        assert main(argv) == status, argv
        out, err = capsys.readouterr()
        assert said in err and not ENGLISH.search(out + err), (argv, out, err)
    (tmp_path / "nianbao.yaml").mkdir()  # the project's settings: a folder in the file's place
    assert main(["check", str(ROOT / "data/2023/shili-scjgj.yaml")]) == 2
    assert capsys.readouterr().err.strip() == "nianbao.yaml：无法读取：是目录，不是文件"


def test_a_record_that_cannot_be_read_does_not_stop_check_from_checking_the_others(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "甲" * 100 + ".yaml", str(ROOT / "data/2023/shili-scjgj.yaml")]) == 1
    out, err = capsys.readouterr()
    assert "文件名过长" in err and "示例市市场监督管理局 2023年度" in out and not ENGLISH.search(err)


def test_a_port_in_use_is_said_in_chinese(tmp_path, capsys, monkeypatch):
    import socket

    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs/index.html").write_text("", encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["review", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"审核服务无法启动（端口 {port}）：端口已被占用" in err and not ENGLISH.search(err)


def test_a_params_file_or_a_list_of_units_that_cannot_be_read_is_said_in_chinese(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-szf")]))
    (tmp_path / "file").write_text("", encoding="utf-8")
    government = tmp_path / "params/2023/shili-szf.yaml"
    government.write_text(government.read_text(encoding="utf-8").split("covers:")[0] + "covers:\n  - file/units.txt\n",
                          encoding="utf-8")
    assert main(["run", "params/2023/nope.yaml", "params/2023/shili-szf.yaml"]) == 1
    out, err = capsys.readouterr()
    assert "参数文件无法读取：文件或目录不存在" in out
    assert "名单文件 file/units.txt 无法读取：路径中有同名文件占用了目录的位置" in out
    assert not ENGLISH.search(out + err)
