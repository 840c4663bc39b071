# Sphinx settings for the course's website, built by tools/book.py (`make book`).
# The notebooks arrive already executed, so myst-nb only renders them.
import html
import json
import os

from pygments.lexer import inherit
from pygments.lexers.jvm import JavaLexer
from pygments.token import Comment

project = "Pipes & Processes"
author = "the course's authors"
copyright = "the course's authors"
html_title = "Pipes & Processes"

extensions = ["myst_nb", "sphinx.ext.githubpages"]
root_doc = "00-index"
exclude_patterns = ["_*", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
# The notebooks jump from a title (#) to ### in places; that reads well and is not a fault.
suppress_warnings = ["myst.header"]

nb_execution_mode = "off"          # tools/book.py has run them; publish those outputs
nb_merge_streams = True
highlight_language = "java"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,   # each page has its own notebook link (below)
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "navbar_persistent": [],        # search lives in the sidebar (Ctrl+K)
}
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None

LINKS = {}
if os.environ.get("BOOK_LINKS"):
    with open(os.environ["BOOK_LINKS"], encoding="utf-8") as f:
        LINKS = json.load(f)


class CourseJavaLexer(JavaLexer):
    """Java, plus JJava's magics (%classpath, %%fork) shown as directives, not as operators."""
    aliases = ["java"]
    tokens = {"root": [(r"^%%?[A-Za-z]\w*[^\n]*", Comment.Preproc), inherit]}


def launch_links(app, pagename, templatename, context, doctree):
    """Above every notebook's page: run it on Binder, or download it."""
    if doctree is None or pagename not in LINKS.get("pages", []):
        return
    name = pagename + ".ipynb"
    url = LINKS["binder"].get(pagename)
    if url:
        binder = (f'<a class="binder-link" href="{html.escape(url)}" target="_blank" rel="noopener">'
                  f'<img src="{html.escape(context["pathto"]("_static/binder-badge.svg", 1))}" alt="">'
                  f'Run this notebook on Binder</a>')
    else:
        command = "make book REMOTE=https://github.com/OWNER/REPO"
        why = html.escape(LINKS["missing"]).replace(command, f"<code>{command}</code>")
        binder = f'<span class="binder-link binder-missing">Run on Binder: no link here, because {why}.</span>'
    download = (f'<a class="download-link" href="{html.escape(context["pathto"]("notebooks/" + name, 1))}" '
                f'download="{html.escape(name)}">Download {html.escape(name)}</a>')
    context["body"] = f'<div class="launch-links">{binder}{download}</div>\n' + context["body"]


def setup(app):
    app.add_lexer("java", CourseJavaLexer)
    app.connect("html-page-context", launch_links)
