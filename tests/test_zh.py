"""The Chinese edition stays the English course in Chinese (no notebook's JVM needed; about a second):
  * every notebooks/zh-CN/*.ipynb is what tools/zh.py makes from the English notebook and
    i18n/zh-CN/*.md, so nobody edits one by hand;
  * its code cells are the English ones: the same text, ids, tags and metadata, except the
    setup cell (the jar's path and the language) and the code blocks a translation declares,
    which may differ only in comments and string literals;
  * no Chinese cell is stale (its English text changed since it was translated) or missing;
  * links in the Chinese prose lead somewhere, and the two editions' indexes link each other;
  * the library's messages exist in both languages, with the same arguments.
"""
import os
import re
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import zh  # noqa: E402

# English notebooks that have no Chinese twin yet (none now). A new English notebook goes here
# until it is translated; the list must end empty: every English notebook has its Chinese twin.
NOT_YET_TRANSLATED = set()

ENGLISH = zh.english_notebooks()
TRANSLATED = zh.translated()


def name(path):
    return os.path.basename(path)[: -len(".ipynb")]


def test_the_not_yet_translated_list_is_true():
    done = sorted(name(n) for n in TRANSLATED if name(n) in NOT_YET_TRANSLATED)
    assert not done, f"translated now, so remove from NOT_YET_TRANSLATED in tests/test_zh.py: {done}"
    unknown = sorted(NOT_YET_TRANSLATED - {name(n) for n in ENGLISH})
    assert not unknown, f"NOT_YET_TRANSLATED names notebooks that do not exist: {unknown}"


def test_every_english_cell_has_an_up_to_date_translation():
    problems = [f"{name(n)} {cell}: {what}" for n in ENGLISH for cell, what in zh.stale(n)
                if not (cell == "*" and name(n) in NOT_YET_TRANSLATED)]
    assert not problems, ("Chinese translations to write or update (i18n/zh-CN/, see i18n/README.md; "
                          "`make zh-stale` lists them):\n" + "\n".join(problems))


@pytest.mark.parametrize("notebook", TRANSLATED, ids=name)
def test_the_chinese_notebook_is_what_the_generator_makes(notebook):
    twin = zh.twin_of(notebook)
    assert os.path.exists(twin), f"{os.path.relpath(twin, ROOT)} is missing: run `make zh`"
    with open(twin, encoding="utf-8") as f:
        committed = f.read()
    assert committed == zh.make(notebook), (f"{os.path.relpath(twin, ROOT)} is not what tools/zh.py makes from "
                                            f"{os.path.relpath(zh.source_of(notebook), ROOT)}: edit the .md, then `make zh`")


def test_no_chinese_notebook_without_its_sources():
    made = {os.path.basename(zh.twin_of(n)) for n in TRANSLATED}
    extra = sorted(os.path.basename(p) for p in os.listdir(zh.OUT) if p.endswith(".ipynb") and p not in made)
    assert not extra, f"notebooks/zh-CN/ holds notebooks with no English twin or no translation: {extra}"


LITERAL_OR_COMMENT = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*[\s\S]*?\*/')


def code_only(source):
    """The code without its comments and with every string literal emptied, whitespace folded:
    what a declared Chinese code block must share with the English cell."""
    def keep(m):
        text = m.group(0)
        if text.startswith("//") or text.startswith("/*"):
            return " "
        if text.startswith("'"):
            return text  # a char literal is code
        return '""'
    return " ".join(LITERAL_OR_COMMENT.sub(keep, source).split())


@pytest.mark.parametrize("notebook", TRANSLATED, ids=name)
def test_code_cells_are_the_english_ones(notebook):
    en = nbformat.read(notebook, as_version=4)
    cn = nbformat.read(zh.twin_of(notebook), as_version=4)
    assert cn.metadata == en.metadata, "notebook metadata differs"
    assert [(c.cell_type, c.get("id")) for c in cn.cells] == [(c.cell_type, c.get("id")) for c in en.cells], \
        "the cells (types and ids, in order) differ from the English notebook's"
    declared = {b.cell_id for b in zh.parse(zh.source_of(notebook)).values() if b.kind == "code"}
    for e, c in zip(en.cells, cn.cells):
        where = f"{name(notebook)} cell {e.get('id')}"
        assert c.metadata == e.metadata, f"{where}: metadata (tags, nbgrader) differs"
        if e.cell_type != "code":
            continue
        if zh.is_setup(e):
            assert c.source == zh.setup_source(e.source), f"{where}: the setup cell is not the generated one"
        elif e.get("id") in declared:
            assert code_only(c.source) == code_only(e.source), \
                f"{where}: the Chinese code differs from the English in more than comments and string literals"
        else:
            assert c.source == e.source, f"{where}: the code differs from the English (declare a code block for comments)"


LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@pytest.mark.parametrize("notebook", TRANSLATED, ids=name)
def test_links_in_the_chinese_prose_lead_somewhere(notebook):
    cn = nbformat.read(zh.twin_of(notebook), as_version=4)
    broken = []
    for cell in cn.cells:
        if cell.cell_type != "markdown":
            continue
        for target in LINK.findall(cell.source):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = os.path.normpath(os.path.join(zh.OUT, target.split("#")[0]))
            if not os.path.exists(path):
                broken.append(f"{cell.id}: {target}")
    assert not broken, f"{name(notebook)}: links that lead nowhere from notebooks/zh-CN/: {broken}"


def test_the_two_indexes_link_each_other():
    en = open(os.path.join(NOTEBOOKS, "00-index.ipynb"), encoding="utf-8").read()
    cn = open(os.path.join(zh.OUT, "00-index.ipynb"), encoding="utf-8").read()
    assert "zh-CN/00-index.ipynb" in en, "the English index does not link the Chinese one"
    assert "../00-index.ipynb" in cn, "the Chinese index does not link the English one"


def properties(path):
    entries = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith("#") and "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                entries[key.strip()] = value
    return entries


SLOT = re.compile(r"%(?:,)?[sd%]")


def test_every_message_exists_in_both_languages_with_the_same_slots():
    folder = os.path.join(ROOT, "lib", "src", "main", "resources", "ipclab", "language")
    en = properties(os.path.join(folder, "messages.properties"))
    cn = properties(os.path.join(folder, "messages_zh_CN.properties"))
    assert sorted(set(en) - set(cn)) == [], "messages with no Chinese text"
    assert sorted(set(cn) - set(en)) == [], "Chinese messages with no English key"
    differ = [k for k in en if SLOT.findall(en[k]) != SLOT.findall(cn[k])]
    assert not differ, f"messages whose %s/%d slots differ between the languages: {differ}"


def test_every_message_key_the_library_uses_exists():
    used = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "lib", "src", "main", "java")):
        for f in files:
            if f.endswith(".java"):
                text = open(os.path.join(folder, f), encoding="utf-8").read()
                used |= set(re.findall(r'\btext\("([a-z0-9.-]+)"', text))
    en = properties(os.path.join(ROOT, "lib", "src", "main", "resources", "ipclab", "language", "messages.properties"))
    used = {k for k in used if not k.endswith(".")}  # a key built at run time, such as check.choice.QUESTION.why
    assert sorted(used - set(en)) == [], "keys used in the library with no message"
