#!/usr/bin/env bash
# Checks what `make setup` needs before it starts, and says in one line what to install.
# JJava's launcher starts the kernel with the `java` first on PATH, so that one must be 17+.
set -u
fail() { echo "setup: $*" >&2; exit 1; }

command -v java >/dev/null 2>&1 || fail "no 'java' on PATH: install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless)"
command -v javac >/dev/null 2>&1 || fail "no 'javac' on PATH: install a full JDK 17 or newer, not only a JRE"
spec=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
major=${spec#1.}; major=${major%%.*}
[ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null \
  || fail "the 'java' first on PATH ($(command -v java)) is Java ${spec:-unknown}; the kernel needs 17 or newer: put a JDK 17+ first on PATH"
command -v mvn >/dev/null 2>&1 || fail "no 'mvn' on PATH: install Maven 3.8+ (e.g. apt-get install maven)"
PY=${PYTHON:-python3}
# 3.11: the pinned Jupyter stack (ipykernel 7) requires it.
command -v "$PY" >/dev/null 2>&1 || fail "no '$PY' on PATH: install Python 3.11 or newer (e.g. apt-get install python3 python3-venv)"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "$PY is $("$PY" -V 2>&1); the course needs Python 3.11 or newer (set PYTHON=/path/to/python3.11 to choose one)"
"$PY" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "$PY cannot create virtual environments: install its venv module (e.g. apt-get install python3-venv)"
exit 0
