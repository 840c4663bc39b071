"""make bench: runs every bench/bench_*.py in name order with this Python, from the repository
root, passing their output through. Exits non-zero if any of them failed."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    if not scripts:
        print("bench: no bench/bench_*.py found", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        sys.stdout.flush()
        rc = subprocess.run([sys.executable, str(script)], cwd=ROOT).returncode
        if rc != 0:
            failed.append(f"{script.relative_to(ROOT)} (exit {rc})")
    if failed:
        print("bench: failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
