#!/usr/bin/env bash
# What the course needs from the machine, checked before anything starts; one line per missing
# thing, naming the package that provides it.
#
#   tools/prereqs.sh          what `make setup` (and so `make lab`) needs: a JDK 17+, Maven 3.8+,
#                             Python 3.11+ with venv. Reports only.
#   tools/prereqs.sh test     what `make test` needs on top: gcc with the C library headers (the
#                             notebooks compile the chapter's C programs) and Debian's Chromium
#                             (the browser stage), setpriv (util-linux: notebook 12 runs a
#                             client as nobody when run as root), and a font for Chinese
#                             (fonts-noto-cjk: the Chinese edition in the browser and in plots).
#                             As root on a machine with apt-get, it installs
#                             what is missing (as CI does on a clean machine), then checks again;
#                             otherwise it stops at once.
#
# JJava's launcher starts the notebook's kernel (JJava) with the `java` first on PATH, so that
# one must be 17+.
set -u
mode=${1:-setup}
case $mode in setup|test) ;; *) echo "usage: $0 [setup|test]" >&2; exit 2 ;; esac
PY=${PYTHON:-python3}
CHROMIUM=/usr/bin/chromium   # the one tests/test_browser.py drives

missing=()    # one line each
packages=()   # what apt-get would install for them
need() { missing+=("$1"); shift; packages+=("$@"); }

check() {
  missing=(); packages=()
  if ! command -v java >/dev/null 2>&1; then
    need "no 'java' on PATH: install a JDK 17 or newer (package openjdk-17-jdk-headless)" openjdk-17-jdk-headless
  elif ! command -v javac >/dev/null 2>&1; then
    need "no 'javac' on PATH: install a full JDK 17 or newer, not only a JRE (package openjdk-17-jdk-headless)" openjdk-17-jdk-headless
  else
    local spec major
    spec=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
    major=${spec#1.}; major=${major%%.*}
    [ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null \
      || need "the 'java' first on PATH ($(command -v java)) is Java ${spec:-unknown}; the notebook's kernel (JJava) needs 17 or newer: put a JDK 17+ first on PATH"
  fi
  command -v mvn >/dev/null 2>&1 || need "no 'mvn' on PATH: install Maven 3.8+ (package maven)" maven
  # 3.11: the pinned Jupyter stack (ipykernel 7) requires it.
  if ! command -v "$PY" >/dev/null 2>&1; then
    need "no '$PY' on PATH: install Python 3.11 or newer (packages python3 python3-venv)" python3 python3-venv
  elif ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    need "$PY is $("$PY" -V 2>&1); the course needs Python 3.11 or newer (set PYTHON=/path/to/python3.11 to choose one)"
  elif ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    need "$PY cannot create virtual environments: install its venv module (package python3-venv)" python3-venv
  fi
  [ "$mode" = test ] || return 0
  if ! command -v gcc >/dev/null 2>&1; then
    need "no 'gcc' on PATH: the notebooks compile the chapter's C programs (packages gcc libc6-dev)" gcc libc6-dev
  elif ! printf '#include <stdio.h>\n#include <sys/wait.h>\nint main(void) { return 0; }\n' \
         | gcc -x c - -o /dev/null >/dev/null 2>&1; then
    need "gcc cannot compile a program that includes <stdio.h>: install the C library headers (package libc6-dev)" libc6-dev
  fi
  # Notebook 12 shows a socket file's permissions refusing a client; as root (CI) that client
  # runs as the user nobody, through setpriv.
  command -v setpriv >/dev/null 2>&1 \
    || need "no 'setpriv' on PATH: notebook 12 runs a client as the user nobody when the tests run as root (package util-linux)" util-linux
  [ -x "$CHROMIUM" ] \
    || need "no Chromium at $CHROMIUM: the browser stage drives Debian's Chromium, Playwright cannot download one (package chromium)" chromium
  # The Chinese edition's text in Chromium, and Chinese labels in the notebooks' plots (the JVM's
  # fonts come from fontconfig too): without a CJK font both show boxes.
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] \
    || need "no font for Chinese (fc-list :lang=zh is empty): the Chinese edition would show boxes (package fonts-noto-cjk)" fonts-noto-cjk fontconfig
}

report() { for line in "${missing[@]}"; do echo "$mode: $line" >&2; done; }

check
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$mode" = test ] && [ ${#packages[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  report
  echo "$mode: installing ${packages[*]} with apt-get" >&2
  apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
    || { echo "$mode: apt-get install ${packages[*]} failed" >&2; exit 1; }
  check
  [ ${#missing[@]} -eq 0 ] && exit 0
fi
report
exit 1
