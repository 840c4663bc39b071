#!/usr/bin/env python3
"""Runs `make test`'s stages, side by side where the machine allows, and times each one.

    python tools/stages.py            # every stage, side by side as planned
    python tools/stages.py rerun      # one stage (or several, one after the other)
    python tools/stages.py --list     # the stages and what each one waits for

A stage starts as soon as the stages it waits for (AFTER) have ended. The plan was chosen by
measuring on a 2-core machine (README, "The stages of `make test`"):
  * `java` rebuilds lib/target/ipclab.jar (`mvn verify` packages it), so nothing that loads
    that jar starts before it ends. `binder` builds its own copy of the course elsewhere, so it
    starts at once and runs beside the others.
  * `rerun` keeps both CPUs busy with spinning processes for part of its run, so it runs alone,
    last: `lifecycle` (a child must be gone within 2 s of kill -9), the browser's and the
    notebooks' timing must not compete with it.
  * `class` (a JupyterHub with eight learners, each running three notebooks at once) loads the
    machine as a full class would, so it too runs alone, before `rerun`: its learners' bounded
    waits are what it checks, and the other stages' waits must not be measured beside it.
Each stage writes everything it prints to test-output/stage-NAME.log. One line per stage as it
ends, a summary at the end, each failed test's message (or the log's last lines) for a failed
stage, and exit status 1 if any stage failed.
"""
import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test-output")
PY = os.path.join(ROOT, ".venv", "bin", "python")


def pytest(path):
    return [PY, "-m", "pytest", "-q", "-rfE", "-s", "--tb=short", "-p", "no:cacheprovider", path]


STAGES = {
    "java": ["mvn", "-q", "-B", "verify"],
    "zh": pytest("tests/test_zh.py"),
    "notebooks": pytest("tests/test_notebooks.py"),
    "notebooks-zh": pytest("tests/test_notebooks_zh.py"),
    "lifecycle": pytest("tests/test_kernel_lifecycle.py"),
    "memory": pytest("tests/test_memory.py"),
    "browser": pytest("tests/test_browser.py"),
    "binder": pytest("tests/test_binder.py") + ["tests/test_k8s_config.py"],
    "nbgrader": pytest("tests/test_nbgrader.py"),
    "nbgrader-zh": pytest("tests/test_nbgrader_zh.py"),
    "site": pytest("tests/test_book.py"),
    "class": pytest("tests/test_class.py"),
    "rerun": pytest("tests/test_rerun.py"),
}

# What each stage waits for before it starts.
JAR_READERS = ["notebooks", "notebooks-zh", "nbgrader", "nbgrader-zh", "lifecycle", "memory", "browser", "site"]
AFTER = {
    "java": [],
    "binder": [],
    "zh": [],
    **{name: ["java"] for name in JAR_READERS},
    "class": ["java", "binder", "zh", *JAR_READERS],
    "rerun": ["java", "binder", "zh", *JAR_READERS, "class"],
}

# A stage that runs longer than this is stopped and counts as failed.
STAGE_TIMEOUT = 40 * 60
TAIL_LINES = 60

print_lock = threading.Lock()
running_procs = {}  # stage name -> its process, while it runs


def say(text):
    with print_lock:
        print(text, flush=True)


def run_stage(name, results):
    log = os.path.join(OUT, f"stage-{name}.log")
    started = time.monotonic()
    with open(log, "wb") as out:
        out.write(f"$ {' '.join(STAGES[name])}\n".encode())
        out.flush()
        proc = subprocess.Popen(STAGES[name], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        running_procs[name] = proc
        try:
            code = proc.wait(timeout=STAGE_TIMEOUT)
        except subprocess.TimeoutExpired:
            out.write(f"\nstage {name}: stopped after {STAGE_TIMEOUT} s\n".encode())
            out.flush()
            stop([proc])
            code = None
        # Ctrl-C (KeyboardInterrupt) goes on to main(), which stops every running stage.
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever the stage left in its process group
        except (ProcessLookupError, PermissionError):
            pass
        running_procs.pop(name, None)
    took = time.monotonic() - started
    results[name] = (code == 0, took)
    say(f"stage {name}: {'passed' if code == 0 else 'FAILED'} in {took:.0f} s" + figures(log))


def figures(log):
    """The figures a stage prints for the summary (the class stage: `class_peak_mb=...`)."""
    with open(log, encoding="utf-8", errors="replace") as f:
        found = re.findall(r"\b(class_peak_mb=\S+ learners=\S+ seconds=\S+)", f.read())
    return f" ({found[-1]})" if found else ""


def failure_report(name, lines=TAIL_LINES):
    """What a failed stage said: for pytest, each failed test's message (for a notebook: the
    notebook, the cell's index and tags, the run, the error line) and the summary; otherwise the
    log's last lines."""
    with open(os.path.join(OUT, f"stage-{name}.log"), encoding="utf-8", errors="replace") as f:
        text = f.read().splitlines()
    start = next((i for i, l in enumerate(text) if re.match(r"^=+ (FAILURES|ERRORS) =+$", l)), None)
    if start is None:
        return "\n".join(text[-lines:])
    end = next((i for i, l in enumerate(text) if "short test summary info" in l), len(text))
    said, section = [], []

    def flush():
        messages = [l[1:] for l in section[1:] if l.startswith("E ")
                    and not l[1:].strip().startswith(("assert ", "+ ", "where "))]
        plain = [l for l in section[1:] if l.strip() and not l.startswith("-" * 5)][:3]
        if section:
            said.extend([section[0]] + (messages or plain))

    for line in text[start + 1:end]:
        if re.match(r"^_+ \S.* _+$", line):
            flush()
            section = [line]
        elif section:
            section.append(line)
    flush()
    more = [f"... ({len(said) - 150} more lines in the log)"] if len(said) > 150 else []
    return "\n".join(said[:150] + more + text[end:])


def schedule(names, results):
    """Runs the stages, each as soon as what it waits for (among names) has ended."""
    waiting = {n: [a for a in AFTER[n] if a in names] for n in names}
    running = {}
    while waiting or running:
        for name in [n for n, after in waiting.items() if all(a in results for a in after)]:
            del waiting[name]
            side = [r for r in running if r not in results]
            say(f"stage {name}: started" + (f" (beside {', '.join(side)})" if side else ""))
            running[name] = threading.Thread(target=run_stage, args=(name, results), daemon=True)
            running[name].start()
        for name in [n for n, t in running.items() if not t.is_alive()]:
            running.pop(name).join()
        time.sleep(0.2)


def stop(procs, grace=60):
    """Each stage runs in a session of its own: pass it an interrupt, as Ctrl-C would. pytest
    then stops as after Ctrl-C and shuts down the kernels it started (the class stage: its
    JupyterHub, learners and their copy of the venv, which takes longest); what is left after
    `grace` seconds is killed."""
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stages", nargs="*", metavar="STAGE", help=f"one of: {', '.join(STAGES)}")
    ap.add_argument("--list", action="store_true", help="print the stages and what each one waits for")
    args = ap.parse_args()
    if args.list:
        for name in STAGES:
            print(f"{name}: {' '.join(STAGES[name])}" + (f"  (after {', '.join(AFTER[name])})" if AFTER[name] else ""))
        return 0
    unknown = [s for s in args.stages if s not in STAGES]
    if unknown:
        print(f"stages: no stage {', '.join(unknown)} (there are: {', '.join(STAGES)})", file=sys.stderr)
        return 2
    os.makedirs(OUT, exist_ok=True)
    # A test file no stage runs would never run at all.
    staged = {part for cmd in STAGES.values() for part in cmd}
    orphans = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "tests", "test_*.py"))
                     if os.path.relpath(p, ROOT) not in staged)
    for path in orphans:
        say(f"stages: {path} belongs to no stage: add it to STAGES in tools/stages.py")
    results = {}
    started = time.monotonic()
    try:
        if args.stages:
            for name in args.stages:  # asked for by name: one after the other
                run_stage(name, results)
        else:
            schedule(list(STAGES), results)
    except KeyboardInterrupt:
        say(f"\nstages: interrupted; stopping {', '.join(running_procs) or 'nothing'}")
        stop(list(running_procs.values()))
        return 130
    total = time.monotonic() - started
    failed = [n for n, (ok, _) in results.items() if not ok]
    for name in failed:
        say(f"\n----- stage {name} FAILED (whole log: test-output/stage-{name}.log) -----\n{failure_report(name)}")
    summary = ", ".join(f"{n} {t:.0f} s{'' if ok else ' FAILED'}" for n, (ok, t) in results.items())
    say(f"\nstages: {len(results) - len(failed)} passed, {len(failed)} failed in {total:.0f} s ({summary})")
    return 1 if failed or (orphans and not args.stages) else 0


if __name__ == "__main__":
    sys.exit(main())
