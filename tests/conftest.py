import os
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))

import processes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(ROOT, "notebooks")


def pytest_sessionstart(session):
    processes.become_subreaper()


def pytest_sessionfinish(session, exitstatus):
    processes.reap_zombie_children()


def stop_process_tree(proc, grace=20.0):
    """Stop a process started with start_new_session=True and everything below it, then reap.

    A polite SIGTERM to its group first (a Jupyter server then shuts its kernels down), SIGKILL
    for whatever is left after `grace` seconds. Kernels and browsers run in sessions of their
    own, so the process tree is read before anything dies; the ones orphaned on the way are
    re-parented to this subreaper and reaped here, so nothing is left running or as a zombie.
    """
    import signal
    import subprocess

    below = {p[0] for p in processes.descendants(proc.pid)}
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    below |= {p[0] for p in processes.descendants(proc.pid)}
    for pid in [proc.pid, *below]:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    proc.wait()
    me = os.getpid()

    def remaining():
        for p in processes.table().values():
            if p[0] in below and p[1] == me:
                try:
                    os.waitpid(p[0], os.WNOHANG)
                except ChildProcessError:
                    pass
        return [p for p in processes.table().values() if p[0] in below]

    if not processes.wait_until(lambda: not remaining(), 10):
        raise AssertionError(f"still in the process table after stopping {proc.args!r}: {remaining()}")


def run_logged(cmd, log, timeout, env=None, cwd=ROOT, grace=5.0):
    """Run a command in its own session, appending its output to log; on timeout or failure,
    stop all of it. Returns (exit code, the log's last 4000 characters, seconds taken)."""
    started = time.monotonic()
    with open(log, "ab") as out:
        out.write(f"\n$ {shlex.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        finally:
            stop_process_tree(proc, grace=grace)
    with open(log, encoding="utf-8", errors="replace") as f:
        tail = f.read()[-4000:]
    return proc.returncode, tail, time.monotonic() - started
