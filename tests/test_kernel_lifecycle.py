"""A notebook cell is not a terminal: interrupts, restarts of the notebook's kernel (JJava) and
kill -9 of the notebook's JVM must leave no child process behind, and no FIFO, socket file or
/dev/shm file for longer than until the next notebook JVM loads the course's extension. These run
the real JJava kernel and read the real process table and file system."""
import os
import signal
import time

import pytest
import kernel_ports
from kernel_ports import start_new_kernel

import processes
from conftest import NOTEBOOKS

SETUP = "%classpath ../lib/target/ipclab.jar"


def run(client, code, timeout=60):
    """Executes code; returns (status, text of stdout/results, error value)."""
    msg_id = client.execute(code)
    text, error = [], None
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            text.append(content["text"])
        elif kind == "execute_result":
            text.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            error = content["evalue"]
        elif kind == "status" and content["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"], "".join(text), error


@pytest.fixture
def kernel():
    km, client = start_new_kernel(kernel_name="java", cwd=NOTEBOOKS, startup_timeout=120)
    try:
        status, _, error = run(client, SETUP)
        assert status == "ok", error
        yield km, client
    finally:
        client.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def test_the_notebooks_kernel_listens_on_ports_outside_the_range_for_port_0(kernel):
    """tools/kernel_ports.py: no port-0 bind or connect() of another test can take a port of the
    notebook's kernel (JJava) between jupyter_client's choice and the JVM's bind."""
    km, client = kernel
    first, last = kernel_ports.ephemeral_range()
    assert len(set(km.ports)) == 5, km.ports
    assert all(p >= kernel_ports.LOWEST and not first <= p <= last for p in km.ports), (km.ports, first, last)
    status, text, error = run(client, "1 + 1")
    assert status == "ok" and "2" in text, error


def spawn_sleeper(client):
    status, text, error = run(client, 'var s = ChildProcess.builder().main(Sleep.class, "600000").start(); s.pid()')
    assert status == "ok", error
    pid = int(text.strip())
    assert processes.read(pid)[2] != "Z"
    return pid


def gone(pid):
    p = processes.read(pid)
    return p is None or p[2] == "Z"


def test_interrupting_a_waiting_cell_kills_its_child(kernel):
    km, client = kernel
    msg_id = client.execute('%%fork --timeout 600\nif (pid == 0) Thread.sleep(600_000);')
    child = processes.wait_until(
        lambda: [p for p in processes.course_children(km.provisioner.pid) if "ipclab.child.ChildMain --fork" in p[3]], 30)
    assert child, "the %%fork child never started"
    km.interrupt_kernel()
    deadline = time.monotonic() + 30
    while True:
        msg = client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "error":
            error = msg["content"]["evalue"]
            break
        assert time.monotonic() < deadline, "the interrupted cell never ended"
    assert "interrupted" in error, error
    assert processes.wait_until(lambda: gone(child[0][0]), 2), f"child {child[0][0]} survived the interrupt"


def test_kernel_restart_leaves_no_child(kernel):
    km, client = kernel
    pid = spawn_sleeper(client)
    km.restart_kernel(now=False)
    assert processes.wait_until(lambda: gone(pid), 5), f"child {pid} outlived the restart of the notebook's kernel (JJava)"


def test_kill_9_of_the_kernel_ends_its_children_within_2_s(kernel):
    km, client = kernel
    pid = spawn_sleeper(client)
    kernel_jvm = processes.read(pid)[1]                # the child's parent: the kernel's JVM
    os.kill(kernel_jvm, signal.SIGKILL)
    started = time.monotonic()
    assert processes.wait_until(lambda: gone(pid), 2), f"child {pid} outlived kill -9 of the notebook's JVM"
    print(f"child gone {1000 * (time.monotonic() - started):.0f} ms after kill -9")
    processes.reap_zombie_children()


# Files on disk: a FIFO (notebook 09), a socket directory with a listening socket in it
# (notebook 12) and a shared counter in /dev/shm (notebook 11), none closed by a clean-up cell.
MAKE_FILES = """
var leftFifo = Fifo.mkfifo();
var leftDir = SocketDir.create();
var leftServer = UnixServer.bind(leftDir.resolve("echo.sock"));
var leftCounter = SharedCounter.create();
System.out.println(ProcessHandle.current().pid() + " " + leftFifo.path() + " " + leftDir.resolve("echo.sock") + " " + leftCounter.path());
"""


def make_files(client):
    status, text, error = run(client, MAKE_FILES)
    assert status == "ok", error
    words = text.split()
    jvm, paths = int(words[0]), words[1:]
    assert all(os.path.lexists(p) for p in paths), paths
    return jvm, paths


def files_gone(paths):
    """The FIFO and the socket file with their directories, and the shared counter's file."""
    names = paths + [os.path.dirname(p) for p in paths if os.path.basename(p) in ("fifo", "echo.sock")]
    return not any(os.path.lexists(n) for n in names)


def test_kernel_restart_removes_the_files_the_notebook_left(kernel):
    km, client = kernel
    _, paths = make_files(client)
    started = time.monotonic()
    km.restart_kernel(now=False)             # a shutdown request, then SIGTERM: the JVM's shutdown hooks run
    assert processes.wait_until(lambda: files_gone(paths), 10), \
        f"left on disk after the restart of the Jupyter kernel: {[p for p in paths if os.path.lexists(p)]}"
    print(f"files gone {1000 * (time.monotonic() - started):.0f} ms after the restart was asked for")


def test_kill_9_leaves_the_files_until_the_next_kernel_loads_the_extension(kernel):
    km, client = kernel
    jvm, paths = make_files(client)
    os.kill(jvm, signal.SIGKILL)             # no shutdown hook runs
    assert processes.wait_until(lambda: gone(jvm), 10), f"the notebook's JVM {jvm} outlived kill -9"
    processes.reap_zombie_children()
    assert all(os.path.lexists(p) for p in paths), "files vanished without a shutdown hook"
    km2, client2 = start_new_kernel(kernel_name="java", cwd=NOTEBOOKS, startup_timeout=120)
    try:
        started = time.monotonic()
        status, _, error = run(client2, SETUP)   # loads ipclab.jar: the extension sweeps
        assert status == "ok", error
        assert files_gone(paths), f"left after the next kernel loaded the extension: {[p for p in paths if os.path.lexists(p)]}"
        print(f"swept by the next notebook JVM's extension, {1000 * (time.monotonic() - started):.0f} ms after %classpath was sent")
    finally:
        client2.stop_channels()
        km2.shutdown_kernel(now=True)
