# Timbre: `make run` starts everything, `make test` tests everything (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Where classifier.weights puts them: under the data folder (TIMBRE_DATA_DIR, default .timbre).
WEIGHTS := $(or $(TIMBRE_DATA_DIR),.timbre)/weights/musicnn_msd.weights.h5

.PHONY: run dev test install weights admin manage lint format bench-classifier clean-data

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel setuptools

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Pretrained musicnn weights: fetched once from the PyPI wheel, converted to a Keras weights file,
# then reused offline.
weights: $(WEIGHTS)

$(WEIGHTS): | $(STAMP)
	$(PY) -m classifier.weights

# Served as a self-hosted server should be: gunicorn + whitenoise, DEBUG off (see README).
run: install weights
	$(PY) -m timbre.stack run

# DEBUG on and Django's autoreloading development server, for working on Timbre itself.
dev: install weights
	$(PY) -m timbre.stack run --dev

test: install weights
	$(PY) -m timbre.stack test $(PYTEST_ARGS)

admin: install
	$(PY) -m timbre.stack exec -- $(PY) manage.py createsuperuser

# Any manage.py command with the servers up: make manage ARGS="import_dataset ../music"
manage: install
	$(PY) -m timbre.stack exec -- $(PY) manage.py $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
