# 统战知识库：常用命令
PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Build engine for `make site`: mkdocs or properdocs (same output, tests/test_engines.py).
ENGINE ?= mkdocs

.PHONY: setup serve site check test eval browser nginx antiword hooks schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the browser tests (Debian package; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "需要 Chromium：请运行 sudo apt-get install chromium" >&2; exit 1; fi; }

# nginx for the subpath deployment test (Debian package; the test starts its own instance).
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx >/dev/null; \
	  else echo "需要 nginx：请运行 sudo apt-get install nginx" >&2; exit 1; fi; }

# antiword for `kb import` of Word 97-2003 (.doc) and WPS (.wps) files (Debian package).
antiword:
	@command -v antiword >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq antiword >/dev/null; \
	  else echo "需要 antiword：请运行 sudo apt-get install antiword" >&2; exit 1; fi; }

# Live preview: only the pages an edit changes are rebuilt (docs/guide/preview.md).
serve: $(STAMP)
	$(BIN)/kb serve --dev-addr 127.0.0.1:8000

site: $(STAMP)
	$(BIN)/$(ENGINE) build -f mkdocs.yml --clean --site-dir site

check: $(STAMP)
	$(BIN)/kb check

# The whole suite on three workers (pytest-xdist; faster than two on a 2-core machine, as the
# browser, server and git tests often wait; a module's tests stay on one worker so its
# fixtures are built once); pytest prints the total time last. Exit status 5 (nothing
# collected, e.g. a -m selection that matches no test) is not a failure.
test: $(STAMP) browser nginx antiword
	@$(BIN)/python -m pytest -n 3 --dist loadscope $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "没有收集到测试（pytest 退出状态 5），不算失败"; rc=0; fi; exit $$rc

# Import quality on the real reports in ../shared/seeds (not in the repository; not part of
# `make test`): fails when a figure drops below bench/eval_thresholds.yml. CI runs it when
# ../shared/seeds exists.
eval: $(STAMP)
	$(BIN)/python bench/eval_import.py --seeds ../shared/seeds --check

# Run `kb check` before every commit (pre-commit, see .pre-commit-config.yaml).
hooks: $(STAMP)
	$(BIN)/pre-commit install

# Regenerate the editor files from the field rules (after changing schema.py or areas.yml).
schema: $(STAMP)
	$(BIN)/kb schema > schema/entry.schema.json
	$(BIN)/kb schema --snippets > .vscode/kb.code-snippets

clean:
	rm -rf site .pytest_cache
