"""A learner's view: JupyterLab from the course's environment, in Debian's Chromium.

Starts JupyterLab on 127.0.0.1 with a token, opens a course notebook, runs all cells from the
Run menu, checks what the page shows and what JupyterLab saved, and leaves a screenshot in
test-output/. Playwright drives the system Chromium (it cannot download its own browser here).
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

import processes
from conftest import NOTEBOOKS, ROOT, stop_process_tree

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = "02-pipe1.ipynb"
# What the page must show after "Run All Cells", by cell tag (a regular expression on its text).
EXPECT = {
    "pipe1-read": r"^Who are you\?$",
    "ex-eof-check": r"^✔ Correct\.",
    "cleanup": r"children not yet reaped: 0",
}
SCREENSHOTS = os.path.join(ROOT, "test-output")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a scratch copy of the notebook (the course's files stay untouched)."""
    work = tmp_path / "course"
    (work / "notebooks").mkdir(parents=True)
    shutil.copy(os.path.join(NOTEBOOKS, NOTEBOOK), work / "notebooks" / NOTEBOOK)
    os.symlink(os.path.join(ROOT, "lib"), work / "lib")  # for %classpath ../lib/target/ipclab.jar
    # The prose's diagrams, copied: Jupyter's file handler does not follow a link out of its root.
    shutil.copytree(os.path.join(NOTEBOOKS, "figures"), work / "notebooks" / "figures")
    # A fresh user's settings, less the "official Jupyter news?" prompt (it asks the internet).
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           # The course's server settings, as `make lab` uses them.
           "JUPYTER_CONFIG_PATH": os.path.join(ROOT, "etc", "jupyter")}
    cmd = [os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "wb")
    server = subprocess.Popen(cmd, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, f"jupyter lab exited:\n{(tmp_path / 'lab.log').read_text()[-3000:]}"
            try:
                get_json(f"{base}/api/status?token={token}")
                break
            except OSError:
                assert time.monotonic() < deadline, "jupyter lab did not answer within 90 s"
                time.sleep(0.3)
        yield base, token, work
    finally:
        stop_process_tree(server, grace=30)
        log.close()


def test_new_notebooks_default_to_the_java_kernel(lab):
    base, token, _ = lab
    specs = get_json(f"{base}/api/kernelspecs?token={token}")
    assert specs["default"] == "java", specs["default"]
    assert "java" in specs["kernelspecs"]


def test_notebook_runs_all_cells_in_chromium(lab):
    from playwright.sync_api import expect, sync_playwright

    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: install the package chromium (make test does, as root with apt-get)"
    base, token, work = lab
    saved = work / "notebooks" / NOTEBOOK
    code_cells = sum(1 for c in nbformat.read(saved, as_version=4).cells if c.cell_type == "code")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    shot = os.path.join(SCREENSHOTS, f"browser-{NOTEBOOK[:-len('.ipynb')]}.png")
    if os.path.exists(shot):
        os.remove(shot)

    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{base}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
            status = page.locator(".jp-StatusBar-Widget")
            expect(status).to_contain_text(re.compile(r"Java \(jjava\) \| Idle"), timeout=120_000)

            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()

            # Done when every code cell shows an execution count and the notebook's kernel is idle again.
            page.wait_for_function(
                """n => {
                    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                }""", arg=code_cells, timeout=240_000, polling=500)
            expect(status).to_contain_text(re.compile(r"Java \(jjava\) \| Idle"), timeout=60_000)
            outputs = page.locator(".jp-OutputArea-output")
            assert outputs.count() > 0
            shown = page.locator(".jp-Notebook").text_content()  # also cells scrolled out of view
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            error_texts = [errors.nth(i).text_content() for i in range(errors.count())]
            # The diagrams in the prose: each image that has finished loading must have drawn.
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-RenderedMarkdown img')].every(i => i.complete)",
                timeout=30_000)
            images = page.evaluate(
                "() => [...document.querySelectorAll('.jp-RenderedMarkdown img')]"
                ".map(i => [i.getAttribute('src'), i.naturalWidth])")

            page.keyboard.press("Control+s")
            page.wait_for_function(
                "() => !document.querySelector('.jp-mod-current .jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty')",
                timeout=30_000)
            page.screenshot(path=shot, full_page=True)
        finally:
            browser.close()
    elapsed = time.monotonic() - started

    assert not error_texts, f"error or stderr output in the page: {error_texts}"
    assert images, "the page shows none of the notebook's diagrams"
    broken = [src for src, width in images if not width]
    assert not broken, f"diagrams that did not load: {broken}"
    for pattern in (r"Who are you\?", r"✔ Correct\."):
        assert re.search(pattern, shown), f"the page does not show /{pattern}/"

    nb = nbformat.read(saved, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert all(counts) and counts == sorted(counts), f"not every cell ran, in order: {counts}"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            allowed = "raises-exception" in cell.metadata.get("tags", [])
            assert out.output_type != "error" or allowed, f"error output in the saved notebook: {out}"
    tagged = {t: c for c in nb.cells for t in c.metadata.get("tags", [])}
    for tag, pattern in EXPECT.items():
        text = "".join(o.get("text", "") for o in tagged[tag].outputs)
        assert re.search(pattern, text, re.M), f"[{tag}] saved output does not match /{pattern}/: {text!r}"
    assert os.path.getsize(shot) > 10_000
    print(f"browser run of {NOTEBOOK}: {elapsed:.1f} s, screenshot {os.path.relpath(shot, ROOT)}")


def test_no_browser_left_running():
    me = os.getpid()
    left = [p for p in processes.descendants(me) if "chrom" in p[3] or "playwright" in p[3]]
    assert not left, f"browser processes still running: {left}"
