"""The memory of one learner running the whole course. Prints exactly:

    course_peak_rss_mb kernel=X all=Y
    echo_peak_rss_mb all=Y

Every notebook runs in course order, top to bottom, each in a notebook's kernel (JJava) of its
own, as tests/notebook_runs.py runs them. Meanwhile a thread samples, every 50 ms (never more
than 100 ms apart), the proportional set size (PSS, /proc/PID/smaps_rollup) of the notebook's
JVM and of every process below it: child JVMs, the echo server and its handlers, C programs,
gcc. PSS divides each shared page (the JDK's files, mapped by every JVM) among the processes
that map it, so the sum counts it once.

course_peak_rss_mb: kernel= is the peak PSS of the notebook's JVM alone (the JVM that runs the
cells, jjava.jar), all= the peak of the sum over JJava's launcher JVM, which starts it, and every
process below the launcher, both over the whole course. echo_peak_rss_mb: all= is the peak of
that sum during the echo-server notebooks (07 and 08), with their clients (the bundled clients
are sockets in the notebook's JVM; the C clients are its children). MB here is MiB (2^20 bytes).

On stderr: each notebook's peaks and how long it took, the longest gap between two samples,
and, where this machine lets the bench make a memory cgroup (cgroup v1, as root), the peak
that the cgroup holding the notebook's kernel reached (memory.max_usage_in_bytes: it counts the
page cache of files its processes read or wrote first, and the OS kernel's memory used on their
behalf, as well as their own pages; the kernel starts in it).

Run from the repository root after the jar is built (make bench does both)."""
import os
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
JAR = ROOT / "lib" / "target" / "ipclab.jar"
ECHO = ("07-", "08-")
INTERVAL = 0.05
MIB = 1 << 20
CGROUP_V1 = Path("/sys/fs/cgroup/memory")

sys.path.insert(0, str(ROOT / "tests"))
import processes  # noqa: E402


def pss(pid):
    """The PSS of one process in bytes, or 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def is_kernel(cmdline):
    """The notebook's JVM: `java ... -jar .../jjava.jar CONNECTION_FILE`, not JJava's launcher."""
    return "jjava.jar" in cmdline and "jjava-launcher" not in cmdline


class Sampler(threading.Thread):
    """Samples the PSS of a process and of its descendants until stopped; keeps the peaks."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.kernel = 0
        self.all = 0
        self.samples = 0
        self.longest_gap = 0.0
        self.done = threading.Event()

    def run(self):
        last = time.monotonic()
        while not self.done.is_set():
            below = processes.descendants(self.pid)
            sizes = {p[0]: pss(p[0]) for p in below}
            # JJava's launcher JVM starts the notebook's JVM (jjava.jar) as its child.
            own = sum(sizes[p[0]] for p in below if is_kernel(p[3]))
            total = pss(self.pid) + sum(sizes.values())
            self.kernel = max(self.kernel, own)
            self.all = max(self.all, total)
            self.samples += 1
            now = time.monotonic()
            self.longest_gap = max(self.longest_gap, now - last)
            last = now
            self.done.wait(max(0.0, INTERVAL - (time.monotonic() - now)))

    def stop(self):
        self.done.set()
        self.join()


class Cgroup:
    """A fresh cgroup v1 memory cgroup for one notebook's JVM, where the machine allows it."""

    def __init__(self, name):
        self.path = self.home = None
        if os.geteuid() != 0 or not (CGROUP_V1 / "memory.limit_in_bytes").exists():
            return
        try:
            path = CGROUP_V1 / f"ipclab-bench-{os.getpid()}-{name}"
            path.mkdir()
            self.path = path
        except OSError:
            self.path = None

    def enter(self):
        """Moves this process into the cgroup, so that the notebook's kernel starts in it."""
        if self.path:
            with open("/proc/self/cgroup") as f:
                mine = next((l.strip().split(":", 2)[2] for l in f if "memory" in l.split(":")[1].split(",")), "/")
            self.home = CGROUP_V1 / mine.lstrip("/")
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def leave(self):
        """Moves this process back; the kernel it started stays in the cgroup."""
        if self.path:
            (self.home / "cgroup.procs").write_text(str(os.getpid()))

    def peak(self):
        return int((self.path / "memory.max_usage_in_bytes").read_text()) if self.path else None

    def remove(self):
        if not self.path:
            return
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)  # processes still leaving
        print(f"bench_memory: could not remove {self.path}", file=sys.stderr)


def run(path):
    """Runs one notebook; returns (kernel peak, all peak, cgroup peak or None, seconds, errors, longest gap)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="java", timeout=300, startup_timeout=120, allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(NOTEBOOKS)}})
    errors = 0
    started = time.monotonic()
    cgroup = Cgroup(path.stem[:2])
    try:
        cgroup.enter()
        with client.setup_kernel():
            cgroup.leave()
            kernel = client.km.provisioner.pid
            sampler = Sampler(kernel)
            sampler.start()
            try:
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type == "code":
                        client.execute_cell(cell, index)
                        errors += sum(o.output_type == "error" for o in cell.outputs)
            finally:
                sampler.stop()
        peak = cgroup.peak()
    finally:
        cgroup.remove()
    return sampler.kernel, sampler.all, peak, time.monotonic() - started, errors, sampler.longest_gap


def main():
    if not JAR.is_file():
        print(f"bench_memory: {JAR.relative_to(ROOT)} is missing: run make setup", file=sys.stderr)
        return 1
    processes.become_subreaper()
    kernel = every = echo = 0
    gap = 0.0
    failed = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        k, a, cg, took, errors, longest = run(path)
        kernel, every, gap = max(kernel, k), max(every, a), max(gap, longest)
        if path.name.startswith(ECHO):
            echo = max(echo, a)
        if errors:
            failed.append(path.name)
        cg_text = f", its cgroup's peak {cg / MIB:.0f} MiB (with page cache)" if cg is not None else ""
        print(f"bench_memory: {path.name}: notebook's JVM {k / MIB:.0f} MiB, with its descendants {a / MIB:.0f} MiB"
              f"{cg_text}, {took:.0f} s{f', {errors} error output(s)' if errors else ''}", file=sys.stderr)
    processes.reap_zombie_children()
    print(f"bench_memory: longest gap between samples {gap * 1000:.0f} ms", file=sys.stderr)
    print(f"course_peak_rss_mb kernel={kernel / MIB:.0f} all={every / MIB:.0f}")
    print(f"echo_peak_rss_mb all={echo / MIB:.0f}")
    if failed:
        print(f"bench_memory: error outputs in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
