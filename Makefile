# Set-up is part of every target: a fresh machine needs only `make build` or `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test lint catalogs bench clean

build: $(STAMP)  ## every document, language and format, from the embedded data, into ./out
	$(BIN)/cnops-legaldocs build -o out

test: $(STAMP)  ## lint, then the test suite (two processes, each test file in one of them)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)

catalogs: $(STAMP)  ## re-extract messages from templates, code and data; update fr and ar
	$(BIN)/pybabel extract -F babel.cfg -c "Translators:" --no-wrap --sort-by-file \
		--project cnops-legaldocs --copyright-holder CNOPS \
		-o translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i translations/messages.pot -d translations
	$(BIN)/cnops-legaldocs check

bench: $(STAMP)  ## batch throughput against the alternatives (prints figures and ratios)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/batch.py $(BENCH)
	$(BIN)/python benchmarks/docx_batch.py $(BENCH)

$(STAMP): pyproject.toml scripts/setup-system tests/pdfjs/package-lock.json
	bash scripts/setup-system
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,serve]'
	# pdf.js (Firefox's reader) for the text-layer tests; they are skipped without Node
	if command -v npm >/dev/null; then cd tests/pdfjs && npm ci --no-audit --no-fund --silent; fi
	touch $@

clean:
	rm -rf out previews $(VENV)
