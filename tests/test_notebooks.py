"""Every course notebook runs top to bottom on the real JJava kernel, shows its key outputs
(checked by cell tag), and leaves no process behind."""
import glob
import os
import re
import time

import nbformat
import pytest
from nbclient import NotebookClient

import processes
from conftest import NOTEBOOKS

# Key outputs, by notebook and cell tag: a regular expression the cell's text output must match.
EXPECT = {
    "01-separate-memory.ipynb": {
        "bread-fork": r"child  \(pid \d+\): bread = 1",
        "bread-parent": r"^parent: bread = 0$",
        "bread-thread": r"after the thread: bread = 1",
    },
    "02-pipe1.ipynb": {
        "pipe1-fds": r"fds\[0\] = \d+  \(read end\)\nfds\[1\] = \d+  \(write end\)",
        "pipe1-proc": r"-> pipe:\[(\d+)\]\n.*-> pipe:\[\1\]",
        "pipe1-spawn": r"^spawned child \d+$",
        "pipe1-read": r"^Who are you\?$",
        "pipe1-wait": r"^child \d+ exited with status 0$",
        "pipe1-fork": r"^Who are you\?\nchild \d+ exited with status 0$",
        "pipe1-no-eof": r"no end of file: read\(fd \d+\) waited 300 ms",
        "pipe1-eof": r"^end of file after 0 more bytes$",
        "pipe1-capacity": r"the pipe took 65536 bytes.*\nfcntl\(F_GETPIPE_SZ\) = 65536",
        "pipe1-atomic": r"327,680 bytes in writes of 4,096 bytes: 0 torn\n16,000,000 bytes in writes of 200,000 bytes: \d+ torn",
        "ex-eof-check": r"^✔ Correct\.",
        "cleanup": r"children not yet reaped: 0\npipe ends still open: 0",
    },
    "03-pipe2-one-pipe-both-ways.ipynb": {
        "pipe2-sleep": r"^Parent proc output: Who are you\?\nChild proc output: Thank you for your message\nchild \d+ exited with status 0$",
        # Either side may win the race; whichever does, the cell ends and the child is reaped.
        "pipe2-race": r"(?=.*Child proc output: (Who are you\?|Thank you for your message))"
                      r"(?=.*(Parent: read\(fd \d+\) waited 1000 ms|Parent proc output: Who are you\?))"
                      r".*child \d+ exited with status 0",
        "pipe2-tally": r"child sleeps 0 ms: \{.*\}\nchild sleeps 100 ms: \{exchange worked=10\}",
        "cleanup": r"children not yet reaped: 0",
    },
    "04-pipe3-two-pipes.ipynb": {
        "pipe3-fork": r"^Parent proc output: Who are you\?\nChild proc output: Thank you for your message\nchild \d+ exited with status 0$",
        "pb-fds": r"child's fd 0 -> pipe:\[\d+\]\nchild's fd 1 -> pipe:\[\d+\]",
        "pb-exchange": r"^WHO ARE YOU\?\nexit status 0$",
        "ex-exchange-check": r"^✔ Correct\.",
        "cleanup": r"children not yet reaped: 0",
    },
    "05-process-tree.ipynb": {
        "tree-empty": r"^\d+ \w+",
        "tree-zombie": r"└─ \d+ zombie .*\nzombies: 1$",
        "tree-reaped": r"^child \d+ exited with status 0\n\d+ .*\nzombies: 0$",
        "tree-stopall": r"not yet reaped: 2\nstopped and reaped: 2\n"
                        r"child \d+ was killed by SIGKILL\nchild \d+ was killed by SIGKILL\nnot yet reaped: 0",
    },
    "07-echo-store-server.ipynb": {
        "server-start": r"listening on 127\.0\.0\.1:\d+",
        "client-bundled": r"echo: Hello, echo server!",
        "store-show": r"Hello, echo server!\n你好，服务器\nthird line",
        "tree-handlers": r"(?=.*3 connected)(?=.*ipclab\.server\.EchoHandler)(?=.*MessageStore)",
        "tree-after": r"after they left: 0 connected",
        "client-interactive": r"client finished with 0",
        "bug-bufsiz": r"(?=.*Java refuses the book's read)(?=.*comes back whole: true)",
        "bug-ten-reads": r"the writer is stuck after \d{5} bytes",
        "fixed-every-message": r"stored (\d+) of \1 bytes",
        "bug-zombies": r"zombies after one waitpid per signal: 4",
        "fixed-reaping": r"(?=.*zombies after reaping in a loop: 0)(?=.*zombies under the server: 0)",
        "fixed-localhost": r"\(default host: 127\.0\.0\.1\)",
        "bug-off-by-one": r"Index 4 out of bounds for length 4",
        # Mixing is likely but not certain: the scheduler decides.
        "bug-mixed": r"the two lines are mixed|not mixed this time",
        "fixed-not-mixed": r"2 lines of 200000 bytes, each one letter: true",
        "store-killed": r"(?=.*died \(was killed by SIGKILL\); \d+ bytes it held could not be stored; restarted it as \d+)"
                        r"(?=.*storing process restarted 1x)",
        "limits": r"(?=.*address already in use)(?=.*not 'seventy')",
        "exercise-check": r"✔ Correct",
        "stop-all": r"(?=.*echo-server: stopped; \d+ lines stored)(?=.*server processes left: 0)",
    },
    "06-exercises.ipynb": {
        "ipc-memory-check": r"^✔ Correct\.",
        "ipc-kernel-check": r"^✔ Correct\.",
        "pipe-one-way-check": r"^✔ Correct\.",
        "pipe-owner-check": r"^✔ Correct\.",
    },
}

ALL = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))


def text_of(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts).strip("\n")


def test_every_notebook_has_expectations():
    missing = [n for n in ALL if n != "00-index.ipynb" and n not in EXPECT and n not in extra_expectations()]
    assert not missing, f"notebooks without checked outputs: {missing}"


def extra_expectations():
    """Expectations that live beside a notebook, as notebooks/<name>.expect (tag<TAB>regex lines)."""
    found = {}
    for path in glob.glob(os.path.join(NOTEBOOKS, "*.expect")):
        with open(path, encoding="utf-8") as f:
            rules = dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line and not line.startswith("#"))
        found[os.path.basename(path)[: -len(".expect")] + ".ipynb"] = rules
    return found


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_and_shows_its_key_outputs(name):
    nb = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "java"
    # The notebook must clean up after itself (checked below), so the kernel can then be
    # stopped at once rather than through JJava's 2.6 s graceful shutdown.
    client = NotebookClient(nb, kernel_name="java", timeout=120, startup_timeout=120,
                            shutdown_kernel="immediate", resources={"metadata": {"path": NOTEBOOKS}})
    started = time.monotonic()
    with client.setup_kernel():
        kernel = client.km.provisioner.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError on any error output
        # Before the kernel shuts down: the notebook itself must have stopped what it started.
        left = processes.course_children(kernel)
        zombies = [p for p in processes.descendants(kernel) if p[2] == "Z"]
        assert not left, f"{name} left child processes running: {left}"
        assert not zombies, f"{name} left zombies: {zombies}"
    elapsed = time.monotonic() - started

    expect = {**EXPECT.get(name, {}), **extra_expectations().get(name, {})}
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
    left = processes.wait_until(lambda: not processes.course_children(me), 5)
    assert left, f"child JVMs still running: {processes.course_children(me)}"
