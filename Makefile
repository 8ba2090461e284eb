# Connectivity: `make run` serves the app with demo data; `make test` runs lint, types and the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
ADDR   ?= 127.0.0.1:8000
# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto

.PHONY: run api-client screenshots test lint format lock bench loadtest clean
.DEFAULT_GOAL := run

$(VENV)/.installed: requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	@# uv installs the lock in seconds where pip takes minutes: the uv on PATH, or the lock's own uv bootstrapped
	@# into the venv by pip (hash-checked); plain pip if neither works.
	awk '/^uv==/{p=1} p{print} p&&!/\\$$/{exit}' requirements-dev.lock > $(VENV)/uv.lock.txt
	{ command -v uv >/dev/null || $(VENV)/bin/pip install -q --disable-pip-version-check --require-hashes -r $(VENV)/uv.lock.txt; } \
	  && $$(command -v uv || echo $(VENV)/bin/uv) pip install -q --python $(VENV)/bin/python --require-hashes -r requirements-dev.lock \
	  || $(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

# The embedded run: SQLite and a SQLite-backed Celery broker under var/, no services needed.
run: export DEBUG ?= true
run: $(VENV)/.installed
	$(PY) manage.py serve --prepare $(ADDR)

# An API client for the embedded run's database: make api-client NAME=erp SCOPES=read,write DEPARTMENT=engineering
# (the token is the last line printed; DEPARTMENT defaults to the first department by name).
api-client: export DEBUG ?= true
api-client: $(VENV)/.installed
	@test -n "$(NAME)" || { echo "usage: make api-client NAME=erp [SCOPES=read,write] [DEPARTMENT=slug]"; exit 2; }
	$(PY) manage.py create_api_client "$(NAME)" --scopes "$(or $(SCOPES),read)" $(if $(DEPARTMENT),--department "$(DEPARTMENT)")

# Each role's home page at 1280 and 375 px into docs/screenshots/: demo data in a throwaway SQLite database, a
# server on a free port, Chromium (Debian's `chromium`, or CHROMIUM_PATH).
screenshots: $(VENV)/.installed
	env -u DJANGO_SETTINGS_MODULE $(PY) -m tests.browser.screenshots docs/screenshots

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	DJANGO_SETTINGS_MODULE=connectivity.settings_test $(PY) manage.py makemigrations --check --dry-run -v0
	env -u DJANGO_SETTINGS_MODULE $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Latency, throughput and queries per request on PostgreSQL + Redis behind gunicorn (docs/performance.md).
bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

# Five minutes of mixed reads and writes at 20 users on 127.0.0.1 (docs/reliability.md).
loadtest: $(VENV)/.installed
	bash loadtest/run.sh $(LOADTEST_ARGS)

# Regenerate the lock files after changing pyproject.toml (hashes for every platform, Python 3.11 to 3.13):
# requirements.lock is what production images install, requirements-dev.lock adds the test and lint tools.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -q
lock: $(VENV)/.installed
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
