#!/usr/bin/env python3
"""The Chinese edition: notebooks/zh-CN/*.ipynb, made from the English notebooks and the Chinese
prose in i18n/zh-CN/*.md (format: i18n/README.md).

    python tools/zh.py            # (make zh) writes notebooks/zh-CN/NN-name.ipynb for each translation
    python tools/zh.py --stale    # (make zh-stale) lists cells whose translation is stale or missing
    python tools/zh.py --check    # exit 1 if a committed Chinese notebook is not what this makes
    python tools/zh.py --skeleton notebooks/NN-name.ipynb
                                  # starts i18n/zh-CN/NN-name.md: every markdown cell's header and
                                  # English text, to be replaced by the Chinese
    python tools/zh.py --headers notebooks/NN-name.ipynb
                                  # the header line of each cell, with the English text's hash now

A Chinese notebook is its English twin with three kinds of change, and no others:
  * each markdown cell's text is the Chinese block of the same cell id;
  * a code cell declared in a `<!-- code ID en:HASH -->` block is that block's Java, which may
    differ from the English only in comments and string literals (tests/test_zh.py checks);
  * the setup cell loads the jar from one folder further down and chooses the language.
Ids, tags, cell metadata (nbgrader's too) and the notebook's metadata are the English ones.
HASH is the first 10 hex digits of the sha256 of the English cell's text when it was
translated: a cell whose English text changed since then is stale.
"""
import argparse
import copy
import glob
import hashlib
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "notebooks")
LANGUAGE = "zh-CN"
SOURCES = os.path.join(ROOT, "i18n", LANGUAGE)
OUT = os.path.join(NOTEBOOKS, LANGUAGE)

# The setup cell of the Chinese edition: the English one with the jar one folder up, then the
# language the library speaks in this notebook's JVM and in every child it spawns.
JAR_EN = "%classpath ../lib/target/ipclab.jar"
JAR_ZH = "%classpath ../../lib/target/ipclab.jar"
CHOOSE_LANGUAGE = f'Language.use("{LANGUAGE}");'

HEADER = re.compile(r"^<!-- (cell|code) (\S+) en:([0-9a-f]{10}) -->[ \t]*$", re.M)
JAVA_BLOCK = re.compile(r"\A```java\n(.*)\n```\Z", re.S)


def en_hash(source):
    """The fingerprint of an English cell's text that a Chinese block records."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:10]


def english_notebooks():
    return sorted(glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))


def source_of(notebook):
    """i18n/zh-CN/NN-name.md for notebooks/NN-name.ipynb."""
    return os.path.join(SOURCES, os.path.basename(notebook)[: -len(".ipynb")] + ".md")


def twin_of(notebook):
    return os.path.join(OUT, os.path.basename(notebook))


class Block:
    def __init__(self, kind, cell_id, hash_, text, line):
        self.kind, self.cell_id, self.hash, self.text, self.line = kind, cell_id, hash_, text, line


def parse(path):
    """The blocks of one translation file, by cell id. Raises ValueError on a malformed file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = {}
    heads = list(HEADER.finditer(text))
    if heads and text[: heads[0].start()].strip():
        raise ValueError(f"{path}: text before the first <!-- cell ... --> line")
    if not heads:
        raise ValueError(f"{path}: no <!-- cell ID en:HASH --> line")
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end():end].strip("\n")
        line = text.count("\n", 0, m.start()) + 1
        kind, cell_id, hash_ = m.groups()
        if kind == "code":
            java = JAVA_BLOCK.match(body.strip())
            if not java:
                raise ValueError(f"{path}:{line}: a code block holds exactly one ```java fenced block")
            body = java.group(1)
        if cell_id in blocks:
            raise ValueError(f"{path}:{line}: cell {cell_id} appears twice")
        blocks[cell_id] = Block(kind, cell_id, hash_, body, line)
    return blocks


def setup_source(english):
    if JAR_EN not in english:
        raise ValueError(f"the setup cell does not load the jar with {JAR_EN!r}")
    return english.replace(JAR_EN, JAR_ZH) + "\n" + CHOOSE_LANGUAGE


def is_setup(cell):
    return "setup" in cell.metadata.get("tags", [])


def make(notebook):
    """The Chinese notebook for one English notebook, as nbformat's JSON text."""
    nb = nbformat.read(notebook, as_version=4)
    blocks = parse(source_of(notebook))
    ids = {c.get("id") for c in nb.cells}
    unknown = sorted(set(blocks) - ids)
    if unknown:
        raise ValueError(f"{source_of(notebook)}: no cell with id {', '.join(unknown)} in {os.path.basename(notebook)}")
    zh = copy.deepcopy(nb)
    for cell in zh.cells:
        block = blocks.get(cell.get("id"))
        if block and block.kind != {"markdown": "cell", "code": "code"}.get(cell.cell_type):
            raise ValueError(f"{source_of(notebook)}:{block.line}: cell {block.cell_id} is a {cell.cell_type} cell")
        if cell.cell_type == "code":
            if is_setup(cell):
                cell.source = setup_source(cell.source)
            elif block:
                cell.source = block.text
            cell.outputs = []
            cell.execution_count = None
        elif block:
            cell.source = block.text
    text = nbformat.writes(zh)
    return text if text.endswith("\n") else text + "\n"


def stale(notebook):
    """[(cell id, 'stale' | 'missing')] for one English notebook; [('*', 'missing')] when it
    has no translation file at all."""
    if not os.path.exists(source_of(notebook)):
        return [("*", "missing")]
    nb = nbformat.read(notebook, as_version=4)
    blocks = parse(source_of(notebook))
    found = []
    for cell in nb.cells:
        block = blocks.get(cell.get("id"))
        if cell.cell_type == "markdown" or block:
            if block is None:
                found.append((cell.id, "missing"))
            elif block.hash != en_hash(cell.source):
                found.append((cell.id, "stale"))
    return found


def skeleton(notebook):
    """A new translation file: each markdown cell's header line, then its English text."""
    nb = nbformat.read(notebook, as_version=4)
    parts = [f"<!-- cell {c.id} en:{en_hash(c.source)} -->\n{c.source}\n" for c in nb.cells if c.cell_type == "markdown"]
    return "\n".join(parts)


def translated():
    return [n for n in english_notebooks() if os.path.exists(source_of(n))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stale", action="store_true", help="list stale or missing translations, exit 1 if any")
    ap.add_argument("--check", action="store_true", help="exit 1 if a committed Chinese notebook differs from what this makes")
    ap.add_argument("--skeleton", metavar="NOTEBOOK", help="start the translation file of an English notebook")
    ap.add_argument("--headers", metavar="NOTEBOOK", help="print the header line of each cell of an English notebook, with its current hash")
    args = ap.parse_args()
    if args.headers:
        nb = nbformat.read(args.headers, as_version=4)
        for c in nb.cells:
            print(f"<!-- {'cell' if c.cell_type == 'markdown' else 'code'} {c.id} en:{en_hash(c.source)} -->")
        return 0
    if args.skeleton:
        target = source_of(args.skeleton)
        if os.path.exists(target):
            print(f"{os.path.relpath(target, ROOT)} exists already: edit it")
            return 1
        os.makedirs(SOURCES, exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(skeleton(args.skeleton))
        print(f"wrote {os.path.relpath(target, ROOT)}: replace each block's English with Chinese")
        return 0
    if args.stale:
        problems = [f"{os.path.basename(n)[:-6]} {cell}: {what}" for n in english_notebooks() for cell, what in stale(n)]
        print("\n".join(problems) if problems else "every English cell has an up-to-date Chinese translation")
        return 1 if problems else 0
    differ = []
    os.makedirs(OUT, exist_ok=True)
    for notebook in translated():
        text = make(notebook)
        target = twin_of(notebook)
        old = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if old != text:
            differ.append(os.path.relpath(target, ROOT))
            if not args.check:
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
    if args.check:
        if differ:
            print("not what tools/zh.py makes (run `make zh`): " + ", ".join(differ))
        return 1 if differ else 0
    print(f"wrote {', '.join(differ)}" if differ else "the Chinese notebooks are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
