"""The template's fragments as JupyterLab shows them: with the report's look, limited to their
own wrapper, and only there (the rendered report inlines its stylesheet once)."""
import pytest
import tinycss2

from conftest import ROOT, copy_project
from nianbao import pages
from nianbao.cli import main
from nianbao.report import FINDINGS_MIME, Report

CHROMIUM = "/usr/bin/chromium"
SESSION = "JPY_SESSION_NAME"  # what the Jupyter server sets for the kernel of an open notebook

# JupyterLab 4's own rules for HTML outputs, copied from its rendermime stylesheet (those that
# touch a report): made for pandas tables, they align cells right, stripe the rows, rule off
# the head and colour links.
JUPYTERLAB = """
.jp-RenderedHTMLCommon { color: rgba(0, 0, 0, .87); font-family: sans-serif; font-size: 14px;
  line-height: 1.6; padding-right: 20px; }
.jp-RenderedHTMLCommon a:link { text-decoration: none; color: #1976d2; }
.jp-RenderedHTMLCommon p { text-align: left; margin: 0 0 1em; }
.jp-RenderedHTMLCommon table { border-collapse: collapse; border-spacing: 0; border: none;
  color: rgba(0, 0, 0, .87); font-size: 13px; table-layout: fixed; margin-left: auto; margin-right: auto; }
.jp-RenderedHTMLCommon thead { border-bottom: 1px solid #bdbdbd; vertical-align: bottom; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon tr { vertical-align: middle;
  padding: .5em; line-height: normal; white-space: normal; max-width: none; border: none; }
:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td, :not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon th,
:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon tr { text-align: right; }
.jp-RenderedHTMLCommon th { font-weight: bold; }
.jp-RenderedHTMLCommon tbody tr:nth-child(odd) { background: #fff; }
.jp-RenderedHTMLCommon tbody tr:nth-child(even) { background: #f5f5f5; }
.jp-OutputArea-output.jp-RenderedHTMLCommon table { margin-left: 0; margin-right: 0; }
"""


@pytest.fixture
def report():
    """示例市交通运输局 2023: table 三's （七）总计 does not add up, so two of its cells are marked."""
    return Report.load(str(ROOT / "data/2023/shili-jtysj.yaml"), year=2023)


def test_outside_jupyterlab_a_cell_shows_the_bare_fragment(report, monkeypatch):
    monkeypatch.delenv(SESSION, raising=False)
    for fragment in (report.heading(), report.part("三"), report.signature()):
        assert fragment._repr_mimebundle_()["text/html"] == fragment.html
    review = report.review()
    assert review._repr_mimebundle_()["text/html"] == review.html
    assert "<style" not in review.html + report.part("三").html


def test_in_jupyterlab_every_fragment_carries_the_report_look(report, monkeypatch):
    monkeypatch.setenv(SESSION, "/srv/notebooks/annual_report.ipynb")
    table = report.part("三")
    shown = table._repr_mimebundle_()["text/html"]
    assert shown == f'<div class="nianbao-preview"><style>{pages.preview_style()}</style>{table.html}</div>'
    review = report.review()
    bundle = review._repr_mimebundle_()
    assert bundle["text/html"].startswith('<div class="nianbao-preview"><style>')
    assert bundle[FINDINGS_MIME] == review.payload  # the findings the batch reads are untouched
    assert report.history()._repr_mimebundle_()["text/html"] == ""  # one year: nothing to show, not an empty sheet


def test_the_preview_style_reaches_nothing_outside_its_wrapper():
    style = pages.preview_style()
    rules = tinycss2.parse_stylesheet(style, skip_comments=True, skip_whitespace=True)
    selectors = []
    for rule in rules:
        assert rule.type != "at-rule" or rule.lower_at_keyword == "media", tinycss2.serialize([rule])
        inner = tinycss2.parse_rule_list(rule.content, skip_whitespace=True) if rule.type == "at-rule" else [rule]
        selectors += [s.strip() for r in inner for s in tinycss2.serialize(r.prelude).split(",")]
    assert len(selectors) > 100
    assert all(s == ".nianbao-preview" or s.startswith(".nianbao-preview ") for s in selectors), selectors
    assert ".nianbao-preview .official-table th.label" in selectors
    assert "--serif" in style and "@page" not in style and "#eef0f2" not in style  # the grey around the page


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield chromium
        chromium.close()


def looks(browser, outputs: list[str]) -> dict:
    """How the report's tables come out among JupyterLab's styles, one output area a fragment."""
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    areas = "".join(f'<div class="jp-OutputArea-output jp-RenderedHTMLCommon">{html}</div>' for html in outputs)
    page.set_content(f"<!DOCTYPE html><html><head><style>{JUPYTERLAB}</style></head><body>{areas}</body></html>")
    found = page.evaluate("""() => {
        const style = (selector) => getComputedStyle(document.querySelector(selector));
        const mark = document.querySelector('.table-三 a.mark'), cell = mark.parentElement;
        const number = document.createRange();
        number.selectNodeContents(cell.firstChild);  // the value's text, before its mark
        return {
            label: style('.table-三 tbody th.label').textAlign,
            head: style('.table-四 thead th').textAlign,
            heading: style('.table-四 thead th').fontWeight,
            even: style('.table-三 tbody tr:nth-child(2)').backgroundColor,
            border: style('.table-三 tbody td').borderTopStyle + ' ' + style('.table-三 tbody td').borderTopColor,
            signature: style('.signature p').textAlign,
            markColour: getComputedStyle(mark).color,
            gap: mark.getBoundingClientRect().left - number.getBoundingClientRect().right,
        };
    }""")
    page.close()
    return found


def test_in_jupyterlab_the_tables_look_as_in_the_report(report, monkeypatch, browser):
    parts = [report.part("三"), report.part("四"), report.signature()]
    monkeypatch.delenv(SESSION, raising=False)
    bare = looks(browser, [part._repr_mimebundle_()["text/html"] for part in parts])
    # What the analysts saw: pandas-style tables, and the mark reading as a digit of its number.
    assert (bare["label"], bare["head"], bare["heading"]) == ("right", "right", "700")
    assert bare["even"] == "rgb(245, 245, 245)" and bare["border"].startswith("none")

    monkeypatch.setenv(SESSION, "annual_report.ipynb")
    preview = looks(browser, [part._repr_mimebundle_()["text/html"] for part in parts])
    assert (preview["label"], preview["head"], preview["heading"]) == ("left", "center", "400")
    assert preview["even"] == "rgba(0, 0, 0, 0)"
    assert preview["border"] == "solid rgb(0, 0, 0)"
    assert preview["signature"] == "right"
    assert preview["markColour"] == "rgb(255, 255, 255)"  # a white number on its red disc
    assert preview["gap"] >= 4  # px: 20 marked 1 does not read as 201


def test_a_batch_started_from_jupyterlab_renders_the_bare_fragments(tmp_path, monkeypatch):
    monkeypatch.chdir(copy_project(tmp_path, [("2023", "shili-jtysj")]))
    monkeypatch.setenv(SESSION, str(tmp_path / "notebooks/annual_report.ipynb"))  # `!nianbao run` in a cell
    assert main(["run", "params/2023/shili-jtysj.yaml"]) == 0
    html = (tmp_path / "outputs/2023/shili-jtysj/report.html").read_text(encoding="utf-8")
    assert "nianbao-preview" not in html and html.count("<style>") == 1
