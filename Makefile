# Set-up and daily commands for the mine-site registry on Debian 12.
# `make run` and `make test` do everything from a fresh machine; every step is idempotent.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
# manage.py with the locally generated secret key (see the .secret_key target).
MANAGE := SECRET_KEY=$$(cat .secret_key) $(PY) manage.py

# The project-local PostGIS cluster, used when DATABASE_URL is unset (config/database.py agrees).
PG_BIN := /usr/lib/postgresql/15/bin
PG_PORT ?= 5441
export MINEREG_PG_PORT := $(PG_PORT)
PG_SOCKET := /tmp/minereg-pg-$(PG_PORT)
PGDATA := $(CURDIR)/.pgdata
# postgres refuses to run as root: as root, the cluster runs as the `postgres` user.
AS_PG := $(if $(filter 0,$(shell id -u)),runuser -u postgres --,)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
PSQL := PGOPTIONS="-c client_min_messages=warning" $(AS_PG) psql -h $(PG_SOCKET) -p $(PG_PORT) -U postgres -v ON_ERROR_STOP=1 -q

APT_PACKAGES := python3-venv gdal-bin postgresql-15 postgresql-15-postgis-3 postgresql-contrib gettext
TEST_APT_PACKAGES := chromium qgis python3-qgis redis-server fonts-noto-core

export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: help run test db stop messages migrate demo worker backup restore system-packages test-system-packages venv vendor lint clean-db bench bench-maps bench-ingest bench-load

help:
	@echo "make run    install what is missing, start the database, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test   the same set-up plus Chromium and QGIS, then every test"
	@echo "make db     only start the project-local PostGIS cluster (.pgdata/)"
	@echo "make stop   stop that cluster"
	@echo "make lint   ruff check, format check and the one-way import contract"
	@echo "make backup   the database and media files in one dated archive under backups/"
	@echo "make restore FILE=backups/…   put an archive's database and media files back"
	@echo "make bench-maps   tiles and map page at 1M generated sites (about 10 minutes)"
	@echo "make bench-ingest   our import_layer against ogr2ogr on a 50k-polygon shapefile"
	@echo "make bench   every benchmark, one after the other (about 90 minutes), and the summary table in bench/README.md"
	@echo "make bench-load   locust against a running make run (started with API_ANON_THROTTLE_RATE=1000000/minute), about 4 minutes"

# --- system packages ---------------------------------------------------------------------------
system-packages:
	@$(call apt_install,$(APT_PACKAGES))

test-system-packages: system-packages
	@$(call apt_install,$(TEST_APT_PACKAGES))

define apt_install
	missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "==> apt: installing $$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq || { echo "apt-get update failed: check the network or run as root/sudo"; exit 1; }; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 $$missing >/dev/null; \
	else echo "==> apt: $(1) already installed"; fi
endef

# --- Python ------------------------------------------------------------------------------------
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements-test.lock
	@echo "==> venv: installing pinned packages from requirements-test.lock"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install python3-venv (make system-packages)"; exit 1; }
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.lock
	@touch $@

# --- database ----------------------------------------------------------------------------------
db: system-packages
ifdef DATABASE_URL
	@echo "==> db: DATABASE_URL is set; using that database, no local cluster"
else
	@if [ ! -f "$(PGDATA)/PG_VERSION" ]; then \
		echo "==> db: creating a PostGIS cluster in .pgdata/"; \
		mkdir -p "$(PGDATA)"; \
		if [ -n "$(AS_PG)" ]; then \
			chown postgres: "$(PGDATA)"; \
			$(AS_PG) test -w "$(PGDATA)" || { echo "The postgres user cannot reach $(PGDATA): let it traverse the parent folders (chmod o+x) or clone elsewhere"; exit 1; }; \
		fi; \
		chmod 700 "$(PGDATA)"; \
		$(AS_PG) $(PG_BIN)/initdb -D "$(PGDATA)" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null; \
	fi
	@mkdir -p $(PG_SOCKET) && { [ -z "$(AS_PG)" ] || chown postgres: $(PG_SOCKET); }
	@if $(AS_PG) $(PG_BIN)/pg_ctl -D "$(PGDATA)" status >/dev/null 2>&1; then \
		echo "==> db: cluster already running on $(PG_SOCKET) port $(PG_PORT)"; \
	else \
		echo "==> db: starting the cluster (log: .pgdata/server.log)"; \
		$(AS_PG) $(PG_BIN)/pg_ctl -D "$(PGDATA)" -l "$(PGDATA)/server.log" -w -s start \
			-o "-p $(PG_PORT) -k $(PG_SOCKET) -c listen_addresses='' -c jit=off" \
			|| { echo "PostgreSQL did not start; see .pgdata/server.log"; tail -5 "$(PGDATA)/server.log"; exit 1; }; \
	fi
	@# PostGIS in template1 so the app database and the test database inherit it.
	@$(PSQL) -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
	@$(PSQL) -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='minereg'" | grep -q 1 || \
		$(PSQL) -d postgres -c "CREATE ROLE minereg LOGIN SUPERUSER"
	@$(PSQL) -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='minereg'" | grep -q 1 || \
		$(PSQL) -d postgres -c "CREATE DATABASE minereg OWNER minereg"
	@echo "==> db: ready (postgis://minereg@/minereg?host=$(PG_SOCKET)&port=$(PG_PORT))"
endif

stop:
	@if [ -f "$(PGDATA)/PG_VERSION" ] && $(AS_PG) $(PG_BIN)/pg_ctl -D "$(PGDATA)" status >/dev/null 2>&1; then \
		$(AS_PG) $(PG_BIN)/pg_ctl -D "$(PGDATA)" -w -s stop -m fast && echo "==> db: stopped"; \
	else echo "==> db: not running"; fi

clean-db: stop
	rm -rf "$(PGDATA)"

# The translations are compiled from locale/*/LC_MESSAGES/*.po (the .mo files are not kept in git).
messages: venv system-packages .secret_key
	@echo "==> messages: compiling the translations"
	@$(MANAGE) compilemessages -v 0 --ignore='.venv*'

migrate: venv db .secret_key messages
	@echo "==> migrate"
	@$(MANAGE) migrate --noinput -v 0

demo: migrate
	@echo "==> demo: loading the Southeast Asia demo data"
	@$(MANAGE) load_demo

# --- serve -------------------------------------------------------------------------------------
# The background worker (manage.py run_worker waits out database restarts and fails dead imports);
# if it exits anyway, it is started again after a short pause. TERM stops the loop and the worker.
WORKER_LOOP := ( trap 'kill $$child 2>/dev/null; exit 0' INT TERM; \
	while true; do \
		$(PY) manage.py run_worker --queue-name '*' & child=$$!; wait $$child || true; \
		echo "==> worker exited; starting it again in 3 s"; sleep 3; \
	done )

# A secret key for this checkout, made once and kept out of git.
.secret_key:
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@ && chmod 600 $@

run: demo
	@echo "==> static: collecting"
	@$(MANAGE) collectstatic --noinput -v 0
	@echo "==> serving on http://$(HOST):$(PORT) with a background worker (Ctrl-C stops both)"
	@export SECRET_KEY=$$(cat .secret_key); \
	$(WORKER_LOOP) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi -c config/gunicorn.conf.py --bind $(HOST):$(PORT)

worker: migrate
	@export SECRET_KEY=$$(cat .secret_key); $(WORKER_LOOP)

# --- backups -----------------------------------------------------------------------------------
# One dated archive under backups/: the database (pg_dump -Fc), the media files and a manifest of counts.
# The project-local cluster, or DATABASE_URL when set (config/backup.py).
backup: venv db .secret_key
	@$(MANAGE:manage.py=-m config.backup) create --into backups

# Replaces the database's contents and the media files with the archive's, then checks the counts.
restore: venv db .secret_key
	@[ -n "$(FILE)" ] || { echo "Say which archive: make restore FILE=backups/minereg-<date>.tar.gz"; exit 1; }
	@$(MANAGE:manage.py=-m config.backup) restore "$(FILE)"

# --- tests -------------------------------------------------------------------------------------
test: test-system-packages migrate
	@echo "==> pytest"
	@DJANGO_SETTINGS_MODULE=config.settings_test $(VENV)/bin/pytest

# Vector tiles, page weight and a bbox query at 1M generated sites; uses and then drops its own database.
bench-maps: venv db
	@SECRET_KEY=bench-only $(PY) bench/maps.py

lint: venv
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

# --- benchmarks (print figures; see bench/README.md) -------------------------------------------
bench-ingest: migrate
	@SECRET_KEY=$$(cat .secret_key) $(PY) bench/ingest.py

# Load on the server `make run` serves (HOST, PORT; start it first, in another terminal, with the anonymous API
# throttle raised, since every simulated user is one address): browsing, then steps to saturation. Locust and
# its dependencies live in their own venv, pinned by requirements-bench.lock, away from the test venv.
BENCH_VENV := .venv-bench
bench-load: venv .secret_key $(BENCH_VENV)/.installed
	@$(BENCH_VENV)/bin/python bench/load.py --host http://$(HOST):$(PORT)

# Every benchmark, then the summary table at the top of bench/README.md (bench/summary.py).
bench: demo .secret_key $(BENCH_VENV)/.installed
	@$(MANAGE) collectstatic --noinput -v 0
	@SECRET_KEY=$$(cat .secret_key) $(PY) bench/summary.py

$(BENCH_VENV)/.installed: requirements-bench.lock
	@echo "==> bench venv: installing pinned locust from requirements-bench.lock"
	@[ -x $(BENCH_VENV)/bin/python ] || $(PYTHON) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-bench.lock
	@touch $@

# Refresh static/vendor/ from the npm registry (needs node and npm; the result is committed).
vendor:
	bash static/vendor/refresh.sh
