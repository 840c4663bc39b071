#!/usr/bin/env python3
"""Build the course as a static website: every notebook executed on the `java` kernel, then
rendered by Sphinx with myst-nb and sphinx-book-theme.

    python tools/book.py [--out build/book] [--remote URL] [--ref BRANCH] [--jobs N]

1. Each notebook `notebooks/NN-*.ipynb` is turned into the students' version, as
   `make assignment` hands it out: solution regions become the stub of nbgrader_config.py,
   hidden tests go, and below each check cell a note says what it prints once solved.
2. That version runs top to bottom in a fresh kernel, except the exercise cells (nbgrader
   solution and grade cells), which learners run themselves. Any error output, or anything
   written to stderr, stops the build: the site shows only outputs that are right.
   With BOOK_EXECUTED=DIR, the notebooks already executed in DIR (same names) are used instead,
   turned into the students' version the same way.
3. Sphinx renders the executed notebooks as they are (myst-nb's `nb_execution_mode = "off"`),
   so the outputs on the site are the ones from step 2. Every page gets a "Run on Binder" link
   (built by tools/binder_link.py, from the git remote or --remote) and a download link to its
   notebook, which is copied into the site.
The result works from file:// and from any static host: OUT/index.html opens the course index.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "notebooks")
CONF = os.path.join(ROOT, "tools", "book")
sys.path.insert(0, os.path.join(ROOT, "tools"))

import binder_link  # noqa: E402
import kernel_ports  # noqa: E402

SOLUTION = re.compile(r"^([ \t]*)\S*[ \t]*BEGIN SOLUTION[^\n]*\n.*?^[ \t]*\S*[ \t]*END SOLUTION[^\n]*(\n|\Z)",
                      re.M | re.S)
HIDDEN = re.compile(r"^[ \t]*\S*[ \t]*BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*\S*[ \t]*END HIDDEN TESTS[^\n]*(\n|\Z)",
                    re.M | re.S)
TEXT_STUB = "YOUR ANSWER HERE"  # nbgrader's stub for a written answer


def course_notebooks():
    return sorted(glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))


def code_stub():
    """The stub that replaces a solution in the students' version, read from nbgrader_config.py."""
    from traitlets.config import Config

    config, saved = Config(), dict(os.environ)
    path = os.path.join(ROOT, "nbgrader_config.py")
    try:
        with open(path, encoding="utf-8") as f:
            exec(compile(f.read(), path, "exec"), {"get_config": lambda: config, "__file__": path})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config.ClearSolutions.code_stub["java"]


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def is_exercise(cell):
    """A cell that learners run themselves: an nbgrader solution or grade (check) cell."""
    return bool(nbgrader(cell).get("solution") or nbgrader(cell).get("grade"))


def students_source(cell, stub):
    """The cell as nbgrader hands it out: solutions replaced by the stub, hidden tests removed."""
    source = HIDDEN.sub("", cell.source)
    if not nbgrader(cell).get("solution"):
        return source
    if cell.cell_type == "markdown":
        return SOLUTION.sub(TEXT_STUB + "\n", source) if SOLUTION.search(source) else TEXT_STUB
    if not SOLUTION.search(source):
        return stub
    return SOLUTION.sub(lambda m: "\n".join(m[1] + line for line in stub.splitlines()) + m[2], source)


def expectations(name):
    path = os.path.join(NOTEBOOKS, name[: -len(".ipynb")] + ".expect")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return dict(l.rstrip("\n").split("\t", 1) for l in f if "\t" in l and not l.startswith("#"))


def solved_note(cell, expect):
    """What a check cell prints once the exercise is solved, as a note for the page."""
    tags = cell.metadata.get("tags", [])
    pattern = next((expect[t] for t in tags if t in expect), "")
    points = nbgrader(cell).get("points")
    worth = f" ({points} point{'s' if points != 1 else ''})" if points else ""
    if "Correct" in pattern or not pattern:
        shows = "one line that starts with `✔ Correct.`"
    else:
        shows = f"a line matching `{pattern}`"
    return ("```{admonition} When solved\n:class: tip solved-note\n"
            f"Not run on this page: this check grades your solution{worth}. Once the exercise is "
            f"solved, it prints {shows}.\n```")


# A link to the Chinese edition (notebooks/zh-CN/): the site holds the English pages only, so the
# link becomes text that names the folder.
OTHER_EDITION = re.compile(r"\[([^\]]*)\]\(zh-CN/[^)]*\)")


def students_version(nb, name, stub):
    """The students' version of a course notebook (in place). Exercise cells keep no outputs."""
    import nbformat

    expect = expectations(name)
    cells = []
    for cell in [c for c in nb.cells if not set(c.metadata.get("tags", [])) & {"solved-note", "toctree"}]:
        if is_exercise(cell):
            cell.source = students_source(cell, stub)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        else:
            cell.source = HIDDEN.sub("", cell.source)
            if cell.cell_type == "markdown":
                cell.source = OTHER_EDITION.sub(r"\1 (`notebooks/zh-CN/` in the repository)", cell.source)
        cells.append(cell)
        if cell.cell_type == "code" and nbgrader(cell).get("grade"):
            cells.append(nbformat.v4.new_markdown_cell(solved_note(cell, expect),
                                                       metadata={"tags": ["solved-note"]}))
        elif cell.cell_type == "markdown" and nbgrader(cell).get("solution"):
            points = nbgrader(cell).get("points")
            cells.append(nbformat.v4.new_markdown_cell(
                "```{admonition} Written answer\n:class: tip solved-note\n"
                f"Your answer goes in the cell above, in JupyterLab; a teacher grades it by hand"
                f"{f' ({points} points)' if points else ''}.\n```", metadata={"tags": ["solved-note"]}))
    nb.cells = cells
    # Code on the site is highlighted as Java, whatever the kernel reported.
    nb.metadata["language_info"] = {**nb.metadata.get("language_info", {}), "name": "java",
                                    "pygments_lexer": "java"}
    return nb


def problems_of(nb):
    """Error outputs and stderr text: none may reach the site."""
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {index} {cell.metadata.get('tags', [])}: {out.get('ename')}: {out.get('evalue')}")
            elif out.output_type == "stream" and out.get("name") == "stderr":
                found.append(f"cell {index} {cell.metadata.get('tags', [])}: stderr: {out.text.strip()[:300]}")
    return found


def execute(path, dest, stub, timeout=180):
    """Run the students' version of one notebook, except its exercise cells; write it to dest.

    The kernel's own log goes to dest's folder (_kernel-NAME.log). The kernel's ports are chosen
    where no other process's connection can take them first (tools/kernel_ports.py); a kernel
    that still dies before it answers is started again, twice at most.
    """
    import nbformat
    from nbclient import NotebookClient

    name = os.path.basename(path)
    log = os.path.join(os.path.dirname(dest), f"_kernel-{name[:-len('.ipynb')]}.log")
    started = time.monotonic()
    for attempt in range(3):
        nb = students_version(nbformat.read(path, as_version=4), name, stub)
        client = NotebookClient(nb, kernel_name="java", kernel_manager_class=kernel_ports.AsyncKernelManager,
                                timeout=timeout, startup_timeout=120, allow_errors=True, shutdown_kernel="immediate",
                                resources={"metadata": {"path": NOTEBOOKS}})
        ran, stopped = False, []
        try:
            with open(log, "ab") as err, client.setup_kernel(stderr=err):
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code" and not is_exercise(cell):
                        ran = True
                        try:
                            client.execute_cell(cell, index)
                        except Exception as e:  # a cell timed out, or the kernel died: stop here
                            stopped.append(f"cell {index} {cell.metadata.get('tags', [])}: {type(e).__name__}: {e}")
                            break
            break
        except RuntimeError as e:
            if ran or attempt == 2 or "Kernel died" not in str(e):
                raise
    nbformat.write(nb, dest)
    return name, time.monotonic() - started, stopped + problems_of(nb)


def from_executed(path, folder, dest, stub):
    import nbformat

    name = os.path.basename(path)
    nb = students_version(nbformat.read(os.path.join(folder, name), as_version=4), name, stub)
    nbformat.write(nb, dest)
    return name, 0.0, problems_of(nb)


def toctree(names):
    """The sidebar, in course order: a hidden toctree at the end of the course index."""
    return "```{toctree}\n:hidden:\n:maxdepth: 1\n\n" + "\n".join(n[: -len(".ipynb")] for n in names) + "\n```"


def links(names, remote, ref):
    """Per page: the Binder launch link (or why there is none) and the notebook's download path."""
    binder, missing = {}, ""
    if not remote:
        missing = ("this site was built from a clone without a git remote; build it with "
                   "make book REMOTE=https://github.com/OWNER/REPO")
    else:
        try:
            binder_link.provider_path(remote)
        except binder_link.LinkError:
            missing = (f"this site was built from a clone whose remote ({remote}) is not a public git "
                       "address; build it with make book REMOTE=https://github.com/OWNER/REPO")
    for name in names:
        if not missing:
            binder[name[: -len(".ipynb")]] = binder_link.binder_url(remote, ref, binder_link.notebook_urlpath(name))
    return {"binder": binder, "missing": missing, "remote": remote, "ref": ref,
            "pages": [n[: -len(".ipynb")] for n in names]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "book"), help="the site's folder (replaced)")
    ap.add_argument("--remote", help="git URL for the Binder links (default: the remote 'origin')")
    ap.add_argument("--ref", help="branch, tag or commit for the Binder links (default: the current branch)")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks executed side by side (default 2)")
    ap.add_argument("--executed", default=os.environ.get("BOOK_EXECUTED"),
                    help="folder of notebooks already executed (default: $BOOK_EXECUTED; else execute here)")
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    src = out.rstrip("/") + "-src"   # the executed notebooks Sphinx reads, and its logs
    executed = os.path.abspath(args.executed) if args.executed else None
    if executed in (src, out):
        sys.exit(f"book: {executed} is replaced by the build; copy the executed notebooks elsewhere first")
    os.chdir(ROOT)
    started = time.monotonic()
    for folder in (src, out):
        shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(src)
    paths = course_notebooks()
    names = [os.path.basename(p) for p in paths]
    stub = code_stub()

    # 1-2. The students' version, executed (or taken from an earlier run).
    if executed:
        missing = [n for n in names if not os.path.exists(os.path.join(executed, n))]
        if missing:
            sys.exit(f"book: {executed} lacks executed notebooks: {missing}")
        results = [from_executed(p, executed, os.path.join(src, os.path.basename(p)), stub) for p in paths]
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(execute, p, os.path.join(src, os.path.basename(p)), stub) for p in paths]
            results = [f.result() for f in futures]
    failed = False
    for name, took, problems in results:
        print(f"book: {name}: {'executed in %.1f s' % took if took else 'taken as executed'}"
              f"{'' if not problems else ', ' + str(len(problems)) + ' problem(s)'}")
        for p in problems:
            print("  - " + p.replace("\n", "\n    "))
        failed |= bool(problems)
    if failed:
        sys.exit("book: error outputs (above) would be published; fix the notebooks first")
    executed_at = time.monotonic()

    # 3. The site.
    import nbformat

    index = os.path.join(src, names[0])
    nb = nbformat.read(index, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(toctree(names[1:]), metadata={"tags": ["toctree"]}))
    nbformat.write(nb, index)
    if os.path.isdir(os.path.join(NOTEBOOKS, "figures")):
        shutil.copytree(os.path.join(NOTEBOOKS, "figures"), os.path.join(src, "figures"))
    remote = args.remote if args.remote is not None else binder_link.default_remote()
    ref = args.ref or binder_link.default_ref()
    with open(os.path.join(src, "_links.json"), "w", encoding="utf-8") as f:
        json.dump(links(names, remote, ref), f, indent=1)
    env = {**os.environ, "BOOK_LINKS": os.path.join(src, "_links.json")}
    log = os.path.join(src, "_sphinx.log")
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", CONF, "-w", log, "-j", "1", src, out,
           "-d", os.path.join(src, "_doctrees")]
    build = subprocess.run(cmd, env=env)
    with open(log, encoding="utf-8") as f:
        warnings = [l for l in f.read().splitlines() if "WARNING" in l or "ERROR" in l]
    if build.returncode != 0 or warnings:
        print("\n".join(warnings[:40]), file=sys.stderr)
        sys.exit(f"book: sphinx-build {'failed' if build.returncode else 'warned'} (log: {log})")

    # The themes copy two of their Jinja templates into _static (they are not pages), and source
    # maps of their minified scripts, which only a browser's developer tools ask for (3 MB).
    for extra in [*glob.glob(os.path.join(out, "_static", "*webpack-macros.html")),
                  *glob.glob(os.path.join(out, "_static", "**", "*.map"), recursive=True)]:
        os.remove(extra)
    if os.path.isdir(os.path.join(out, "_sources")) and not os.listdir(os.path.join(out, "_sources")):
        os.rmdir(os.path.join(out, "_sources"))  # html_copy_source is off; Sphinx leaves it empty
    # The notebooks to download, beside the pages; index.html opens the course index.
    os.makedirs(os.path.join(out, "notebooks"), exist_ok=True)
    for name in names:
        nb = nbformat.read(os.path.join(src, name), as_version=4)
        nb.cells = [c for c in nb.cells if not set(c.metadata.get("tags", [])) & {"solved-note", "toctree"}]
        nbformat.write(nb, os.path.join(out, "notebooks", name))
    home = names[0][: -len(".ipynb")] + ".html"
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write(f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Pipes &amp; Processes</title>'
                f'<meta http-equiv="refresh" content="0; url={home}"></head>'
                f'<body><a href="{home}">Pipes &amp; Processes: the course index</a></body></html>\n')

    # Nothing that failed in a cell may show on a page.
    bad = [p for p in glob.glob(os.path.join(out, "*.html"))
           if re.search(r'class="[^"]*\boutput (error|traceback|stderr)\b', open(p, encoding="utf-8").read())]
    if bad:
        sys.exit(f"book: error output on {bad}")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    print(f"book: {len(names)} pages in {os.path.relpath(out, ROOT) if out.startswith(ROOT) else out}, "
          f"{size / 1e6:.1f} MB; executed in {executed_at - started:.0f} s, "
          f"built in {time.monotonic() - started:.0f} s. Open {os.path.join(out, 'index.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
