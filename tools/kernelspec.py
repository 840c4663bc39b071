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

Text is UTF-8 whatever the locale: under LANG=C (CI, many servers) JDK 17's default charset is
US-ASCII, and JJava then hands a cell magic's body (%%fork) to the library with every Chinese
character already turned into '?'. `file.encoding` sets the default charset; `System.out` and
`System.err` follow `sun.stdout.encoding`/`sun.stderr.encoding` when set (JDK 17's
System.initPhase1), else the default charset.
"""
import json
import os
import sys

JVM_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx192m -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8"


def main():
    spec = os.path.join(sys.prefix, "share", "jupyter", "kernels", "java", "kernel.json")
    if not os.path.exists(spec):
        sys.exit(f"setup: no JJava kernelspec at {spec}: is jjava installed in this environment?")
    with open(spec) as f:
        kernel = json.load(f)
    env = kernel.setdefault("env", {})
    if env.get("JJAVA_JVM_OPTS") != JVM_OPTS:
        env["JJAVA_JVM_OPTS"] = JVM_OPTS
        # Written beside it, then renamed: a notebook's kernel starting meanwhile reads one whole file.
        with open(spec + ".new", "w") as f:
            json.dump(kernel, f, indent=2)
            f.write("\n")
        os.replace(spec + ".new", spec)


if __name__ == "__main__":
    main()
