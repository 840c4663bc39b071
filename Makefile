# Pipes & Processes: `make lab` opens the course, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JAR := lib/target/ipclab.jar
LIB_SOURCES := $(shell find lib/src/main notebooks/c -type f 2>/dev/null) lib/pom.xml pom.xml
PORT ?= 8888
export JUPYTER_PLATFORM_DIRS := 1
# Server settings shared with Binder (etc/jupyter): new notebooks get the Jupyter kernel `java` (JJava).
export JUPYTER_CONFIG_PATH := $(CURDIR)/etc/jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))

# The stages of `make test` (tools/stages.py runs them, side by side where the machine allows).
STAGES := java zh notebooks notebooks-zh lifecycle memory browser binder nbgrader nbgrader-zh site class rerun

.PHONY: setup lab test test-prereqs bench jshell assignment binder-link book clean prereqs zh zh-stale \
  $(addprefix test-,$(STAGES))

setup: prereqs $(BIN)/.installed $(JAR)
	@$(BIN)/python tools/kernelspec.py

prereqs:
	@PYTHON=$(PYTHON) tools/prereqs.sh

# The venv carries JupyterLab, the JJava kernel (installed as the `java` kernel under
# $(VENV)/share/jupyter/kernels), nbclient and pytest, all pinned in requirements.txt.
$(BIN)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(JAR): $(LIB_SOURCES)
	mvn -q -B -DskipTests package
	@touch $@

lab: setup
	@echo "Opening the course at http://127.0.0.1:$(PORT)/lab/tree/notebooks/00-index.ipynb"
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks/00-index.ipynb \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# First what the tests need beyond set-up (gcc, Chromium; installed with apt-get when run as
# root), then set-up, then every stage; each one logs to test-output/stage-NAME.log.
test: test-prereqs
	@$(MAKE) --no-print-directory setup
	@$(BIN)/python tools/stages.py

test-prereqs:
	@PYTHON=$(PYTHON) tools/prereqs.sh test

# One stage: make test-java, test-zh, test-notebooks, test-notebooks-zh, test-lifecycle, test-memory,
# test-browser, test-binder, test-nbgrader, test-nbgrader-zh, test-site, test-class, test-rerun.
$(addprefix test-,$(STAGES)): test-%: test-prereqs
	@$(MAKE) --no-print-directory setup
	@$(BIN)/python tools/stages.py $*

bench: setup
	$(BIN)/python bench/run.py

# jshell with the library and the course's imports, for the same API outside a notebook.
jshell: setup
	jshell --class-path $(JAR) --startup DEFAULT --startup tools/imports.jsh \
	  -R--add-opens=java.base/java.io=ALL-UNNAMED

# The students' version of the exercises (nbgrader_config.py: the course notebooks are the
# source): solutions and hidden tests removed, in release/notebooks/, with the library jar at
# release/lib/target/ so that each notebook's `%classpath ../lib/target/ipclab.jar` still works.
# The Chinese edition is an assignment of its own, `zh-CN` (notebooks/zh-CN/ -> release/notebooks/zh-CN/,
# where `%classpath ../../lib/target/ipclab.jar` finds the same jar).
assignment: setup
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/nbgrader generate_assignment notebooks --force --log-level=WARN
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/nbgrader generate_assignment zh-CN --force --log-level=WARN \
	  --CourseDirectory.source_directory=notebooks --CourseDirectory.release_directory=release/notebooks
	mkdir -p release/lib/target && cp $(JAR) release/lib/target/ipclab.jar
	@echo "Students' version: release/ (hand out the whole folder: notebooks/ and lib/)"

# The Chinese edition (i18n/README.md): `make zh` writes notebooks/zh-CN/ from the English notebooks
# and the Chinese prose in i18n/zh-CN/; `make zh-stale` lists the Chinese cells whose English
# changed since they were translated, or that have no translation yet.
zh:
	@$(BIN)/python tools/zh.py

zh-stale:
	@$(BIN)/python tools/zh.py --stale

# The mybinder.org launch link (and README badge) for this clone's git remote, opening the index.
binder-link:
	@$(PYTHON) tools/binder_link.py $(if $(REMOTE),--remote $(REMOTE)) $(if $(REF),--ref $(REF))

# The course as a static website in build/book/ (open build/book/index.html): every notebook
# executed on the `java` kernel (exercises as handed out, not run), rendered by Sphinx + myst-nb.
# Each page's Binder link follows the git remote, or REMOTE=... REF=... as for binder-link.
# BOOK_EXECUTED=DIR renders notebooks already executed in DIR instead of running them again.
book: setup
	$(BIN)/python tools/book.py --out build/book $(if $(REMOTE),--remote $(REMOTE)) $(if $(REF),--ref $(REF))

clean:
	mvn -q clean
	rm -rf $(VENV)
