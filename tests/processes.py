"""The process table, read from /proc, for tests that must prove nothing was left behind."""
import ctypes
import os
import time

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Orphans below this process are re-parented here instead of to PID 1.

    Some containers run a PID 1 that never reaps, so an orphan that exits would stay a zombie
    for ever. As a subreaper the test run can check that orphans really exited, then reap them.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def read(pid):
    """(pid, ppid, state, cmdline) of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    rest = stat[stat.rindex(")") + 2:].split()
    return int(pid), int(rest[1]), rest[0], cmd


def table():
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            p = read(int(name))
            if p:
                procs[p[0]] = p
    return procs


def descendants(root):
    """Every process below root (not root itself)."""
    procs = table()
    kids = {}
    for p in procs.values():
        kids.setdefault(p[1], []).append(p)
    out, todo = [], [root]
    while todo:
        for p in kids.get(todo.pop(), []):
            out.append(p)
            todo.append(p[0])
    return out


def course_children(root):
    """Live child JVMs the course started (anything running ipclab.child.ChildMain) below root."""
    return [p for p in descendants(root) if "ipclab.child.ChildMain" in p[3] and p[2] != "Z"]


def left_behind(kernel):
    """Live processes below a notebook's kernel other than JJava itself: child JVMs, the C
    programs a cell started (in process groups of their own, still below the kernel), anything."""
    return [p for p in descendants(kernel) if p[2] != "Z" and "jjava" not in p[3]]


def reap_zombie_children():
    """Reap the zombies re-parented to this (subreaper) process; returns their pids."""
    me = os.getpid()
    reaped = []
    for p in table().values():
        if p[1] == me and p[2] == "Z":
            try:
                os.waitpid(p[0], os.WNOHANG)
                reaped.append(p[0])
            except ChildProcessError:
                pass
    return reaped


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
