import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

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
