# The command surface. `make test` and `make report` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := partnership-eval
DATA := data/processed
SCALE ?= full
WORKERS ?= 2

.PHONY: install test lint data report lab bench clean

# Reinstalls only when pyproject.toml changes (the stamp is newer otherwise).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "partnership_eval (Python 3)"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

$(DATA)/schools.parquet: | $(STAMP)
	$(BIN)/partnership-eval demo-data --scale $(SCALE) --out $(DATA)

data: $(DATA)/schools.parquet

# Demo reports: the report set in notebooks/demo_reports.toml, both editions.
REPORT_RUN ?= demo
REPORT_SET ?= notebooks/demo_reports.toml
report: $(STAMP) $(DATA)/schools.parquet
	$(BIN)/partnership-eval batch $(REPORT_SET) --data $(DATA) --out reports \
		--run $(REPORT_RUN) --with-code

# JupyterLab on notebooks/ with the project kernel, reading the demo data (built if missing).
lab: $(STAMP) $(DATA)/schools.parquet
	PARTNERSHIP_EVAL_DATA=$(abspath $(DATA)) $(BIN)/jupyter lab --ServerApp.root_dir=notebooks \
		--MappingKernelManager.default_kernel_name=$(KERNEL)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_synthetic.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
