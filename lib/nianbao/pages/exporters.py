"""nbconvert exporters for reports, registered by entry point (pyproject.toml), so that
`jupyter nbconvert --to nianbao_html|nianbao_review|nianbao_pdf|nianbao_docx` on an executed
notebook makes the very files the batch makes.

Each reads the notebook once into the report's document (document/notebook.py: the template's
sections and what an analyst's cells added, in cell order) and draws it: the public HTML page,
the review page, the PDF (typeset.py) or the Word file (word.py).
"""
from __future__ import annotations

from nbconvert.exporters import Exporter
from traitlets import default

from ..document import notebook
from . import html

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _DocumentExporter(Exporter):
    """An exporter that draws the report's document of an executed notebook."""

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        return self.draw(*notebook.read(nb)), resources

    def draw(self, document, checked):
        raise NotImplementedError


class ReportHTMLExporter(_DocumentExporter):
    """The public report as one self-contained HTML page: the report and nothing of its review."""

    export_from_notebook = "nianbao report (HTML)"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    def draw(self, document, checked):
        return html.page(document)


class ReviewHTMLExporter(ReportHTMLExporter):
    """The review page: the report with the reviewers' panel and its cells' findings marked."""

    export_from_notebook = "nianbao review (HTML)"

    @default("file_extension")
    def _file_extension_default(self):
        return ".review.html"

    def draw(self, document, checked):
        return html.page(document, html.Review(checked.record, checked.findings, checked.stale, checked.coverage))


class ReportPDFExporter(_DocumentExporter):
    """The report as an A4 PDF, typeset by Typst (typeset.py)."""

    export_from_notebook = "nianbao report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def draw(self, document, checked):
        from .typeset import pdf

        return pdf(document)


class ReportDocxExporter(_DocumentExporter):
    """The report as a Word file in the official layout (word.py)."""

    export_from_notebook = "nianbao report (Word)"
    output_mimetype = DOCX_MIME

    @default("file_extension")
    def _file_extension_default(self):
        return ".docx"

    def draw(self, document, checked):
        from .word import docx

        return docx(document)
