# `make run` and `make test` are all a newcomer needs; the rest are for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
LANGS := es zh_Hans zh_Hant ar vi ht pt kea ru uk so hmn ksw bn prs ur pl ckb
# Languages Babel's CLDR data does not know: their catalogs are copied from the template.
NON_CLDR := hmn ksw prs

.PHONY: run test lint install install-dev db translations translations-extract translations-update \
        translations-compile translations-check e2e browser-deps fonts ffmpeg bench lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The pinned dependencies, then the project itself (survey_app, forms, analysis) as an editable install.
$(VENV)/.installed: requirements.txt pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations-compile: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

db: install translations-compile
	SURVEY_ENV=$${SURVEY_ENV:-development} $(FLASK) init-db

# The fonts and Pango are what the fact sheet and brief PDFs are drawn with (Debian packages).
run: db fonts ffmpeg
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C stops)"
	SURVEY_ENV=$${SURVEY_ENV:-development} $(BIN)/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:5000 --workers 2 --threads 4 wsgi:app

# Two test processes, one per core of the machines this runs on: the browser and server tests
# spend much of their time waiting. Each test module runs in one process (loadscope), so a module
# that starts servers starts them once.
test: install-dev translations-compile ffmpeg
	$(BIN)/python -m pytest -q -n 2 --dist loadscope
	SURVEY_ENV=testing SECRET_KEY=check DATABASE_URL=sqlite:// $(FLASK) translations-check --definition surveys/family-voices.yaml

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k lazy_pgettext:1c,2 --add-comments="Translators:" \
	  --no-location --sort-output -w 100 -o translations/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 100 --ignore-obsolete

translations-check: install translations-compile
	SURVEY_ENV=testing SECRET_KEY=check DATABASE_URL=sqlite:// $(FLASK) translations-check --definition surveys/family-voices.yaml

# Debian's Chromium (Playwright drives it; nothing downloads a browser) and axe-core from npm.
browser-deps: tests/browser/node_modules/axe-core/axe.min.js fonts ffmpeg
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Noto fonts for every script the surveys use, and Pango for WeasyPrint: charts are measured,
# and fact sheet PDFs drawn and shaped, with them.
fonts:
	@test -d /usr/share/fonts/opentype/noto -a -d /usr/share/fonts/truetype/noto -a -n "$$(ldconfig -p | grep libpangoft2-1.0)" || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk \
	    libpango-1.0-0 libpangoft2-1.0-0; }

# ffmpeg converts the recordings a survey carries into the one format every phone plays (survey_app/audio.py).
ffmpeg:
	@command -v ffmpeg >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg; }

tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

e2e: install-dev translations-compile browser-deps
	$(BIN)/python -m pytest -q -m browser

bench: install-dev translations-compile
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.run

audit: install-dev
	$(BIN)/bandit -q -r survey_app forms analysis
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze --exclude-editable | sed '/^pip==/d' > requirements.txt
	.lock-venv/bin/pip install --quiet -r requirements-dev.in -c requirements.txt
	.lock-venv/bin/pip freeze --exclude-editable | grep -vxFf requirements.txt | sed '/^pip==/d' > requirements-dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
