"""The notebook's kernel (JJava) started on ports that no connection can take first.

jupyter_client picks a kernel's five ZeroMQ ports by binding port 0 and closing the socket, and
writes them into the connection file; the kernel's JVM binds them a second or more later (longer
on a loaded machine). Port 0 and every outgoing connect() draw from the same range
(/proc/sys/net/ipv4/ip_local_port_range), so while the tests run echo servers and hundreds of
clients beside the kernel's start, one of those ports can be taken in between. JJava's main
thread then fails with "Address already in use" while its heartbeat thread keeps the JVM alive:
the kernel never answers, and the client gives up after its startup timeout.

The managers here choose the ports outside that range instead (from 10000 up to it, and above
it), where no port-0 bind and no connect() ever lands: "quiet ports", chosen at random and
checked free. The nteract runtime does the same (nteract/nteract#2276). Used by every place in `make test` and `make bench` that starts the
kernel: the notebook runs, the site's build, nbgrader's autograde, the browser's JupyterLab and
the class's JupyterHub learners' servers. A Jupyter server for many learners on one host can use
it the same way (docs/teaching.md).

    from kernel_ports import KernelManager, AsyncKernelManager
    NotebookClient(nb, kernel_name="java", kernel_manager_class=AsyncKernelManager, ...)
    nbgrader autograde  + kernel_ports.nbgrader_autograde_option(), tools/ on PYTHONPATH
    jupyter lab --AsyncMappingKernelManager.kernel_manager_class=kernel_ports.ServerKernelManager
"""
import os
import random
import socket

import jupyter_client

PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")
LOWEST = 10000  # below this, ports that well-known services may hold


def ephemeral_range():
    """The range the OS kernel hands out ports from for port 0 and for connect(): (first, last)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            first, last = (int(v) for v in f.read().split()[:2])
            return first, last
    except (OSError, ValueError):
        return 32768, 60999


def quiet_ports(ip="127.0.0.1", count=len(PORT_NAMES)):
    """count distinct ports outside the ephemeral range (below it, or above it where a machine's
    range starts low), each free at the moment it is checked."""
    first, last = ephemeral_range()
    outside = [*range(LOWEST, first), *range(last + 1, 65536)]
    candidates = random.sample(outside, min(len(outside), 400))
    chosen = []
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind((ip, port))
            except OSError:
                continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"no {count} free ports outside {first}-{last} (ip_local_port_range) on {ip}")


class _QuietPorts:
    """Chooses the five ports once, before the first start. A restart keeps them, as
    jupyter_client's own port cache does: jupyter_server's automatic restart of a kernel that
    died does not move its watch of the kernel's activity to new ports, so a kernel restarted on
    new ports would stay "starting" for it and its WebSockets would never open."""

    async def _async_pre_start_kernel(self, **kw):
        if self.transport == "tcp" and not any(getattr(self, name) for name in PORT_NAMES):
            for name, port in zip(PORT_NAMES, quiet_ports(self.ip)):
                setattr(self, name, port)
        self.cache_ports = False  # the provisioner would otherwise pick port-0 ports over ours
        return await super()._async_pre_start_kernel(**kw)


class KernelManager(_QuietPorts, jupyter_client.KernelManager):
    """jupyter_client's blocking KernelManager, on quiet ports."""


class AsyncKernelManager(_QuietPorts, jupyter_client.AsyncKernelManager):
    """jupyter_client's AsyncKernelManager (nbclient's default), on quiet ports."""


def start_new_kernel(startup_timeout=60, kernel_name="java", **kwargs):
    """jupyter_client.manager.start_new_kernel on quiet ports: (manager, client), ready."""
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def pythonpath():
    """PYTHONPATH for a process that names kernel_ports in an option: this folder, then any
    PYTHONPATH already set."""
    return os.pathsep.join(filter(None, [os.path.dirname(os.path.abspath(__file__)), os.environ.get("PYTHONPATH")]))


def nbgrader_autograde_option():
    """The command-line option that gives `nbgrader autograde` its Execute step on quiet ports.

    nbgrader's Execute passes its kernel manager class as an argument, which config cannot
    override, so the option replaces that step of Autograde's list by kernel_ports.NbgraderExecute
    (tools/ must be on PYTHONPATH) and keeps the other steps as they are."""
    from nbgrader.converters.autograde import Autograde

    steps = [("kernel_ports.NbgraderExecute" if cls.__name__ == "Execute" else f"{cls.__module__}.{cls.__name__}")
             for cls in Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default()]
    assert "kernel_ports.NbgraderExecute" in steps, steps
    return "--Autograde.autograde_preprocessors=" + repr(steps)


def __getattr__(name):
    """Classes for Jupyter's servers and nbgrader, named in their options as kernel_ports.NAME;
    made on first use, so that importing this module needs neither.

      ServerKernelManager   jupyter_server's, for a Jupyter server (JupyterLab, a JupyterHub
                            learner's server): --AsyncMappingKernelManager.kernel_manager_class=
                            kernel_ports.ServerKernelManager
      NbgraderExecute       nbgrader autograde's Execute step (nbgrader_autograde_option)
    """
    if name == "ServerKernelManager":
        from jupyter_server.services.kernels.kernelmanager import ServerKernelManager as Base

        made = type("ServerKernelManager", (_QuietPorts, Base), {"__module__": __name__})
    elif name == "NbgraderExecute":
        from nbgrader.preprocessors import Execute as Base

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", AsyncKernelManager)
            Base.__init__(self, *args, **kwargs)

        made = type("NbgraderExecute", (Base,), {"__module__": __name__, "__init__": __init__})
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = made
    return made
