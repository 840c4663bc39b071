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

Run from the repository root after the jar is built (make bench does both). MEMORY_NOTEBOOKS=02,08
runs only those notebooks."""
import multiprocessing
import os
import sys
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


def children(pid):
    """The children of a process, from /proc/PID/task/TID/children (no scan of all of /proc)."""
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(k) for k in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def address_space(pid):
    """What identifies a process's memory (its mm): where its code, stack, heap and arguments
    start. A child in posix_spawn()'s vfork, before it runs exec(), shares its parent's memory, and
    its smaps_rollup shows all of it: counted twice, the parent would seem to double."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[23], fields[25], fields[44], fields[45]  # startcode, startstack, start_brk, arg_start
    except (OSError, IndexError):
        return None


def sample(root, peaks, done):
    """In a process of its own (so that the notebook's client never delays it): every INTERVAL,
    the PSS of root and of every process below it, each address space once. peaks: [kernel, all,
    samples, longest gap (ms), gaps over 100 ms], shared with the bench."""
    try:
        os.nice(-10)  # root only: on a busy machine, the sampler still gets the CPU in time
    except OSError:
        pass
    kernel = None  # the notebook's JVM: the launcher's child that runs jjava.jar
    last = time.monotonic()
    while not done.is_set():
        if kernel is None:
            kernel = next((k for k in children(root) if is_kernel(cmdline(k))), None)
        own = pss(kernel) if kernel else 0
        total = 0
        seen = set()
        todo = [root]
        while todo:
            pid = todo.pop()
            todo.extend(children(pid))
            mm = address_space(pid)
            if mm is None or mm in seen:
                continue
            seen.add(mm)
            total += pss(pid)
        now = time.monotonic()
        gap = (now - last) * 1000
        with peaks.get_lock():
            peaks[0] = max(peaks[0], own)
            peaks[1] = max(peaks[1], total)
            peaks[2] += 1
            peaks[3] = max(peaks[3], gap)
            peaks[4] += gap > 100
        last = now
        done.wait(max(0.0, INTERVAL - (time.monotonic() - now)))


class Sampler:
    """Samples the PSS of a process and of its descendants until stopped; keeps the peaks."""

    def __init__(self, pid):
        self.peaks = multiprocessing.Array("d", 5)
        self.done = multiprocessing.Event()
        self.proc = multiprocessing.Process(target=sample, args=(pid, self.peaks, self.done), daemon=True)

    def start(self):
        self.proc.start()

    def stop(self):
        self.done.set()
        self.proc.join()
        self.kernel, self.all, self.samples, self.longest_gap, self.late = self.peaks[:]


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
    return sampler.kernel, sampler.all, peak, time.monotonic() - started, errors, (sampler.longest_gap, sampler.late, sampler.samples)


def main():
    if not JAR.is_file():
        print(f"bench_memory: {JAR.relative_to(ROOT)} is missing: run make setup", file=sys.stderr)
        return 1
    processes.become_subreaper()
    kernel = every = echo = 0
    gap, late, samples = 0.0, 0, 0
    failed = []
    only = [n.strip() for n in os.environ.get("MEMORY_NOTEBOOKS", "").split(",") if n.strip()]
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        if only and path.name[:2] not in only:
            continue
        k, a, cg, took, errors, (longest, over, count) = run(path)
        kernel, every, gap = max(kernel, k), max(every, a), max(gap, longest)
        late, samples = late + over, samples + count
        if path.name.startswith(ECHO):
            echo = max(echo, a)
        if errors:
            failed.append(path.name)
        cg_text = f", its cgroup's peak {cg / MIB:.0f} MiB (with page cache)" if cg is not None else ""
        print(f"bench_memory: {path.name}: notebook's JVM {k / MIB:.0f} MiB, with its descendants {a / MIB:.0f} MiB"
              f"{cg_text}, {took:.0f} s{f', {errors} error output(s)' if errors else ''}", file=sys.stderr)
    processes.reap_zombie_children()
    print(f"bench_memory: {samples:.0f} samples; longest gap between two {gap:.0f} ms;"
          f" {late:.0f} gaps over 100 ms", file=sys.stderr)
    print(f"course_peak_rss_mb kernel={kernel / MIB:.0f} all={every / MIB:.0f}")
    print(f"echo_peak_rss_mb all={echo / MIB:.0f}")
    if failed:
        print(f"bench_memory: error outputs in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
