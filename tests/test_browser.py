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

import kernel_ports

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
# The Chinese edition's twin, with Chinese in its prose and in its outputs (the library's messages).
ZH_NOTEBOOK = "zh-CN/02-pipe1.ipynb"
ZH_SHOWN = [r"两个进程之间的管道", r"等了 300 ms：", r"✔ 正确。"]

# Whether text in the page is drawn with real glyphs: each character drawn alone on a canvas in
# the element's own font (the same font fallback as the page). Without a font for it, every
# character is drawn as the same box (the .notdef glyph), which is also how a character no font
# has (U+0378, unassigned) is drawn. So: distinct pictures for distinct characters, none of them
# the box, and each as wide as a glyph.
GLYPHS_JS = """([selector, text]) => {
    const el = [...document.querySelectorAll(selector)].find(e => e.textContent.includes(text));
    if (!el) return {error: 'no element shows ' + text};
    const font = getComputedStyle(el).font;
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const draw = ch => {
        ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.textBaseline = 'top'; ctx.fillStyle = '#000';
        ctx.fillText(ch, 4, 4);
        return [Array.from(ctx.getImageData(0, 0, 64, 64).data).join(','), ctx.measureText(ch).width];
    };
    const box = draw('\u0378')[0];
    const chars = [...new Set([...text].filter(c => /[\u4e00-\u9fff]/.test(c)))];
    return {font, chars: chars.map(c => { const [pic, width] = draw(c); return [c, pic === box, width, pic.length && pic]; })};
}"""


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
    (work / "notebooks" / "zh-CN").mkdir()
    shutil.copy(os.path.join(NOTEBOOKS, ZH_NOTEBOOK), work / "notebooks" / ZH_NOTEBOOK)
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
           "JUPYTER_CONFIG_PATH": os.path.join(ROOT, "etc", "jupyter"),
           # Kernels on ports the other stages' connections cannot take first (tools/kernel_ports.py).
           "PYTHONPATH": kernel_ports.pythonpath()}
    cmd = [os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly",
           "--AsyncMappingKernelManager.kernel_manager_class=kernel_ports.ServerKernelManager"]
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


def run_all_cells(browser, url, code_cells):
    """Opens the notebook at url in JupyterLab, runs *Run All Cells* from the menu, and returns the
    page once every code cell shows an execution count and the notebook's kernel is idle again."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(url)
    status = page.locator(".jp-StatusBar-Widget")
    expect(status).to_contain_text(re.compile(r"Java \(jjava\) \| Idle"), timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    page.wait_for_function(
        """n => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", arg=code_cells, timeout=240_000, polling=500)
    expect(status).to_contain_text(re.compile(r"Java \(jjava\) \| Idle"), timeout=60_000)
    return page


def test_notebook_runs_all_cells_in_chromium(lab):
    from playwright.sync_api import sync_playwright

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
            page = run_all_cells(browser, f"{base}/lab/tree/notebooks/{NOTEBOOK}?token={token}", code_cells)
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


def test_chinese_notebook_shows_glyphs_not_boxes(lab):
    """The Chinese edition in Chromium: its prose and its outputs are drawn with a CJK font
    (tools/prereqs.sh and binder/apt.txt install fonts-noto-cjk), not as boxes."""
    from playwright.sync_api import sync_playwright

    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout.strip()
    assert fonts, "no font for Chinese (fc-list :lang=zh is empty): install fonts-noto-cjk (make test does, as root)"
    base, token, work = lab
    saved = work / "notebooks" / ZH_NOTEBOOK
    code_cells = sum(1 for c in nbformat.read(saved, as_version=4).cells if c.cell_type == "code")
    shot = os.path.join(SCREENSHOTS, "browser-zh-CN-02-pipe1.png")
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = run_all_cells(browser, f"{base}/lab/tree/notebooks/{ZH_NOTEBOOK}?token={token}", code_cells)
            shown = page.locator(".jp-Notebook").text_content()
            prose = page.evaluate(GLYPHS_JS, [".jp-RenderedMarkdown h1", "两个进程之间的管道"])
            output = page.evaluate(GLYPHS_JS, [".jp-OutputArea-output", "正确"])
            page.screenshot(path=shot)
        finally:
            browser.close()
    for pattern in ZH_SHOWN:
        assert re.search(pattern, shown), f"the page does not show /{pattern}/"
    for where, found in (("prose", prose), ("output", output)):
        assert "error" not in found, f"{where}: {found['error']}"
        chars = found["chars"]
        boxes = [c for c, is_box, _, _ in chars if is_box]
        assert chars and not boxes, f"{where} ({found['font']}): drawn as boxes: {boxes}"
        pictures = {pic for _, _, _, pic in chars}
        assert len(pictures) == len(chars), f"{where} ({found['font']}): distinct characters look the same (boxes?)"
        narrow = [(c, w) for c, _, w, _ in chars if w < 8]
        assert not narrow, f"{where} ({found['font']}): glyphs without width: {narrow}"
    print(f"browser run of {ZH_NOTEBOOK}: {time.monotonic() - started:.1f} s, "
          f"CJK glyphs in prose and output ({fonts.splitlines()[0]}), screenshot {os.path.relpath(shot, ROOT)}")


def test_no_browser_left_running():
    me = os.getpid()
    left = [p for p in processes.descendants(me) if "chrom" in p[3] or "playwright" in p[3]]
    assert not left, f"browser processes still running: {left}"
