# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast test-slow system-deps-run system-deps-test install lint format fuzz migrations-check check-deploy worker beat messages bench load clean

# What the system must have (scripts/system-deps.sh installs it when it may, else says how).
system-deps-run:
	@PYTHON=$(PYTHON) scripts/system-deps.sh run
system-deps-test:
	@PYTHON=$(PYTHON) scripts/system-deps.sh test

$(VENV)/.installed: pyproject.toml constraints.txt | system-deps-run
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/.messages: $(VENV)/.installed $(wildcard locale/*/LC_MESSAGES/*.po)
	mkdir -p var/static
	DJANGO_ENV=development $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0
	touch $@

install: $(VENV)/.installed node_modules/.installed var/.messages

run: install
	DJANGO_ENV=development $(MANAGE) migrate --no-input -v 0
	DJANGO_ENV=development $(MANAGE) seed_demo
	DJANGO_ENV=development $(MANAGE) runserver 127.0.0.1:8000

# `make test` runs two tiers. The fast one (unit, API, pages, access matrix) in parallel, one
# process per core (TEST_WORKERS=0 for one process); the slow one (browser journeys, the private
# Redis and Celery worker of the integration tests, the load smoke test, the API fuzzing) after
# it, one test at a time. `make test TEST_CLOCK=2028-02-29` runs the fast tier as if today were
# that date (tests/clock.py); `make test-fast` and `make test-slow` run one tier.
TEST_WORKERS ?= auto
TEST_CLOCK ?=
SLOW_TIERS := browser or integration or load or fuzz
test: test-fast test-slow

test-fast: install system-deps-test
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not ($(SLOW_TIERS))" $(if $(TEST_CLOCK),--clock=$(TEST_CLOCK))

test-slow: install system-deps-test
	$(VENV)/bin/pytest -m "$(SLOW_TIERS)"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r rdec_portal service_center bench --severity-level high -q

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The API fuzzing of tests/security/test_api_fuzz.py with many more examples than `make test` runs.
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest tests/security/test_api_fuzz.py

migrations-check: $(VENV)/.installed
	DJANGO_ENV=development $(MANAGE) makemigrations --check --dry-run

# `manage.py check --deploy` with production-like settings (throwaway key and host).
check-deploy: install
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=portal.example.gov.tw $(MANAGE) check --deploy --fail-level WARNING

worker: install
	$(VENV)/bin/celery -A rdec_portal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A rdec_portal beat --loglevel=INFO --schedule var/celerybeat-schedule

messages: $(VENV)/.installed
	DJANGO_ENV=development $(MANAGE) makemessages -l zh_Hant --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete

# The benchmark (bench/): seeds its own PostgreSQL database once per size, then measures each
# operation against its floor. `make bench BENCH_ROWS=20000` is the quick run.
BENCH_ROWS ?= 3000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rdec_bench
bench: install
	$(PY) -m bench --rows $(BENCH_ROWS) --database-url $(BENCH_DATABASE_URL)

# The load test (load/): gunicorn with 2 workers, a real Celery worker and a private Redis on its
# own PostgreSQL database (made fresh each run), three scenarios of LOAD_SECONDS each: normal,
# Redis stopped for 30 s in the middle, the Celery worker killed mid-task. Fails on any 5xx,
# a petition lost or an email sent twice. Results in load/results/latest.{json,md}.
LOAD_SECONDS ?= 120
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rdec_load
load: install
	$(PY) -m load --seconds $(LOAD_SECONDS) --database-url $(LOAD_DATABASE_URL)

clean:
	rm -rf $(VENV) node_modules var
