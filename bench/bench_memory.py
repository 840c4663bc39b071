"""The memory of one learner running the whole course. Prints exactly:

    course_peak_rss_mb kernel=X all=Y
    echo_peak_rss_mb all=Y

Every notebook runs in course order, top to bottom, each in a notebook's kernel (JJava) of its
own, as tests/notebook_runs.py runs them (one at a time: a learner who keeps several notebooks
open has one notebook's JVM per notebook). MB here is MiB (2^20 bytes).

kernel=: the peak proportional set size (PSS) of the notebook's JVM alone, the JVM that runs the
cells (jjava.jar), sampled every 50 ms by a process of its own (see OneProcess). PSS divides each
page that several processes share (the JDK's files, mapped by every JVM) among them.

all=: the peak of everything the notebook's kernel is: JJava's launcher JVM, the notebook's JVM
it starts, and every process below them (child JVMs, the echo server and its handlers, C
programs, gcc). Where the bench can make a memory cgroup (cgroup v1, as root: these machines
and CI), the kernel starts in a fresh one and all= is its memory.max_usage_in_bytes: the OS
kernel's own record of the peak, with every page counted once, nothing missed between samples.
It counts what its processes use, the OS kernel's memory used on their behalf, and the page
cache of files they were first to read or write (usually a few MiB here: the JDK's files were
read before). Elsewhere all= is the peak of the sum of the PSS of those processes, sampled as
often as reading them allows (reading the PSS of a 300 MiB JVM takes 1 to 30 ms), each address
space once (a child in posix_spawn()'s vfork shares its parent's until it calls exec()).

echo_peak_rss_mb all=: the same peak during the echo-server notebooks (07 and 08), with their
clients (the bundled clients are sockets in the notebook's JVM; the C clients are its children).

On stderr: each notebook's figures (both ways of measuring all=, where the cgroup exists) and how
long it took, and how often the samples came.

Run from the repository root after the jar is built (make bench does both). MEMORY_NOTEBOOKS=02,08
runs only those notebooks."""
import multiprocessing
import os
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
JAR = ROOT / "lib" / "target" / "ipclab.jar"
ECHO = ("07-", "08-")
INTERVAL = 0.05
MIB = 1 << 20
CGROUP_V1 = Path("/sys/fs/cgroup/memory")

sys.path.insert(0, str(ROOT / "tests"))
import notebook_runs  # noqa: E402
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


def fields(path, names):
    """{name: bytes} for the lines `Name: N kB` of a /proc file, or None if the process is gone."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in names:
                    out[name] = int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return out


class OneProcess:
    """The PSS of one JVM, every 50 ms even on a busy machine. Reading its smaps_rollup walks all
    its memory (up to 30 ms for a 300 MiB JVM, more on a busy machine), but a JVM's anonymous
    memory (heap, stacks, code) is its own, so its PSS is RssAnon (in /proc/PID/status, read at
    once) plus the PSS of its file and shared memory pages, which change slowly: those are read
    from smaps_rollup at most once a second."""

    def __init__(self, pid):
        self.pid = pid
        self.shared = 0
        self.read_at = 0.0

    def pss(self):
        now = time.monotonic()
        if now - self.read_at > 1.0:
            rollup = fields(f"/proc/{self.pid}/smaps_rollup", ("Pss_File", "Pss_Shmem"))
            if rollup is None:
                return 0
            self.shared, self.read_at = sum(rollup.values()), now
        status = fields(f"/proc/{self.pid}/status", ("RssAnon",))
        return 0 if not status else status["RssAnon"] + self.shared


def is_kernel(cmdline):
    """The notebook's JVM: `java ... -jar .../jjava.jar CONNECTION_FILE`, not JJava's launcher."""
    return "jjava.jar" in cmdline and "jjava-launcher" not in cmdline


def children(pid):
    """The children of a process, from /proc/PID/task/TID/children."""
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


def tree_pss(root):
    """The sum of the PSS of root and every process below it, each address space once."""
    total, seen, todo = 0, set(), [root]
    while todo:
        pid = todo.pop()
        todo.extend(children(pid))
        mm = address_space(pid)
        if mm is not None and mm not in seen:
            seen.add(mm)
            total += pss(pid)
    return total


def sample(root, whole_tree, peaks, done):
    """Run in a process of its own, so that the notebook's client never delays it. Every
    INTERVAL (or as soon as the last reading ends), the PSS of the notebook's JVM, or of root's
    whole tree. peaks: [peak, samples, longest gap in ms, gaps over 100 ms]."""
    try:
        os.nice(-10)  # root only: on a busy machine, the sampler still gets the CPU in time
    except OSError:
        pass
    kernel = None  # the notebook's JVM: the launcher's child that runs jjava.jar
    last = time.monotonic()
    while not done.is_set():
        if whole_tree:
            value = tree_pss(root)
        else:
            if kernel is None:
                found = next((k for k in children(root) if is_kernel(cmdline(k))), None)
                kernel = OneProcess(found) if found else None
            value = kernel.pss() if kernel else 0
        now = time.monotonic()
        gap = (now - last) * 1000
        with peaks.get_lock():
            peaks[0] = max(peaks[0], value)
            peaks[1] += 1
            peaks[2] = max(peaks[2], gap)
            peaks[3] += gap > 100
        last = now
        done.wait(max(0.0, INTERVAL - (time.monotonic() - now)))


class Sampler:
    """Samples the PSS of the notebook's JVM (or of the kernel's whole tree) until stopped."""

    def __init__(self, pid, whole_tree):
        self.peaks = multiprocessing.Array("d", 4)
        self.done = multiprocessing.Event()
        self.proc = multiprocessing.Process(target=sample, args=(pid, whole_tree, self.peaks, self.done), daemon=True)
        self.proc.start()

    def stop(self):
        self.done.set()
        self.proc.join()
        self.peak, self.samples, self.longest_gap, self.late = self.peaks[:]
        return self


class Cgroup:
    """A fresh cgroup v1 memory cgroup for one notebook's kernel, where the machine allows it."""

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
    """Runs one notebook; returns its figures."""
    nb = nbformat.read(path, as_version=4)
    client = notebook_runs.client_for(nb, path, timeout=300, allow_errors=True, shutdown_kernel="immediate")
    errors = 0
    started = time.monotonic()
    cgroup = Cgroup(path.stem[:2])
    try:
        cgroup.enter()
        try:
            with client.setup_kernel():
                cgroup.leave()
                root = client.km.provisioner.pid
                kernel, tree = Sampler(root, False), Sampler(root, True)
                try:
                    for index, cell in enumerate(nb.cells):
                        if cell.cell_type == "code":
                            client.execute_cell(cell, index)
                            errors += sum(o.output_type == "error" for o in cell.outputs)
                finally:
                    kernel.stop(), tree.stop()
        finally:
            cgroup.leave()
        peak = cgroup.peak()
    finally:
        cgroup.remove()
    return {"kernel": kernel, "tree": tree, "cgroup": peak, "took": time.monotonic() - started, "errors": errors}


def main():
    if not JAR.is_file():
        print(f"bench_memory: {JAR.relative_to(ROOT)} is missing: run make setup", file=sys.stderr)
        return 1
    processes.become_subreaper()
    kernel = every = echo = 0
    samples = {"kernel": [0, 0.0, 0], "tree": [0, 0.0, 0]}
    failed = []
    cgroups = False
    only = [n.strip() for n in os.environ.get("MEMORY_NOTEBOOKS", "").split(",") if n.strip()]
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        if only and path.name[:2] not in only:
            continue
        r = run(path)
        everything = r["cgroup"] if r["cgroup"] is not None else r["tree"].peak
        cgroups = r["cgroup"] is not None
        kernel, every = max(kernel, r["kernel"].peak), max(every, everything)
        if path.name.startswith(ECHO):
            echo = max(echo, everything)
        for name in samples:
            s = r[name]
            samples[name] = [samples[name][0] + s.samples, max(samples[name][1], s.longest_gap), samples[name][2] + s.late]
        if r["errors"]:
            failed.append(path.name)
        cg = f"its cgroup's peak {r['cgroup'] / MIB:.0f} MiB, " if r["cgroup"] is not None else ""
        print(f"bench_memory: {path.name}: notebook's JVM {r['kernel'].peak / MIB:.0f} MiB (PSS); with everything below the"
              f" kernel's launcher: {cg}sampled PSS {r['tree'].peak / MIB:.0f} MiB; {r['took']:.0f} s"
              + (f", {r['errors']} error output(s)" if r["errors"] else ""),
              file=sys.stderr)
    processes.reap_zombie_children()
    for name, what in (("kernel", "the notebook's JVM"), ("tree", "the whole tree")):
        n, gap, late = samples[name]
        print(f"bench_memory: samples of {what}: {n:.0f}; longest gap between two {gap:.0f} ms; {late:.0f} gaps over 100 ms",
              file=sys.stderr)
    print("bench_memory: all= is " + ("the peak of each notebook's memory cgroup" if cgroups
                                      else "the sampled PSS (no memory cgroup could be made here)"), file=sys.stderr)
    print(f"course_peak_rss_mb kernel={kernel / MIB:.0f} all={every / MIB:.0f}")
    print(f"echo_peak_rss_mb all={echo / MIB:.0f}")
    if failed:
        print(f"bench_memory: error outputs in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
