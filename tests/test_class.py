"""A class on one machine: a real JupyterHub, eight learners, each a Unix user of their own.

As root (CI runs as root), the test
  * creates the learners with useradd (names `ipcl-<pid>-<n>`), each with a home folder (mode
    700) holding their own copy of the course: notebooks/ and lib/target/ipclab.jar, so that
    each notebook's `%classpath ../lib/target/ipclab.jar` works from their copy;
  * starts JupyterHub (pinned in requirements.txt) on 127.0.0.1 with configurable-http-proxy
    (pinned in tools/class/package-lock.json), the shared-password authenticator and the local
    process spawner, so that each learner's server, notebook JVMs and child processes run as
    that learner;
  * lets each learner log in through the Hub's REST API (a token for name and password), start
    their server, and run 02-pipe1, 07-echo-store-server and 08-echo-server-robust through
    their own server's REST API (sessions) and the Jupyter kernel's WebSocket
    (`execute_request` per code cell), starts staggered; all eight notebook JVMs are running
    at once at some point;
  * checks each notebook's key outputs (notebooks/NN-x.expect), that no cell ended in an
    error, that learner A's notebook JVM runs as A and cannot read B's files, and that once a
    learner's server is stopped no process of theirs is left;
  * removes the learners (userdel -r), the Hub and what it started, and prints the peak memory
    of the whole class (Hub, proxy, servers, notebook JVMs and their children: one memory
    cgroup) and the run time:  class_peak_mb=... learners=8 seconds=...

The learners' servers run the project's virtual environment. Where other users cannot read it
or its Python (a venv under /root, or a Python built under /root/.pyenv: /root is mode 700),
the test makes a copy that they can read under /opt/ipcl-class-<pid>/ (hard links where the
file system allows: no bytes copied) and starts the learners' servers from it. Whatever a run leaves after being killed
(users, processes, that copy, the cgroup) the next run removes first.

IPCLAB_CLASS_LEARNERS=N changes the number of learners (8 by default).
"""
import datetime
import glob
import itertools
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT
import notebook_runs
import processes

LEARNERS = int(os.environ.get("IPCLAB_CLASS_LEARNERS", "8"))
RUN = ["02-pipe1.ipynb", "07-echo-store-server.ipynb", "08-echo-server-robust.ipynb"]
PREFIX = "ipcl-"                       # learners: ipcl-<pid of this test>-<n>
RUNTIME_PREFIX = "/opt/ipcl-class-"    # the copy of the venv the learners' servers run
CGROUP_ROOT = "/sys/fs/cgroup/memory"  # cgroup v1: these machines' memory controller
CGROUP_PREFIX = "ipcl-class-"
HUB_PREFIX = "ipcl-hub-"               # the Hub's folder under /tmp: ipcl-hub-<pid>-<random>
PROXY = os.path.join(ROOT, "tools", "class", "node_modules", ".bin", "configurable-http-proxy")
STAGGER = 4.0          # seconds between two learners' logins
SPAWN_TIMEOUT = 240    # a learner's server ready (8 servers starting on 2 cores)
FIRST_START_TIMEOUT = 120  # a notebook's JVM answering, before the learner starts it anew
CELL_TIMEOUT = 300     # one cell, on a machine loaded by the whole class
REQUEST_TIMEOUT = 180  # one HTTP request or WebSocket handshake (a session starts a notebook's JVM)
PASSWORD = secrets.token_urlsafe(12)

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"),
                                reason="the class test creates Unix users: it runs as root on Linux (as CI does)")


def say(text):
    print(f"class: {text}", flush=True)


def server_ports():
    """The first of 500 ports for the learners' servers: below the OS kernel's range for port 0,
    at an offset of this run's own so that two runs on one machine rarely look at the same."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    low = max(low, 12000)
    return low - 10000 + (os.getpid() % 18) * 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def uid_processes(uid):
    """Live processes (not zombies) whose real uid is uid: [(pid, command)]."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        real = int(re.search(r"^Uid:\s+(\d+)", status, re.M)[1])
        state = re.search(r"^State:\s+(\S)", status, re.M)[1]
        if real == uid and state != "Z":
            p = processes.read(int(pid))
            found.append((int(pid), p[3][:120] if p else "?"))
    return found


def kill_user(name):
    """Every process of a learner, killed; True when none is left within 20 s."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return True
    for _ in range(3):
        subprocess.run(["pkill", "-KILL", "-u", str(uid)], check=False)
        if processes.wait_until(lambda: not uid_processes(uid), 7):
            return True
    return not uid_processes(uid)


SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def remove_users(names):
    """Learners gone: processes, home folders, and what they left in the shared folders (the
    JVM's /tmp/hsperfdata_<name>, files of their own), which userdel -r does not remove."""
    uids = []
    for name in names:
        kill_user(name)
        try:
            uids.append(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    if uids:
        owned = [arg for uid in uids for arg in ("-o", "-user", str(uid))][1:]
        tops = [top for top in SHARED_DIRS if os.path.isdir(top)]
        subprocess.run(["find", *tops, "-xdev", "-mindepth", "1", "(", *owned, ")", "-delete"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    for name in names:
        subprocess.run(["userdel", "-r", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(f"/tmp/hsperfdata_{name}", ignore_errors=True)


def left_in_shared_dirs(names):
    return [os.path.join(top, f) for top in SHARED_DIRS if os.path.isdir(top)
            for f in os.listdir(top) if any(n in f for n in names)]


def remove_cgroup(path):
    if not os.path.isdir(path):
        return
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            for pid in f.read().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    except OSError:
        pass
    processes.wait_until(lambda: not open(os.path.join(path, "cgroup.procs")).read().strip(), 10)
    try:
        os.rmdir(path)
    except OSError:
        pass


def remove_leftovers():
    """What a killed run left (its test process is gone): learners, the venv copy, the cgroup."""
    for entry in pwd.getpwall():
        m = re.fullmatch(rf"{PREFIX}(\d+)-\d+", entry.pw_name)
        if m and not alive(int(m[1])):
            say(f"removing {entry.pw_name}, left by an earlier run")
            remove_users([entry.pw_name])
    for name in os.listdir("/tmp"):  # a learner's JVM data, should the user be gone already
        m = re.fullmatch(rf"hsperfdata_{PREFIX}(\d+)-\d+", name)
        if m and not alive(int(m[1])):
            shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)
    parent = os.path.dirname(RUNTIME_PREFIX)
    for name in os.listdir(parent) if os.path.isdir(parent) else []:
        m = re.fullmatch(rf"{os.path.basename(RUNTIME_PREFIX)}(\d+)", name)
        if m and not alive(int(m[1])):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.fullmatch(rf"{HUB_PREFIX}(\d+)-\w+", name)
        if m and not alive(int(m[1])):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
    # The Hub and its proxy of a killed run are in its cgroup: removing the cgroup stops them.
    for name in os.listdir(CGROUP_ROOT) if os.path.isdir(CGROUP_ROOT) else []:
        m = re.fullmatch(rf"{CGROUP_PREFIX}(\d+)", name)
        if m and not alive(int(m[1])):
            remove_cgroup(os.path.join(CGROUP_ROOT, name))


def link_copy(source, target, leave_out=()):
    """A copy of a tree: hard links where the file system allows (fast, no bytes copied),
    otherwise a real copy. Files are later replaced, never written to, in the copy. leave_out:
    folders (relative to source) not needed."""
    skip = {os.path.join(source, p) for p in leave_out}

    def ignore(folder, names):
        return [n for n in names if os.path.join(folder, n) in skip]

    try:
        shutil.copytree(source, target, symlinks=True, ignore=ignore, copy_function=os.link)
    except (OSError, shutil.Error):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=True, ignore=ignore)


def replace(path, text=None, link=None):
    """Put a new file (or symlink) at path: the copy's hard link to the original is dropped
    first, so the original is never changed."""
    if os.path.lexists(path):
        os.unlink(path)
    if link is not None:
        os.symlink(link, path)
    else:
        with open(path, "w") as f:
            f.write(text)


def reachable(path):
    """Can any user read path: every folder on the way open to others (o+x), path o+r."""
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for i in range(2, len(parts) + 1):
        if not os.stat(os.sep.join(parts[:i]) or os.sep).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def learners_runtime(top):
    """This Python and the project's venv, where any user can read them: as they are if they
    are, else a copy under top. Returns (its python, the folders for PATH, the base Python's
    library folder)."""
    base, venv = sys.base_prefix, os.path.realpath(sys.prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base_ok = reachable(base) and reachable(os.path.realpath(os.path.join(venv, "bin", "python")))
    if not (base_ok and reachable(venv)):
        os.makedirs(top, mode=0o755)
        os.chmod(top, 0o755)
        link_copy(venv, os.path.join(top, "venv"))
        if not base_ok:
            # The venv does not see the base Python's own site-packages; nor are its tests needed.
            link_copy(base, os.path.join(top, "python"), [f"lib/{version}/site-packages", f"lib/{version}/test"])
            base = os.path.join(top, "python")
            real_python = os.path.join(base, "bin", version)
            assert os.path.exists(real_python), f"no {version} in {sys.base_prefix}/bin"
            cfg = os.path.join(top, "venv", "pyvenv.cfg")
            with open(cfg) as f:
                text = f.read()
            replace(cfg, re.sub(r"^home = .*$", f"home = {os.path.join(base, 'bin')}", text, flags=re.M))
            for name in ("python", "python3", version):
                replace(os.path.join(top, "venv", "bin", name), link=real_python)
        venv = os.path.join(top, "venv")
    java = shutil.which("java")
    assert java, "no java on PATH"
    assert reachable(java), f"{java} cannot be run by other users"
    path = [os.path.join(venv, "bin"), os.path.dirname(os.path.realpath(java)), "/usr/local/bin", "/usr/bin", "/bin"]
    return os.path.join(venv, "bin", "python"), path, os.path.join(base, "lib")


def create_learner(name):
    os.makedirs("/home", exist_ok=True)
    subprocess.run(["useradd", "--create-home", "--home-dir", f"/home/{name}", "--shell", "/bin/bash",
                    "--user-group", "--comment", "ipclab class test learner", name], check=True)
    entry = pwd.getpwnam(name)
    home = entry.pw_dir
    os.chmod(home, 0o700)
    # Their own copy of the course, as a teacher hands it out: notebooks/ and the library jar.
    shutil.copytree(NOTEBOOKS, os.path.join(home, "notebooks"),
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    os.makedirs(os.path.join(home, "lib", "target"))
    shutil.copy(os.path.join(ROOT, "lib", "target", "ipclab.jar"), os.path.join(home, "lib", "target"))
    subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", home], check=True)
    return entry


def hub_config(folder, ports, python, path, libdir, token, pythonpath):
    return f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {ports['public']}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports['hub']}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports['proxy_api']}"
c.ConfigurableHTTPProxy.command = [{PROXY!r}]
c.ConfigurableHTTPProxy.pid_file = {os.path.join(folder, 'proxy.pid')!r}
c.JupyterHub.db_url = "sqlite:///{os.path.join(folder, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = {os.path.join(folder, 'cookie_secret')!r}
c.JupyterHub.pid_file = {os.path.join(folder, 'jupyterhub.pid')!r}
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
c.Authenticator.allowed_users = set({json.dumps(list(ports['learners']))})
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
# Notebook JVMs on ports no connection of the class can take first (tools/kernel_ports.py).
c.Spawner.args = ["--AsyncMappingKernelManager.kernel_manager_class=kernel_ports.ServerKernelManager"]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = {SPAWN_TIMEOUT}
c.Spawner.http_timeout = {SPAWN_TIMEOUT}
c.Spawner.environment = {{
    "PATH": {':'.join(path)!r},
    "LD_LIBRARY_PATH": {libdir!r},
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYTHONPATH": {pythonpath!r},
}}
# Each learner's server gets a port below the range the OS kernel hands out for port 0
# (ip_local_port_range): a port picked from that range and released (JupyterHub's default) can
# be taken meanwhile by a connection or a notebook's JVM, and the server then cannot start.
import socket
_given = set()
def _server_port(spawner):
    for port in range({ports['servers']}, {ports['servers']} + 500):
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        spawner.port = port
        return
    raise RuntimeError("no free port for a learner's server")
c.Spawner.pre_spawn_hook = _server_port
c.JupyterHub.last_activity_interval = 3600
c.JupyterHub.services = [{{"name": "class-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "class-test", "services": ["class-test"],
                             "scopes": ["admin:users", "admin:servers", "list:users"]}}]
"""


class Memory:
    """The class's memory: the cgroup's own peak (cgroup v1 memory.max_usage_in_bytes: what
    the OS kernel charged to the Hub and everything it started, page cache included) and the
    largest sum of resident set sizes of its processes, sampled every 100 ms."""

    def __init__(self, cgroup):
        self.cgroup, self.rss_peak, self.stopped = cgroup, 0, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def pids(self):
        try:
            with open(os.path.join(self.cgroup, "cgroup.procs")) as f:
                return [int(p) for p in f.read().split()]
        except OSError:
            return []

    def sample(self):
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stopped.wait(0.1):
            total = 0
            for pid in self.pids():
                try:
                    with open(f"/proc/{pid}/statm") as f:
                        total += int(f.read().split()[1]) * page
                except (OSError, IndexError, ValueError):
                    pass
            self.rss_peak = max(self.rss_peak, total)

    def peak(self):
        try:
            with open(os.path.join(self.cgroup, "memory.max_usage_in_bytes")) as f:
                return int(f.read())
        except OSError:
            return None


class Kernel:
    """A notebook's kernel (JJava) reached the way JupyterLab reaches it: a session through the
    learner's server's REST API, then the kernel's WebSocket (channels)."""

    def __init__(self, learner, notebook):
        import websocket

        self.learner = learner
        model = learner.server("POST", "api/sessions", {
            "path": f"notebooks/{notebook}", "name": notebook, "type": "notebook", "kernel": {"name": "java"}})
        self.session_id, self.kernel_id = model["id"], model["kernel"]["id"]
        self.session = uuid.uuid4().hex
        self.restarts = 0
        self.connect()

    def connect(self):
        import websocket

        url = (self.learner.base.replace("http://", "ws://")
               + f"user/{self.learner.name}/api/kernels/{self.kernel_id}/channels?session_id={self.session}")
        # The handshake goes through the proxy and the learner's server to a JVM still starting,
        # on a machine the whole class loads: a generous bound, then short reads.
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {self.learner.token}"],
                                              timeout=REQUEST_TIMEOUT)
        self.ws.settimeout(10)

    def send(self, msg_type, content, channel="shell"):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": self.learner.name,
                       "version": "5.3", "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def replies(self, msg_id, deadline):
        """The messages answering msg_id until the kernel is idle again and has replied."""
        import websocket

        idle = replied = False
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise TimeoutError
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind.endswith("_reply"):
                replied = True
            yield msg

    def ready(self, timeout=SPAWN_TIMEOUT):
        """Waits until the notebook's JVM answers. A JVM that dies while starting (one of its
        ZeroMQ ports taken by another process first: JJava fails with "Address already in use";
        see tools/kernel_ports.py) is restarted by the learner's server, and the WebSocket
        closes. JupyterLab reconnects then; so does this, before any cell has run."""
        import websocket

        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.ws is None:
                    self.connect()
                msg_id = self.send("kernel_info_request", {})
                for _ in self.replies(msg_id, min(deadline, time.monotonic() + 5)):
                    pass
                return
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the notebook's JVM did not answer kernel_info within {timeout} s")
            except (websocket.WebSocketException, ConnectionError) as e:
                if self.restarts >= 5 or time.monotonic() > deadline:
                    raise
                self.restarts += 1
                say(f"class: {self.learner.name}: the WebSocket closed before the notebook's JVM answered "
                    f"({type(e).__name__}); reconnecting to the restarted Jupyter kernel")
                self.ws = None

    def execute(self, code, timeout=CELL_TIMEOUT):
        """A code cell's outputs, as nbformat outputs."""
        outputs = []
        msg_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        for msg in self.replies(msg_id, time.monotonic() + timeout):
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                outputs.append(nbformat.v4.new_output("stream", name=content["name"], text=content["text"]))
            elif kind in ("execute_result", "display_data"):
                extra = {"execution_count": content.get("execution_count")} if kind == "execute_result" else {}
                outputs.append(nbformat.v4.new_output(kind, data=content.get("data", {}), **extra))
            elif kind == "error":
                outputs.append(nbformat.v4.new_output("error", ename=content.get("ename", ""),
                                                      evalue=content.get("evalue", ""),
                                                      traceback=content.get("traceback", [])))
        return outputs

    def close(self):
        try:
            if self.ws is not None:
                self.ws.close()
        finally:
            self.learner.server("DELETE", f"api/sessions/{self.session_id}")


class Learner:
    def __init__(self, name, uid, base, others):
        self.name, self.uid, self.base, self.others = name, uid, base, others
        self.token = None
        self.problems, self.timings, self.intervals = [], {}, []

    def request(self, method, url, body=None, token=True, ok=(200, 201, 202, 204)):
        import requests

        headers = {"Authorization": f"token {self.token}"} if token else {}
        r = requests.request(method, self.base + url, json=body, headers=headers, timeout=REQUEST_TIMEOUT)
        if r.status_code not in ok:
            raise AssertionError(f"{method} /{url}: HTTP {r.status_code} {r.text[:300]}")
        return r.json() if r.content and r.headers.get("Content-Type", "").startswith("application/json") else None

    def hub(self, method, url, body=None, **kw):
        return self.request(method, f"hub/api/{url}", body, **kw)

    def server(self, method, url, body=None, **kw):
        return self.request(method, f"user/{self.name}/{url}", body, **kw)

    def login(self):
        """A token for name and password, through the Hub's REST API, as a script would log in."""
        self.hub("POST", f"users/{self.name}/tokens", {"auth": {"username": self.name, "password": "wrong-" + PASSWORD}},
                 token=False, ok=(403,))
        self.token = self.hub("POST", f"users/{self.name}/tokens",
                              {"auth": {"username": self.name, "password": PASSWORD}, "note": "class test",
                               "expires_in": 3600}, token=False)["token"]

    def start_server(self):
        started = time.monotonic()
        self.hub("POST", f"users/{self.name}/server")
        while True:
            model = self.hub("GET", f"users/{self.name}")
            if model["servers"].get("", {}).get("ready"):
                break
            if time.monotonic() - started > SPAWN_TIMEOUT:
                raise AssertionError(f"server not ready within {SPAWN_TIMEOUT} s: {model['servers']}")
            time.sleep(1)
        self.timings["server"] = time.monotonic() - started
        listing = self.server("GET", "api/contents/notebooks")
        names = {item["name"] for item in listing["content"]}
        missing = [n for n in RUN if n not in names]
        assert not missing, f"the course is not in their home folder: no {missing}"

    def run(self, notebook, barrier=None):
        nb = nbformat.read(os.path.join(NOTEBOOKS, notebook), as_version=4)
        started = time.monotonic()
        kernel = self.answering_kernel(notebook)
        try:
            if barrier is not None:
                barrier.wait(timeout=SPAWN_TIMEOUT * 2)
            begun = time.time()
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    cell.outputs = kernel.execute(cell.source)
                except TimeoutError:
                    self.problems.append(f"{notebook} {notebook_runs.where(index, cell)}: no reply within {CELL_TIMEOUT} s")
                    break
                for err in notebook_runs.errors_of(cell):
                    self.problems.append(f"{notebook} {notebook_runs.where(index, cell)}: {err}")
            if notebook == RUN[0]:
                self.check_isolation(kernel)
            self.intervals.append((begun, time.time()))
        finally:
            try:
                kernel.close()
            except Exception as e:  # noted, not raised: an error above is the one to see first
                self.problems.append(f"{notebook}: {type(e).__name__} on closing its session: {e}")
        self.timings[notebook] = time.monotonic() - started
        tagged = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
        for tag, pattern in notebook_runs.expectations(notebook).items():
            if tag in tagged and not re.search(pattern, notebook_runs.text_of(tagged[tag]), re.M | re.S):
                self.problems.append(f"{notebook} [{tag}]: key output does not match /{pattern}/:\n"
                                     f"{notebook_runs.text_of(tagged[tag])}")

    def answering_kernel(self, notebook):
        """A session whose notebook JVM answers, before any cell runs. A JVM that cannot bind one
        of its ports dies (and the learner's server restarts it on the same ports, up to five
        times) or stays up without answering: a learner sees a kernel that stays "starting" or
        dies, shuts it down and opens the notebook's kernel anew, which gets new ports. So does
        this, once, and says so; a second failure is the learner's problem."""
        import websocket

        kernel = Kernel(self, notebook)
        try:
            kernel.ready(timeout=FIRST_START_TIMEOUT)
            return kernel
        except (TimeoutError, websocket.WebSocketException, ConnectionError) as e:
            say(f"{self.name}: {notebook}: the notebook's JVM did not answer ({type(e).__name__}: {e}); "
                f"shutting it down and starting a new one, as the learner would")
            try:
                kernel.close()
            except Exception as closing:  # a kernel that died has no session left to delete
                say(f"{self.name}: {notebook}: closing the first session: {closing}")
        kernel = Kernel(self, notebook)
        try:
            kernel.ready()
        except Exception:
            try:
                kernel.close()
            except Exception:
                pass
            raise
        return kernel

    def check_isolation(self, kernel):
        """In this learner's notebook JVM: who it runs as, and another learner's course copy."""
        other = self.others[0]
        code = f"""
System.out.println("user.name=" + System.getProperty("user.name"));
try {{
    java.nio.file.Files.readString(java.nio.file.Path.of("/home/{other}/notebooks/02-pipe1.expect"));
    System.out.println("read {other}'s file");
}} catch (java.io.IOException e) {{
    System.out.println("refused: " + e.getClass().getSimpleName());
}}"""
        text = "".join(o.get("text", "") for o in kernel.execute(code))
        if f"user.name={self.name}\n" not in text:
            self.problems.append(f"the notebook's JVM does not run as {self.name}: {text!r}")
        if "refused: AccessDeniedException" not in text:
            self.problems.append(f"{self.name} could read /home/{other}: {text!r}")

    def stop_server(self):
        self.hub("DELETE", f"users/{self.name}/server")
        deadline = time.monotonic() + 120
        while self.hub("GET", f"users/{self.name}")["servers"] and time.monotonic() < deadline:
            time.sleep(1)
        # Once their server has stopped, nothing of theirs may still run.
        if not processes.wait_until(lambda: not uid_processes(self.uid), 30):
            self.problems.append(f"left running after their server stopped: {uid_processes(self.uid)}")

    def lesson(self, delay, barrier):
        try:
            time.sleep(delay)
            self.login()
            self.start_server()
            for i, notebook in enumerate(RUN):
                self.run(notebook, barrier if i == 0 else None)
            self.stop_server()
        except Exception as e:  # one line per learner: what went wrong where
            if barrier is not None:
                barrier.abort()
            self.problems.append(f"{type(e).__name__}: {e}")


HUB_LOG_SIGNS = re.compile(r"died|[Rr]estart|Address already in use|Exception in thread|hs_err|"
                           r"fatal error|OutOfMemory|Killed|culled|Timeout waiting")


def what_went_wrong(names, log_path, limit=40):
    """For a failed class: the lines of the Hub's log (it holds the learners' servers' and their
    notebook JVMs' output) that tell of a notebook JVM that died, restarted or could not bind,
    and the start of any JVM crash report (hs_err_pid*.log) in a learner's home."""
    lines = []
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = [line.rstrip() for line in f if HUB_LOG_SIGNS.search(line)]
    except OSError:
        pass
    found = [f"class-hub.log: {line[:300]}" for line in lines[-limit:]]
    for name in names:
        for report in glob.glob(f"/home/{name}/**/hs_err_pid*.log", recursive=True):
            with open(report, errors="replace") as f:
                found.append(f"{report}:\n" + "".join(f.readlines()[:25]))
    return found


def most_at_once(intervals):
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    return max(itertools.accumulate(step for _, step in events), default=0)


def test_a_class_of_learners_on_one_jupyterhub():
    assert os.path.exists(PROXY), "no configurable-http-proxy: run tools/prereqs.sh test (npm ci in tools/class)"
    assert os.path.exists(os.path.join(ROOT, "lib", "target", "ipclab.jar")), "no lib/target/ipclab.jar: make setup"
    remove_leftovers()
    started = time.monotonic()
    pid = os.getpid()
    runtime = f"{RUNTIME_PREFIX}{pid}"
    cgroup = os.path.join(CGROUP_ROOT, f"{CGROUP_PREFIX}{pid}")
    folder = tempfile.mkdtemp(prefix=f"{HUB_PREFIX}{pid}-")  # mode 700: the Hub's database and secrets
    names = [f"{PREFIX}{pid}-{n + 1}" for n in range(LEARNERS)]
    created, hub, memory = [], None, None
    ports = {"public": free_port(), "hub": free_port(), "proxy_api": free_port(), "learners": names,
             "servers": server_ports()}
    try:
        python, path, libdir = learners_runtime(runtime)
        say(f"the learners' Python: {python} ({time.monotonic() - started:.1f} s)")
        pythonpath = os.path.join(runtime, "pythonpath")  # kernel_ports, where every learner reads it
        os.makedirs(pythonpath, mode=0o755)
        os.chmod(runtime, 0o755)
        os.chmod(pythonpath, 0o755)
        shutil.copy(os.path.join(ROOT, "tools", "kernel_ports.py"), pythonpath)
        os.chmod(os.path.join(pythonpath, "kernel_ports.py"), 0o644)
        for name in names:
            created.append(name)
            create_learner(name)
        token = secrets.token_hex(16)
        with open(os.path.join(folder, "jupyterhub_config.py"), "w") as f:
            f.write(hub_config(folder, ports, python, path, libdir, token, pythonpath))
        try:
            os.mkdir(cgroup)
        except OSError as e:
            say(f"no memory cgroup ({e}): the peak is the largest sum of resident sets")
            cgroup = None

        def join_cgroup():
            if cgroup:
                with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))

        env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}",
               "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(16)}
        os.makedirs(os.path.join(ROOT, "test-output"), exist_ok=True)
        log = open(os.path.join(ROOT, "test-output", "class-hub.log"), "wb")
        hub = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "jupyterhub"),
                                "-f", os.path.join(folder, "jupyterhub_config.py")],
                               cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, preexec_fn=join_cgroup)
        memory = Memory(cgroup or "/nonexistent")
        if cgroup:
            memory.thread.start()
        base = f"http://127.0.0.1:{ports['public']}/"
        import requests

        def hub_up():
            try:
                return requests.get(base + "hub/api/", timeout=5).ok
            except requests.RequestException:
                return False

        assert processes.wait_until(lambda: hub.poll() is None and hub_up(), 120), \
            "JupyterHub did not answer within 120 s (test-output/class-hub.log)"
        say(f"JupyterHub on {base} ({time.monotonic() - started:.1f} s)")

        learners = [Learner(n, pwd.getpwnam(n).pw_uid, base, names[i + 1:] + names[:i]) for i, n in enumerate(names)]
        barrier = threading.Barrier(len(learners))
        threads = [threading.Thread(target=l.lesson, args=(i * STAGGER, barrier), daemon=True)
                   for i, l in enumerate(learners)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for l in learners:
            said = ", ".join(f"{k} {v:.0f} s" for k, v in l.timings.items())
            say(f"{l.name}: {'ok' if not l.problems else f'{len(l.problems)} problem(s)'} ({said})")
        problems = [f"{l.name}: {p}" for l in learners for p in l.problems]
        at_once = most_at_once([i for l in learners for i in l.intervals])
        say(f"notebook JVMs running at once, at most: {at_once}")
        clues = what_went_wrong(names, log.name) if problems else []
        assert not problems, "\n".join(problems + ["what the Hub's log and the learners' homes tell:"] + clues)
        assert at_once == LEARNERS, f"at most {at_once} of {LEARNERS} learners' notebooks ran at once"
    finally:
        if hub is not None:
            try:
                os.killpg(hub.pid, signal.SIGTERM)  # the Hub stops the servers and the proxy
            except ProcessLookupError:
                pass
            try:
                hub.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(hub.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            hub.wait()
        if memory is not None:
            memory.stopped.set()
        peak = memory.peak() if memory else None
        left = {n: uid_processes(pwd.getpwnam(n).pw_uid) for n in created if n in {e.pw_name for e in pwd.getpwall()}}
        remove_users(created)
        shutil.rmtree(folder, ignore_errors=True)
        if cgroup:
            remove_cgroup(cgroup)
        subprocess.run(["rm", "-rf", "--one-file-system", runtime], check=False)  # ~40,000 links: faster than rmtree
        took = time.monotonic() - started
        if memory is not None:
            mb = f"{peak / 2**20:.0f}" if peak else "?"
            say(f"class_peak_mb={mb} learners={LEARNERS} seconds={took:.0f} "
                f"(largest sum of resident sets: {memory.rss_peak / 2**20:.0f} MB)")
    # Nothing of the class is left: no learner, no process of theirs, no Hub port, no copy.
    assert not any(v for v in left.values()), f"left running after the Hub stopped: {left}"
    users = [e.pw_name for e in pwd.getpwall() if e.pw_name in names]
    assert not users, f"learners not removed: {users}"
    assert not any(os.path.exists(f"/home/{n}") for n in names), "a learner's home folder is left"
    assert not left_in_shared_dirs(names), f"learners' files left: {left_in_shared_dirs(names)}"
    for port in (ports["public"], ports["hub"], ports["proxy_api"]):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
    assert not os.path.exists(runtime) and not (cgroup and os.path.exists(cgroup))
