# All set-up happens here: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= output
# Prefect keeps its temporary local server's state inside the project (other defaults:
# src/cluster_etl/prefect_env.py).
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: run test bench clean browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The sample portal, enriched from a small invented KBO extract consistent with it.
run: $(BIN)/.installed
	$(BIN)/cluster-etl sample-kbo $(OUT)/kbo-sample --entities 1000
	$(BIN)/cluster-etl refresh --sample --out $(OUT) --kbo $(OUT)/kbo-sample/KboOpenData_0001_2008_06_Full.zip

test: $(BIN)/.installed browser
	$(BIN)/python -m pytest

# tests/test_page_browser.py loads the release pages in Debian's chromium (CI runs as root);
# where it cannot be installed the browser test skips and says why.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium >/dev/null) || echo "chromium unavailable: browser tests will skip"

# The quick ones (a few minutes); README's *Speed* lists the longer benchmarks under bench/.
bench: $(BIN)/.installed
	$(BIN)/python bench/refresh_bench.py
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/prefect_bench.py

clean:
	rm -rf $(VENV) .prefect .pytest_cache
