"""Publication watch: the audit keeps a ledger of the originals it read (OUT/originals.csv: each
file's SHA-256, size and read times), and a later audit of the same folder into the same output
folder names every report changed since it was first read, and the files added or removed."""
import csv
import hashlib
import shutil

from conftest import SAMPLES
from nianbao import audit, watch
from nianbao.cli import main

FIRST = "2026-11-02T09:15:00+08:00"


def ledger(out) -> dict[str, dict]:
    with (out / watch.LEDGER).open(encoding="utf-8-sig", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def published(tmp_path):
    """Three real published reports, as text."""
    folder = tmp_path / "published"
    folder.mkdir()
    for name in ("hongze-2023", "hongze-2024", "huaian-2024"):
        shutil.copy(SAMPLES / "raw" / f"{name}.txt", folder)
    return folder


def test_a_file_changed_after_it_was_first_read_is_named_with_both_dates(tmp_path, capsys):
    folder, out = published(tmp_path), tmp_path / "out"
    audit.audit(folder, out, jobs=2, read_at=FIRST)
    first = ledger(out)
    report = folder / "huaian-2024.txt"
    assert first["huaian-2024.txt"] == {
        "file": "huaian-2024.txt", "status": "新增", "sha256": hashlib.sha256(report.read_bytes()).hexdigest(),
        "bytes": str(report.stat().st_size), "read": FIRST, "first_read": FIRST,
        "first_sha256": hashlib.sha256(report.read_bytes()).hexdigest(), "changed": "", "removed": "", "reason": ""}

    # the office corrects a figure in place, adds a report and takes one down
    report.write_text(report.read_text(encoding="utf-8").replace("3001", "3010", 1), encoding="utf-8")
    shutil.copy(SAMPLES / "raw" / "pingtan-2019.txt", folder)
    (folder / "hongze-2023.txt").unlink()
    main(["audit", str(folder), "-o", str(out), "--jobs", "2"])
    said = capsys.readouterr().out
    after = ledger(out)
    changed = after["huaian-2024.txt"]
    assert (changed["status"], changed["first_read"], changed["first_sha256"]) == ("已变更", FIRST, first["huaian-2024.txt"]["sha256"])
    assert changed["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest() and changed["changed"] == changed["read"] > FIRST
    assert after["hongze-2024.txt"]["status"] == "未变" and after["hongze-2024.txt"]["read"] == changed["read"]
    assert (after["pingtan-2019.txt"]["status"], after["hongze-2023.txt"]["status"]) == ("新增", "已删除")
    assert "发布监测：首次读取后变更 1 份，新增 1，删除 1" in said
    assert (f"  已变更 huaian-2024.txt：首次读取于 {FIRST}，{changed['changed']} 读到变更（SHA-256 "
            f"{changed['first_sha256'][:12]} → {changed['sha256'][:12]}，{changed['bytes']} 字节）") in said
    assert "hongze-2024" not in said.split("发布监测")[1]  # unchanged: not named
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "首次读取后已变更" in page and "huaian-2024.txt" in page

    # a third audit: still changed since it was first read, with the time the change was seen
    main(["audit", str(folder), "-o", str(out), "--jobs", "2"])
    third = ledger(out)["huaian-2024.txt"]
    assert (third["status"], third["first_read"], third["changed"]) == ("已变更", FIRST, changed["changed"])


def test_a_failed_audit_or_read_keeps_the_earlier_ledger(tmp_path, capsys):
    folder, out = published(tmp_path), tmp_path / "out"
    audit.audit(folder, out, jobs=2, read_at=FIRST)
    kept = (out / watch.LEDGER).read_bytes()
    (folder / "huaian-2024.txt").write_text("改过的报告", encoding="utf-8")
    (out / "index.html").unlink()
    (out / "index.html").mkdir()  # the audit cannot write its page: it fails before the ledger
    assert main(["audit", str(folder), "-o", str(out), "--jobs", "2"]) == 1
    assert "index.html" in capsys.readouterr().err
    assert (out / watch.LEDGER).read_bytes() == kept
    assert not list(out.glob(".originals-*"))

    # a file listed, then gone before it is read: its earlier row is kept as it was
    listed = audit.files(folder)
    (folder / "huaian-2024.txt").unlink()
    result = watch.watch(folder, listed, out)
    [vanished] = result.having(watch.UNREADABLE)
    earlier = ledger(out)["huaian-2024.txt"]
    assert (vanished.file, vanished.sha256, vanished.read, vanished.first_read) == (
        "huaian-2024.txt", earlier["sha256"], FIRST, FIRST)
    assert vanished.reason == "No such file or directory"


def test_a_ledger_that_cannot_be_read_is_set_aside_not_overwritten(tmp_path):
    folder, out = published(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / watch.LEDGER).write_bytes(b"\xff\xfe not a ledger")
    audit.audit(folder, out, jobs=2, read_at=FIRST)
    [aside] = out.glob("originals-无法读取-*.csv")
    assert aside.read_bytes() == b"\xff\xfe not a ledger"
    assert sorted(ledger(out)) == ["hongze-2023.txt", "hongze-2024.txt", "huaian-2024.txt"]
    assert "originals.csv 无法读取" in (out / "index.html").read_text(encoding="utf-8")
