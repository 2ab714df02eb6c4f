# Two commands on a fresh machine: `make run` (demo reports into outputs/) and `make test`
# (`make test-fast` while working: the tests that take a minute).
# Both install what they need first: Debian packages, then a virtual environment in .venv/.

VENV := .venv
# JupyterLab gets an environment of its own: it brings jsonschema's format checkers, whose
# grammars cost every `import nbformat` 2.8 s (papermill's import: 3.6 s with them, 0.8 s
# without), and the batch, the tests and every papermill or nbconvert run import nbformat.
LAB_VENV := .venv-lab
PYTHON ?= python3
# The official faces' free stand-ins: texlive-lang-chinese is the smallest Debian package with the
# Fandol faces (仿宋, 黑体, 楷体, and a bold 宋 for the 小标宋 title; it brings TeX's base, 71 MB
# to fetch), Noto CJK the tables' 宋体 and every character the Fandol faces lack. FACES_CONF shows
# fontconfig the Fandol folder and names them after the official faces (仿宋_GB2312, 黑体, …), so
# that LibreOffice draws a Word report in them; the PDF's typesetter (Typst) finds them with fc-match.
# The tests look into PDFs with poppler's pdfdetach (no file may be attached to a report).
# The tests open the Word reports and the workbook in LibreOffice (headless, to PDF) to see how
# they lay out and print, and drive Debian's Chromium (through Playwright) over the review desk.
# `nianbao import` reads .doc through LibreOffice too. Scans are read by RapidOCR (from PyPI, its
# models in its wheel), or with NIANBAO_OCR=tesseract by Tesseract with its Simplified Chinese
# model (offline; tesseract-ocr brings the Latin one it reads digits with): docs/ocr.md.
DEBIAN_PACKAGES := fonts-noto-cjk texlive-lang-chinese fontconfig poppler-utils \
	libreoffice-writer-nogui libreoffice-calc-nogui chromium tesseract-ocr tesseract-ocr-chi-sim
FACES_CONF := /etc/fonts/conf.d/64-nianbao-official-faces.conf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# JupyterLab refuses to start as root unless told; these machines run as root.
LAB_AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: run test test-fast setup debian-packages lab clean

run: setup
	$(VENV)/bin/nianbao run

# The whole suite (CI runs it), then its 25 slowest tests.
test: setup
	$(VENV)/bin/pytest --durations=25

# About a minute on 2 cores: every test but those tests/conftest.py marks slow (the batch, Dask,
# Chromium, LibreOffice, OCR, the fuzzer, input taken to a bound), then the 10 slowest.
test-fast: setup
	$(VENV)/bin/pytest -m "not slow" --durations=10

# JupyterLab at the project folder (data/, params/ and outputs/ in its file browser), the template
# open; given only the notebook, it would take the notebook's folder as its root.
lab: debian-packages $(FACES_CONF) $(LAB_VENV)/.installed
	$(LAB_VENV)/bin/jupyter lab $(LAB_AS_ROOT) --ServerApp.root_dir="$(CURDIR)" notebooks/annual_report.ipynb

setup: debian-packages $(FACES_CONF) $(VENV)/.installed

debian-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(FACES_CONF): fonts/64-nianbao-official-faces.conf | debian-packages
	$(SUDO) install -m 644 $< $@
	$(SUDO) fc-cache -f

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[cluster,test]'
	touch $@

$(LAB_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/pip install -q --upgrade pip
	$(LAB_VENV)/bin/pip install -q -e '.[lab]'
	touch $@

clean:
	rm -rf $(VENV) $(LAB_VENV) outputs
