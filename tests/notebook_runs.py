"""Runs a notebook the ways learners do, on the real JJava kernel, and reports what went wrong.

Two ways, each in a notebook's kernel (JJava) of its own:
  once     top to bottom, as the notebook test does;
  twice    each cell run twice in a row (Shift-Enter pressed twice), then the whole notebook
           again from the top without a restart (Run All a second time);
Both check: no error output in any cell, no process left behind, and the key outputs of the
last full pass (notebooks/<name>.expect).

    python tests/notebook_runs.py notebooks/02-pipe1.ipynb [--way twice] [--busy]

`--busy` keeps every CPU busy with a spinning process for the whole run, as on a shared
Binder machine.
"""
import argparse
import contextlib
import multiprocessing
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import kernel_ports  # noqa: E402
import processes  # noqa: E402

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")


DEFAULT_TO_STRING = re.compile(r"^[\w.$]+@[0-9a-f]+\b")


def text_of(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            # A picture with a text/plain twin that says something (a process tree drawn as SVG
            # also lists the processes) is checked by that text, as before pictures were shown;
            # one whose text/plain is only an object's default toString (a chart) shows as its
            # type, such as "[image/png]".
            plain = data.get("text/plain", "")
            pictures = "".join(f"[{mime}]\n" for mime in sorted(data) if mime.startswith("image/"))
            if pictures and (not plain.strip() or DEFAULT_TO_STRING.match(plain.strip())):
                parts.append(pictures)
            else:
                parts.append(plain + "\n")
    return "".join(parts).strip("\n")


def expectations(name):
    """The key outputs of notebooks/NAME (NAME may be zh-CN/NN-x.ipynb): its own .expect file, or
    for a translated notebook that has none, the English notebook's."""
    path = os.path.join(NOTEBOOKS, name[: -len(".ipynb")] + ".expect")
    if not os.path.exists(path) and os.path.dirname(name):
        path = os.path.join(NOTEBOOKS, os.path.basename(name)[: -len(".ipynb")] + ".expect")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line and not line.startswith("#"))


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def error_line(out):
    """The one line that says what went wrong: the exception and its message, or for code that
    does not compile, the compiler's message."""
    name = ANSI.sub("", out.get("ename") or "").strip()
    value = ANSI.sub("", out.get("evalue") or "").strip()
    lines = [l.strip() for tb in out.get("traceback", []) for l in ANSI.sub("", tb).split("\n")]
    if name == "CompilationException":
        # JJava's traceback: the rejected source (lines starting with "|"), then javac's message.
        said = [l for l in lines if l and not l.startswith("|")]
        return f"{name}: {'; '.join(said[:2]) or value.split(chr(10))[0]}"
    wrapped = re.match(r"^([\w.$]+), (.*)", value, re.S)
    if name == "RuntimeException" and wrapped:  # JJava reports "class, message"
        name, value = wrapped[1].rsplit(".", 1)[-1], wrapped[2]
    value = value.split("\n")[0]
    if value:
        return f"{name}: {value}" if name else value
    for text in lines:
        if text and not text.startswith(("at ", "org.dflib.", "java.base/", "jdk.")):
            return f"{name}: {text}" if name and name not in text else text
    return name or "error output"


def errors_of(cell):
    return [error_line(o) for o in cell.get("outputs", []) if o.output_type == "error"]


def where(index, cell):
    """How a report names a cell: its index among all cells and its tags."""
    tags = cell.metadata.get("tags", [])
    return f"cell {index}" + (f" [{', '.join(tags)}]" if tags else " (untagged)")


def _spin():
    while True:
        pass


@contextlib.contextmanager
def busy_cpus(n=None):
    """One spinning process per CPU for as long as the block runs."""
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n or os.cpu_count() or 2)]
    for s in spinners:
        s.start()
    try:
        yield
    finally:
        for s in spinners:
            s.kill()
            s.join()


def client_for(nb, path, timeout=120, **kw):
    """An nbclient for notebook nb (read from path), on the course's kernel (JJava) started in
    the notebook's folder (so that `%classpath ../lib/target/ipclab.jar` resolves) on ports that
    no other process takes first (tools/kernel_ports.py)."""
    return NotebookClient(nb, kernel_name="java", kernel_manager_class=kernel_ports.AsyncKernelManager,
                          timeout=timeout, startup_timeout=120,
                          resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}, **kw)


def run(path, way="once", timeout=120):
    """Returns a list of problems (empty when the notebook passed) and the seconds taken."""
    name = os.path.relpath(os.path.abspath(path), NOTEBOOKS)  # NN-x.ipynb, or zh-CN/NN-x.ipynb
    nb = nbformat.read(path, as_version=4)
    client = client_for(nb, path, timeout, allow_errors=True, shutdown_kernel="immediate")
    problems = []
    started = time.monotonic()

    def execute(index, cell, label):
        cell.outputs = []
        try:
            client.execute_cell(cell, index)
        except Exception as e:  # a cell timeout: the notebook's JVM is still busy, so stop here
            first = str(e).strip().split("\n")[0]
            problems.append(f"{name} {where(index, cell)}, {label}: {type(e).__name__}: {first}")
            raise
        for err in errors_of(cell):
            problems.append(f"{name} {where(index, cell)}, {label}: {err}")

    with client.setup_kernel():
        kernel = client.km.provisioner.pid
        try:
            if way == "twice":
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        execute(index, cell, "1st run of the cell run twice")
                        execute(index, cell, "2nd run of the cell run twice")
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        execute(index, cell, "Run All again")
            else:
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        execute(index, cell, "Run All")
        except Exception:
            return problems, time.monotonic() - started
        left = processes.left_behind(kernel)
        zombies = [p for p in processes.descendants(kernel) if p[2] == "Z"]
        if left:
            problems.append(f"{name}: left running after the last cell: {left}")
        if zombies:
            problems.append(f"{name}: left zombies after the last cell: {zombies}")
    tagged = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    for tag, pattern in expectations(name).items():
        if tag not in tagged:
            problems.append(f"{name}: no cell tagged {tag!r} ({os.path.basename(name)[:-6]}.expect wants one)")
        elif not re.search(pattern, text_of(tagged[tag]), re.M | re.S):
            index = nb.cells.index(tagged[tag])
            problems.append(f"{name} {where(index, tagged[tag])}: key output does not match /{pattern}/:\n"
                            f"{text_of(tagged[tag])}")
    return problems, time.monotonic() - started


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--way", choices=["once", "twice"], default="twice")
    ap.add_argument("--busy", action="store_true", help="keep every CPU busy while running")
    args = ap.parse_args()
    processes.become_subreaper()
    failed = 0
    with busy_cpus() if args.busy else contextlib.nullcontext():
        for path in args.notebooks:
            problems, took = run(path, args.way)
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            print(f"{os.path.basename(path)} ({args.way}{', busy' if args.busy else ''}): {status} in {took:.1f} s")
            for p in problems:
                print("  - " + p.replace("\n", "\n    "))
            failed += bool(problems)
    processes.reap_zombie_children()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
