# xinyong — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
XY     := $(BIN)/xinyong
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SCALE  ?= 1

.PHONY: setup demo serve test test-sqlite test-browser test-spark lint bench fuzz clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

## Build the synthetic demo province on SQLite (once) and serve it on 127.0.0.1:8000.
demo: setup
	$(XY) init
	$(XY) demo --scale $(SCALE) --if-empty
	$(XY) serve

serve: setup
	$(XY) serve

## The whole suite, on SQLite and — when the server answers — on PostgreSQL too.
test: setup
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL answers: the suite runs on SQLite and PostgreSQL"; \
		XINYONG_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 2 --dist loadfile; \
	else \
		echo "PostgreSQL does not answer: the suite runs on SQLite only"; \
		$(BIN)/pytest -n 2 --dist loadfile; \
	fi

test-sqlite: setup
	$(BIN)/pytest -n 2 --dist loadfile

## The pages in a real browser: Debian's chromium and a CJK font (installed here if missing) with Playwright;
## without the font the screenshots show boxes for every Chinese character.
test-browser: setup
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk; fi; }
	$(BIN)/pip install --quiet -e '.[dev,browser]'
	XINYONG_BROWSER_TESTS=1 XINYONG_CHROMIUM=$$(command -v chromium) $(BIN)/pytest -p no:xdist tests/browser

## The Spark tests (tests marked `spark`: the evaluation's scoring and runs, the batch check's
## matching) in Spark local mode, on SQLite: installs the `spark` extra (pyspark, about 450 MB)
## beside `dev`; needs Java 17 or later. Slow (a JVM and Spark jobs), so not in `make test`, where
## they skip; XINYONG_SPARK_TESTS=1 makes them fail instead of skipping when Spark cannot start.
test-spark: $(VENV)/.installed
	@command -v java >/dev/null || { echo "test-spark needs a Java runtime (17 or later) on PATH"; exit 1; }
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	XINYONG_SPARK_TESTS=1 $(BIN)/pytest -p no:xdist -m spark tests/evaluation tests/checks

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/ingest.py

## schemathesis, random, about ten minutes on each database: no 5xx, every answer documented.
FUZZ_EXAMPLES ?= 450
fuzz: setup
	XINYONG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:xdist -p no:cacheprovider -q tests/web/test_openapi_fuzz.py
	XINYONG_TEST_DATABASE_URL=$(PG_TEST_URL) XINYONG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(BIN)/pytest -p no:xdist -p no:cacheprovider -q tests/web/test_openapi_fuzz.py -k postgresql

clean:
	rm -rf var .pytest_cache
