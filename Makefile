# The two commands: `make run` and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint format bench clean messages

# The C parts (see pyproject.toml, ext-modules) are compiled by the install: a change to them
# installs again.
$(STAMP): pyproject.toml $(wildcard screening/identification/*.c screening/identification/importers/*.c)
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Translations: update the catalogues from the code, then compile them (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hant --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	$(PY) manage.py makemessages -d djangojs -l zh_Hant --ignore '.venv/*' --ignore 'static/vendor/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'
