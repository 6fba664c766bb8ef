# zzanalytics — the two commands of the README:
#   make briefing   set everything up and render the sample district's briefing (HTML + PDF)
#   make test       set everything up and run the whole test suite
#   make test-fast  the edit-test loop: everything but the tests marked slow (wheel, notebooks, long statistics)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ZZ := $(VENV)/bin/zz
PYTHON ?= python3
PYTEST_WORKERS ?= 2

.PHONY: venv sysdeps store briefing test test-fast lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# Debian's chromium (PDF, browser tests), Noto CJK fonts (Chinese in PDF) and poppler (pdftoppm/pdftotext).
sysdeps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || ! command -v pdftotext >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; \
	fi

store: venv
	$(PY) -c "import zzanalytics as zz; s = zz.open_store(); print(s.summary()); s.close()"

briefing: venv sysdeps
	$(ZZ) briefing --pdf

test: venv sysdeps
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

test-fast: venv
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not slow"

lint: venv
	$(VENV)/bin/ruff check zzanalytics tests benchmarks
	$(VENV)/bin/ruff format --check zzanalytics tests benchmarks

bench: venv
	for b in benchmarks/bench_*.py; do $(PY) $$b; done

clean:
	rm -rf $(VENV) data/sample/store reports/*.html reports/*.pdf
