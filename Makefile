# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint fmt schema migrate demo messages clean lock audit

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "csgrants runs on http://127.0.0.1:8000  (stop with Ctrl-C)"
	@echo "Demo logins (password 'demo'): admin, reviewer, budget, analyst, provider, provider2"
	@echo "E-mails (the enterprise's confirmation links, receipts, decisions) are printed on this"
	@echo "console (console e-mail backend); the links of the demo files waiting for their"
	@echo "enterprise are listed above by load_demo."
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) .ci/private_imports.py
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

schema: $(STAMP)
	$(PY) manage.py spectacular --lang en --file openapi.yaml --validate

messages: $(STAMP)
	$(PY) manage.py makemessages -l nl --no-obsolete --ignore '.venv/*' --ignore 'bench/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# requirements.lock: the resolved runtime dependencies (production installs them; CI audits them).
lock: $(STAMP)
	$(PY) .ci/lock.py

audit: $(STAMP)
	$(PY) -m bandit -r csgrants -lll -q
	$(PY) .ci/audit_deps.py

clean:
	rm -rf $(VENV) db.sqlite3 test-artifacts
