# Orient: `make run` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
APP_PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup app-env rasa-env locales model run serve chat test test-unit test-e2e test-pg check validate \
        i18n-extract i18n-update bench clean

setup: app-env rasa-env locales

# The app's environment: rebuilt only when pyproject.toml changes (pip's cache makes it ~20 s).
app-env: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@$(APP_PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed for .venv (set APP_PYTHON)"'
	@test -x $(PY) || $(APP_PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# Rasa's environment (Python 3.10), shared across clones through a cache.
rasa-env:
	@bash scripts/rasa-env.sh

locales: app-env
	@$(VENV)/bin/pybabel compile -d locales -D orient --statistics 2>&1 | grep -v '^compiling' || true

i18n-extract: app-env
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project Orient -o locales/orient.pot .

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locales/orient.pot -d locales -D orient --width 100

# Trains only when config.yml, nlu/ or the Rasa requirements changed; reuses cached models.
model: rasa-env app-env
	@$(VENV)/bin/orient nlu sync >/dev/null
	@bash scripts/train-model.sh

run: setup model
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(VENV)/bin/orient serve; else $(VENV)/bin/orient chat; fi

serve: setup model
	$(VENV)/bin/orient serve

check: app-env
	$(VENV)/bin/orient content check

validate: rasa-env
	@mkdir -p var
	@if PYTHONPATH=$(CURDIR) .venv-rasa/bin/rasa data validate --config config.yml --domain nlu/domain.yml \
	  --data nlu/data nlu/rules nlu/lookups --fail-on-warnings > var/validate.log 2>&1; \
	then echo "rasa data validate: no errors, no warnings"; \
	else grep -vE 'UserWarning|warnings.warn' var/validate.log | tail -30; exit 1; fi

test: setup model check validate
	$(VENV)/bin/pytest -q
	@if $(PY) -c 'import psycopg,sys; psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3)' 2>/dev/null; then \
	  echo "PostgreSQL is up: database tests again on PostgreSQL"; \
	  TEST_DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -q -m db; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: database tests ran on SQLite only"; fi

test-unit: app-env locales
	$(VENV)/bin/pytest -q -m 'not e2e'

bench: setup model
	$(PY) bench/foundation.py
	$(PY) bench/nlu_accuracy.py
	$(PY) bench/telegram_channel.py
	$(PY) bench/reminders.py
	$(PY) bench/broadcast.py

clean:
	rm -rf var models .pytest_cache
