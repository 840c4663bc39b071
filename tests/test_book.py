"""The course's website (`make book`): built from the repository, one page per notebook, no
error output and no answer published, every internal link and image resolving, and the home page
and a chapter page as Chromium shows them from file:// (screenshots in test-output/).

The build executes every notebook: one to three minutes on two cores, depending on the load.
With BOOK_EXECUTED=DIR it renders the notebooks already executed in DIR instead (tools/book.py).
"""
import glob
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

import processes
from conftest import NOTEBOOKS, ROOT, run_logged

sys.path.insert(0, os.path.join(ROOT, "tools"))
import binder_link  # noqa: E402
import book  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REMOTE, REF = "https://github.com/example/pipes-and-processes", "main"
CHAPTER = "05-process-tree"  # code, prose and a live picture (the process tree)
SCREENSHOTS = os.path.join(ROOT, "test-output")
NAMES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "[0-9][0-9]-*.ipynb")))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "book"
    log = out.parent / "build.log"
    code, tail, took = run_logged([sys.executable, os.path.join(ROOT, "tools", "book.py"), "--out", str(out),
                                   "--remote", REMOTE, "--ref", REF], str(log), timeout=600)
    assert code == 0, f"make book failed:\n{tail}"
    print(f"book built in {took:.0f} s")
    return out


def pages(site):
    return sorted(glob.glob(os.path.join(site, "*.html")))


def soup(path):
    with open(path, encoding="utf-8") as f:
        return BeautifulSoup(f.read(), "html.parser")


def test_every_notebook_has_a_page_in_course_order(site):
    for name in NAMES:
        stem = name[: -len(".ipynb")]
        assert (site / f"{stem}.html").is_file(), f"no page for {name}"
        downloaded = nbformat.read(site / "notebooks" / name, as_version=4)
        assert downloaded.metadata["kernelspec"]["name"] == "java"
    home = soup(site / "index.html")
    assert home.find("meta", attrs={"http-equiv": "refresh"})["content"].endswith("url=00-index.html")
    sidebar = soup(site / "00-index.html").select("nav.bd-docs-nav a.reference.internal")
    listed = [a["href"] for a in sidebar if a["href"] not in ("#", "00-index.html")]
    assert listed == [n[: -len(".ipynb")] + ".html" for n in NAMES[1:]], listed


def test_no_page_shows_an_error_output_or_an_answer(site):
    for path in pages(site):
        page = soup(path)
        shown = page.select(".cell_output .error, .cell_output .traceback, .cell_output .stderr")
        assert not shown, f"{os.path.basename(path)}: {[e.get_text()[:200] for e in shown]}"
    for name in NAMES:
        page = soup(site / (name[: -len(".ipynb")] + ".html"))
        text = " ".join(page.get_text().split())
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, name
        source = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
        for cell in source.cells:
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            for region in book.SOLUTION.finditer(cell.source):
                lines = [l.strip() for l in region[0].splitlines()[1:-1] if len(l.strip()) > 12]
                answer = " ".join(" ".join(lines).split())
                assert not answer or answer not in text, f"{name}: an answer is published:\n{answer}"
        checks = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
        notes = page.select(".solved-note")
        assert len(notes) >= len(checks), f"{name}: {len(checks)} checks, {len(notes)} notes"
        for note in notes:
            assert "✔ Correct." in note.get_text() or "by hand" in note.get_text(), note.get_text()


def test_every_internal_link_and_image_resolves(site):
    ids = {}

    def ids_of(path):
        if path not in ids:
            ids[path] = {e["id"] for e in soup(path).find_all(id=True)}
        return ids[path]

    broken, checked = [], 0
    for path in pages(site):
        for tag, attr in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"), ("source", "src")):
            for element in soup(path).find_all(tag):
                target = element.get(attr)
                if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    continue  # absolute (Binder, external) or data: URLs
                parts = urlsplit(target)
                file = os.path.normpath(os.path.join(os.path.dirname(path), unquote(parts.path))) if parts.path else path
                checked += 1
                if not os.path.exists(file):
                    broken.append(f"{os.path.relpath(path, site)}: {tag} {target}")
                elif parts.fragment and file.endswith(".html") and unquote(parts.fragment) not in ids_of(file):
                    broken.append(f"{os.path.relpath(path, site)}: {tag} {target} (no such anchor)")
    assert not broken, "\n".join(broken[:30])
    assert checked > 100, checked


def test_a_fresh_clone_builds_the_site(site, tmp_path):
    """What is committed is enough: a clone renders the notebooks executed above. Its remote is a
    local path, so each page says why there is no Binder link and how to get one."""
    clone = tmp_path / "clone"
    done = subprocess.run(["git", "clone", "-q", ROOT, str(clone)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    os.symlink(os.path.join(ROOT, "lib", "target"), clone / "lib" / "target")  # the jar `make setup` builds
    out = tmp_path / "book"
    code, tail, _ = run_logged([sys.executable, str(clone / "tools" / "book.py"), "--out", str(out),
                                "--executed", str(site) + "-src"], str(tmp_path / "build.log"), timeout=300,
                               cwd=str(clone))
    assert code == 0, f"the build from a fresh clone failed:\n{tail}"
    assert sorted(p.name for p in out.glob("[0-9][0-9]-*.html")) == [n[: -len(".ipynb")] + ".html" for n in NAMES]
    missing = soup(out / "02-pipe1.html").select_one(".binder-missing")
    assert missing and "make book REMOTE=https://github.com/OWNER/REPO" in missing.get_text(), missing


def test_binder_link_needs_a_public_remote():
    names = ["00-index.ipynb", "02-pipe1.ipynb"]
    made = book.links(names, REMOTE, REF)
    assert made["binder"]["02-pipe1"] == \
        "https://mybinder.org/v2/gh/example/pipes-and-processes/main?urlpath=lab%2Ftree%2Fnotebooks%2F02-pipe1.ipynb"
    for remote in ("", "/work/some/clone"):
        made = book.links(names, remote, REF)
        assert made["binder"] == {} and "REMOTE=https://github.com/OWNER/REPO" in made["missing"], made


def test_home_and_a_chapter_in_chromium(site):
    from playwright.sync_api import expect, sync_playwright

    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
    os.makedirs(SCREENSHOTS, exist_ok=True)
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.set_default_timeout(30_000)
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url) if "/_static/" in r.url or "/_images/" in r.url else None)

            # Home: index.html opens the course index; the sidebar lists the chapters in order.
            page.goto((site / "index.html").as_uri())
            page.wait_for_url(re.compile(r"00-index\.html$"))
            expect(page.locator("article h1").first).to_contain_text("Pipes & Processes")
            chapters = page.locator("nav.bd-docs-nav a.reference.internal")
            assert chapters.count() >= len(NAMES) - 1
            binder = page.locator("a.binder-link")
            assert binder.get_attribute("href") == binder_link.binder_url(
                REMOTE, REF, binder_link.notebook_urlpath("00-index.ipynb"))
            page.screenshot(path=os.path.join(SCREENSHOTS, "book-home.png"))

            # A chapter: text, Java code highlighted, a picture drawn from the live system.
            chapters.filter(has_text=re.compile(r"process tree", re.I)).first.click()
            page.wait_for_url(re.compile(rf"{CHAPTER}\.html$"))
            expect(page.locator("article h1").first).to_contain_text("zombies")
            expect(page.locator("article p").first).to_be_visible()
            code = page.locator("article div.highlight-java pre")
            assert code.count() > 3
            expect(code.filter(has_text="ProcessTree").first).to_be_visible()
            assert page.locator("article div.highlight-java pre span.n").count() > 10, "Java not highlighted"
            pictures = page.locator("article .cell_output img")
            assert pictures.count() > 0, "no picture output on the chapter page"
            pictures.first.scroll_into_view_if_needed()
            widths = page.evaluate("""() => [...document.querySelectorAll('article img')]
                                       .map(i => i.complete ? i.naturalWidth : 0)""")
            assert widths and all(w > 0 for w in widths), f"a picture did not render: {widths}"
            href = page.locator("a.binder-link").get_attribute("href")
            assert re.fullmatch(r"https://mybinder\.org/v2/gh/example/pipes-and-processes/main"
                                rf"\?urlpath=lab%2Ftree%2Fnotebooks%2F{CHAPTER}\.ipynb", href), href
            download = page.locator("a.download-link")
            assert download.get_attribute("href") == f"notebooks/{CHAPTER}.ipynb"
            with open(site / "notebooks" / f"{CHAPTER}.ipynb", encoding="utf-8") as f:
                assert json.load(f)["metadata"]["kernelspec"]["name"] == "java"
            pictures.nth(min(1, pictures.count() - 1)).scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SCREENSHOTS, f"book-{CHAPTER}.png"))

            # Search works from file:// too (the index is a script, not a fetched file).
            page.goto((site / "search.html").as_uri() + "?q=zombie")
            expect(page.locator("#search-results li").first).to_be_visible()
            assert not failed, f"files the pages ask for but the site lacks: {failed}"
        finally:
            browser.close()
    for shot in ("book-home.png", f"book-{CHAPTER}.png"):
        assert os.path.getsize(os.path.join(SCREENSHOTS, shot)) > 10_000
    print(f"site in Chromium: {time.monotonic() - started:.1f} s")


def test_no_browser_left_running():
    me = os.getpid()
    left = [p for p in processes.descendants(me) if "chrom" in p[3] or "playwright" in p[3]]
    assert not left, f"browser processes still running: {left}"
