"""Every course notebook runs top to bottom on the real JJava kernel, shows its key outputs
(checked by cell tag), and leaves no process behind."""
import glob
import os
import re
import time

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

import processes
from conftest import NOTEBOOKS
from notebook_runs import client_for, errors_of, expectations, text_of, where

# Key outputs live beside each notebook, in notebooks/<name>.expect (tag<TAB>regex lines).
ALL = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))


def test_every_notebook_has_expectations():
    missing = [n for n in ALL if n != "00-index.ipynb" and not expectations(n)]
    assert not missing, f"notebooks without checked outputs: {missing}"


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_and_shows_its_key_outputs(name):
    runs_and_shows_its_key_outputs(name)


def runs_and_shows_its_key_outputs(name):
    """Runs notebooks/NAME (NN-x.ipynb, or zh-CN/NN-x.ipynb: tests/test_notebooks_zh.py) top to bottom."""
    nb = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "java"
    # The notebook must clean up after itself (checked below), so the notebook's kernel can
    # then be stopped at once rather than through JJava's 2.6 s graceful shutdown.
    client = client_for(nb, os.path.join(NOTEBOOKS, name), shutdown_kernel="immediate")
    started = time.monotonic()
    with client.setup_kernel():
        kernel = client.km.provisioner.pid
        for index, cell in enumerate(nb.cells):
            failed = False
            try:
                client.execute_cell(cell, index)  # raises CellExecutionError on any error output
            except CellExecutionError:
                failed = True
            if failed:
                # One line that names the cell and says what went wrong, not JJava's frames.
                pytest.fail(f"{name} {where(index, cell)}: {'; '.join(errors_of(cell)) or 'error output'}",
                            pytrace=False)
        # Before the notebook's JVM shuts down: the notebook itself must have stopped what it started.
        left = processes.left_behind(kernel)
        zombies = [p for p in processes.descendants(kernel) if p[2] == "Z"]
        assert not left, f"{name} left child processes running: {left}"
        assert not zombies, f"{name} left zombies: {zombies}"
    elapsed = time.monotonic() - started

    expect = expectations(name)
    tagged = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    for tag, pattern in expect.items():
        assert tag in tagged, f"{name}: no cell tagged {tag!r}"
        text = text_of(tagged[tag])
        assert re.search(pattern, text, re.M | re.S), f"{name} [{tag}] output does not match /{pattern}/:\n{text}"
    errors = [c for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    print(f"{name}: {elapsed:.1f} s")


def test_no_course_process_outlives_the_notebooks():
    me = os.getpid()
    gone = processes.wait_until(lambda: not processes.left_behind(me), 5)
    assert gone, f"still running after the notebooks: {processes.left_behind(me)}"
