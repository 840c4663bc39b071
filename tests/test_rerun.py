"""Every course notebook run the ways learners run it, on the real JJava kernel.

Two runs per notebook (tests/notebook_runs.py does each, in a process and a kernel of its own):
  twice  each cell twice in a row (Shift-Enter pressed twice), then Run All again without a
         restart of the notebook's kernel;
  busy   the whole notebook once while spinning processes hold every CPU, as on a shared Binder
         machine.
Each must show no error output, leave no process behind, and show the key outputs of
notebooks/<name>.expect. A failure names the notebook, the cell (index and tags), the run and the
error line. Each run's full report is in test-output/rerun/<name>.<run>.log.

To fit the time budget the notebooks run side by side, RERUN_WORKERS (default 2) at a time:
first every `twice` run, then, with one spinning process per CPU for the whole phase, every
`busy` run. RERUN_NOTEBOOKS=02,04 runs only the notebooks whose names start so. The Chinese
edition's notebooks (notebooks/zh-CN/, the same code) get the `twice` run only.
"""
import concurrent.futures
import contextlib
import glob
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import NOTEBOOKS, ROOT, run_logged
from notebook_runs import busy_cpus

ALL = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb"))
             if any(os.path.basename(p).startswith(k) for k in os.environ.get("RERUN_NOTEBOOKS", "").split(",")))
# The Chinese edition (notebooks/zh-CN/) runs the same code: it is re-run too, the "twice" way only.
ZH = sorted("zh-CN/" + os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "zh-CN", "[0-9][0-9]-*.ipynb"))
            if any(os.path.basename(p).startswith(k) for k in os.environ.get("RERUN_NOTEBOOKS", "").split(",")))
RUNS = {"twice": ["--way", "twice"], "busy": ["--way", "once"]}  # busy: the spinners are ours
WAYS = {"twice": ALL + ZH, "busy": ALL}
WORKERS = int(os.environ.get("RERUN_WORKERS", "2"))
PER_RUN_TIMEOUT = 15 * 60
LOGS = os.path.join(ROOT, "test-output", "rerun")
TIMES = os.path.join(LOGS, "times.json")  # last measured seconds, to start the longest runs first


def run_one(name, way):
    log = os.path.join(LOGS, f"{name[:-len('.ipynb')].replace('/', '-')}.{way}.log")
    if os.path.exists(log):
        os.remove(log)
    cmd = [sys.executable, os.path.join(ROOT, "tests", "notebook_runs.py"), os.path.join(NOTEBOOKS, name), *RUNS[way]]
    started = time.monotonic()
    try:
        code, _, seconds = run_logged(cmd, log, PER_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:  # run_logged has stopped it and all below it
        return -1, [f"{name}: not finished after {PER_RUN_TIMEOUT} s; stopped"], time.monotonic() - started
    with open(log, encoding="utf-8", errors="replace") as f:
        report = f.read()
    problems = [line[4:] for line in report.splitlines() if line.startswith("  - ")]
    if code != 0 and not problems:
        problems = [f"{name}: notebook_runs.py exited with {code}:\n{report[-3000:]}"]
    return code, problems, seconds


def phase(way, last_times):
    order = sorted(WAYS[way], key=lambda n: -last_times.get(f"{n} {way}", 0))
    with busy_cpus() if way == "busy" else contextlib.nullcontext():
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            futures = {name: pool.submit(run_one, name, way) for name in order}
            return {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="module")
def results():
    os.makedirs(LOGS, exist_ok=True)
    try:
        with open(TIMES) as f:
            last_times = json.load(f)
    except (OSError, ValueError):
        last_times = {}
    found, took = {}, {}
    for way in RUNS:
        started = time.monotonic()
        for name, result in phase(way, last_times).items():
            found[(name, way)] = result
        took[way] = time.monotonic() - started
    with open(TIMES, "w") as f:
        last_times.update({f"{n} {w}": round(r[2], 1) for (n, w), r in found.items()})
        json.dump(last_times, f, indent=1, sort_keys=True)
    print("\nrerun: " + ", ".join(f"{w} phase {t:.0f} s" for w, t in took.items())
          + f" ({WORKERS} notebooks at a time)")
    for (name, way), (code, problems, seconds) in sorted(found.items()):
        print(f"  {name} {way}: {'ok' if code == 0 else f'{len(problems)} problem(s)'} in {seconds:.0f} s")
    return found


@pytest.mark.parametrize("name,way", [(n, w) for w in RUNS for n in WAYS[w]])
def test_notebook_survives_a_learners_rerun(results, name, way):
    code, problems, _ = results[(name, way)]
    log = f"test-output/rerun/{name[:-len('.ipynb')].replace('/', '-')}.{way}.log"
    assert code == 0 and not problems, f"{name} ({way}; report: {log}):\n" + "\n".join(f"  - {p}" for p in problems)
