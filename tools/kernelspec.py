"""Tunes the JJava kernelspec installed in this Python environment.

The notebook's JVM starts faster with the serial collector and the client compiler alone: a
notebook's cells are short, so start-up matters more than peak speed (about 2.7 s instead of
3.8 s to a ready notebook's kernel on the course's 2-core machines). JJava's launcher reads the
options from JJAVA_JVM_OPTS, which the kernelspec's env block sets for every way the notebook's
kernel (JJava) is started.

Its heap is bounded (-Xmx192m) so that a learner's processes fit Binder's memory: without a bound,
the JVM sizes its heap from the machine's memory (a quarter of it at most, a 64th to start with),
and a notebook's JVM reached 195 to 268 MiB of PSS; with it, 147 to 207 MiB, and the whole course,
echo server included, peaks at about 350 MiB (docs/teaching.md, "Memory").
"""
import json
import os
import sys

JVM_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx192m"


def main():
    spec = os.path.join(sys.prefix, "share", "jupyter", "kernels", "java", "kernel.json")
    if not os.path.exists(spec):
        sys.exit(f"setup: no JJava kernelspec at {spec}: is jjava installed in this environment?")
    with open(spec) as f:
        kernel = json.load(f)
    env = kernel.setdefault("env", {})
    if env.get("JJAVA_JVM_OPTS") != JVM_OPTS:
        env["JJAVA_JVM_OPTS"] = JVM_OPTS
        with open(spec, "w") as f:
            json.dump(kernel, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
