"""The Binder recipe (binder/) builds a course that runs, checked without a Docker daemon.

repo2docker renders the Dockerfile it would build; then its steps are replayed by hand in a clean
environment: a fresh venv, `pip install -r binder/requirements.txt`, `binder/postBuild` with an
empty HOME, and a notebook executed by that environment's own Jupyter kernel `java` (JJava). A broken recipe fails
here, not in front of a class.
"""
import json
import os
import re
import subprocess
import sys
import time

import nbformat
import pytest

from conftest import ROOT, run_logged

BINDER = os.path.join(ROOT, "binder")
VENV_BIN = os.path.dirname(sys.executable)


def pins(path):
    """{normalised name: version} of a pip requirements file that must pin every line."""
    found = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            match = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", line)
            assert match, f"{os.path.relpath(path, ROOT)}: not pinned with ==: {line!r}"
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def course_jvm_options():
    """The kernel JVM options that `make setup` writes into the kernelspec (tools/kernelspec.py)."""
    with open(os.path.join(ROOT, "tools", "kernelspec.py"), encoding="utf-8") as f:
        match = re.search(r'^JVM_OPTS = "(.*)"$', f.read(), re.M)
    assert match, "tools/kernelspec.py names no JVM_OPTS"
    return match[1]


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The working tree as Binder would get it: the files git tracks or would track."""
    dest = tmp_path_factory.mktemp("binder") / "repo"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout
    dest.mkdir()
    subprocess.run(["tar", "--null", "-T", "-", "-cf", str(dest.parent / "repo.tar")], cwd=ROOT,
                   input=files, check=True)
    subprocess.run(["tar", "-xf", str(dest.parent / "repo.tar"), "-C", str(dest)], check=True)
    return dest


def test_binder_requirements_pin_jupyterlab_and_jjava_as_the_course_does():
    binder = pins(os.path.join(BINDER, "requirements.txt"))
    course = pins(os.path.join(ROOT, "requirements.txt"))
    assert binder["jjava"] == "1.0a8"
    assert binder["jupyterlab"] == course["jupyterlab"]
    differ = {n: (v, course.get(n)) for n, v in binder.items() if course.get(n) != v}
    assert not differ, f"binder/requirements.txt differs from requirements.txt (binder, course): {differ}"


def test_binder_scripts_are_executable_in_git():
    for name in ("postBuild", "start"):
        path = os.path.join("binder", name)
        staged = subprocess.run(["git", "ls-files", "-s", path], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout
        if os.path.exists(os.path.join(ROOT, path)):
            assert os.access(os.path.join(ROOT, path), os.X_OK), f"{path} is not executable"
            assert not staged or staged.startswith("100755"), f"git records {path} without +x: {staged}"


def test_repo2docker_renders_a_dockerfile_with_the_jdk_and_postbuild(repo_copy):
    result = subprocess.run([os.path.join(VENV_BIN, "jupyter-repo2docker"), "--no-build", "--debug",
                             str(repo_copy)], cwd=repo_copy.parent, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    dockerfile = result.stdout
    apt = re.search(r"apt-get install --yes --no-install-recommends ([^&]*)&&", dockerfile)
    assert apt, f"no apt-get install step for binder/apt.txt:\n{dockerfile}"
    packages = apt[1].split()
    assert "openjdk-17-jdk-headless" in packages and "maven" in packages, packages
    # The notebooks compile the chapter's C programs in the cell (package book).
    assert "gcc" in packages and "libc6-dev" in packages, f"Binder's image needs gcc and libc6-dev: {packages}"
    assert "Building conda environment for python=3.11" in result.stderr, result.stderr
    assert re.search(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install .*-r "binder/requirements.txt"$',
                     dockerfile, re.M), dockerfile
    assert re.search(r"^RUN \./binder/postBuild$", dockerfile, re.M), dockerfile
    # Apt runs as root, before the user's steps; postBuild runs as the user, after the copy.
    order = [dockerfile.index(s) for s in ("apt-get install", "pip install", "COPY --chown=0:0 src/ ",
                                           "./binder/postBuild")]
    assert order == sorted(order), order


def run(cmd, env, cwd, timeout, log):
    """Run one build step in its own session; on timeout or failure, stop all of it."""
    code, tail, seconds = run_logged(cmd, log, timeout, env=env, cwd=cwd)
    assert code == 0, f"{cmd[0]} failed ({code}):\n{tail}"
    return seconds


def test_binder_steps_build_a_course_whose_notebooks_run(repo_copy, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    log = tmp_path / "build.log"
    # Only what a Binder image has: no variables from make, no course venv on PATH, an empty HOME.
    # The pip and Maven download caches are shared with the course's own setup to save time:
    # they hold the same pinned files a fresh download would give.
    pip_cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True,
                               text=True).stdout.strip()
    env = {
        "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "MAVEN_OPTS": f"-Dmaven.repo.local={os.path.expanduser('~/.m2/repository')}",
    }
    if pip_cache and os.path.isdir(pip_cache):
        env["PIP_CACHE_DIR"] = pip_cache

    timings = {}
    # The Python the course's venv was made from (Binder's is a 3.11 as well, per runtime.txt).
    python = os.path.join(sys.base_prefix, "bin", "python3")
    timings["venv"] = run([python, "-m", "venv", str(venv)], env, tmp_path, 120, log)
    timings["pip install"] = run([f"{venv}/bin/pip", "install", "--quiet", "--disable-pip-version-check",
                                  "-r", "binder/requirements.txt"], env, repo_copy, 600, log)
    timings["postBuild"] = run(["./binder/postBuild"], env, repo_copy, 600, log)
    assert (repo_copy / "lib/target/ipclab.jar").stat().st_size > 100_000
    assert not (home / ".m2").exists(), "postBuild left Maven's download cache in the image"

    # The Jupyter kernel `java` is the environment's own, pinned to the JDK that has javac.
    specs = json.loads(subprocess.run([f"{venv}/bin/jupyter", "kernelspec", "list", "--json"], env=env,
                                      capture_output=True, text=True, check=True).stdout)["kernelspecs"]
    java = specs["java"]
    assert java["resource_dir"].startswith(str(venv)), java["resource_dir"]
    jdk = os.path.dirname(os.path.dirname(os.path.realpath("/usr/bin/javac")))
    assert java["spec"]["argv"][0] == f"{jdk}/bin/java"
    assert java["spec"]["env"]["JJAVA_JVM_OPTS"] == course_jvm_options()

    # New notebooks default to `java` in that environment's server.
    shown = subprocess.run([f"{venv}/bin/jupyter", "server", "--show-config-json"], env=env, cwd=repo_copy,
                           capture_output=True, text=True, timeout=120)
    assert json.loads(shown.stdout)["MultiKernelManager"]["default_kernel_name"] == "java", shown.stderr

    # A notebook runs as it is, on that JJava kernel: the jar, the %%fork extension, a child JVM.
    notebook = repo_copy / "notebooks" / "01-separate-memory.ipynb"
    timings["notebook"] = run([f"{venv}/bin/jupyter", "execute", "--inplace", "--timeout=180",
                               "--startup_timeout=180", str(notebook)], env, notebook.parent, 420, log)
    nb = nbformat.read(notebook, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert re.search(r"child  \(pid \d+\): bread = 1", text), text
    assert "parent: bread = 0" in text, text
    print("Binder steps:", ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))


@pytest.mark.parametrize("remote, spec", [
    ("https://github.com/someone/pipes-and-processes.git", "gh/someone/pipes-and-processes"),
    ("git@github.com:someone/pipes-and-processes.git", "gh/someone/pipes-and-processes"),
    ("https://gitlab.com/group/sub/pipes.git", "gl/group%2Fsub%2Fpipes"),
    ("https://codeberg.org/someone/pipes", "git/https%3A%2F%2Fcodeberg.org%2Fsomeone%2Fpipes.git"),
])
def test_binder_link_follows_the_git_remote_and_opens_both_indexes(tmp_path, remote, spec):
    clone = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", "-b", "teaching", str(clone)], check=True)
    subprocess.run(["git", "remote", "add", "origin", remote], cwd=clone, check=True)
    shown = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "binder_link.py")], cwd=clone,
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    url = f"https://mybinder.org/v2/{spec}/teaching?urlpath=lab%2Ftree%2Fnotebooks%2F00-index.ipynb"
    zh = f"https://mybinder.org/v2/{spec}/teaching?urlpath=lab%2Ftree%2Fnotebooks%2Fzh-CN%2F00-index.ipynb"
    assert shown.stdout.splitlines() == [url, f"Badge for a README: [![Binder](https://mybinder.org/badge_logo.svg)]({url})",
                                         f"中文版 (the Chinese edition): {zh}",
                                         f"Badge for a README: [![Binder 中文版](https://mybinder.org/badge_logo.svg)]({zh})"]


def test_binder_link_says_in_one_line_what_is_missing(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for extra in ([], ["--remote", "/srv/git/course.git"]):
        shown = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "binder_link.py"), *extra],
                               cwd=tmp_path, capture_output=True, text=True)
        assert shown.returncode == 1 and not shown.stdout
        assert len(shown.stderr.strip().splitlines()) == 1 and shown.stderr.startswith("binder-link: "), shown.stderr
    via_make = subprocess.run(["make", "-s", "--no-print-directory", "binder-link",
                               "REMOTE=https://github.com/someone/course", "REF=main"], cwd=ROOT,
                              capture_output=True, text=True)
    assert via_make.stdout.startswith("https://mybinder.org/v2/gh/someone/course/main?urlpath="), via_make
