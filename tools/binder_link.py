#!/usr/bin/env python3
"""Print the mybinder.org launch link for this clone's git remote, opening the course index.

The repository's public address is not fixed, so the link is made from `git remote`:
    python3 tools/binder_link.py [--remote URL] [--ref BRANCH] [--badge]
"""
import argparse
import re
import subprocess
import sys
from urllib.parse import quote

BINDER = "https://mybinder.org/v2"
INDEX = "lab/tree/notebooks/00-index.ipynb"
INDEX_ZH = "lab/tree/notebooks/zh-CN/00-index.ipynb"  # the Chinese edition's index
BADGE = "https://mybinder.org/badge_logo.svg"


class LinkError(Exception):
    pass


def git(*args):
    result = subprocess.run(["git", *args], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def provider_path(remote):
    """mybinder.org's provider and repository spec for a git remote URL."""
    match = re.fullmatch(r"(?:https?://(?:[^@/]+@)?|ssh://(?:[^@/]+@)?|[^@/:]+@)([^/:]+)[:/](.+?)(?:\.git)?/?",
                         remote)
    if not match:
        raise LinkError(f"binder-link: '{remote}' is not a public git address (want https://HOST/OWNER/REPO)")
    host, path = match[1].lower(), match[2].strip("/")
    if host == "github.com" and path.count("/") == 1:
        return f"gh/{path}"
    if host == "gitlab.com":
        return f"gl/{quote(path, safe='')}"
    return f"git/{quote(f'https://{host}/{path}.git', safe='')}"


def binder_url(remote, ref, urlpath=INDEX):
    """The launch link; urlpath is what JupyterLab opens (default: the course index)."""
    return f"{BINDER}/{provider_path(remote)}/{quote(ref, safe='')}?urlpath={quote(urlpath, safe='')}"


def notebook_urlpath(name):
    """JupyterLab's path to a course notebook, e.g. lab/tree/notebooks/02-pipe1.ipynb."""
    return f"lab/tree/notebooks/{name}"


def default_remote():
    """The remote 'origin', else the first remote, else ''."""
    return git("remote", "get-url", "origin") or git("remote", "get-url", (git("remote").split() or [""])[0])


def default_ref():
    return git("symbolic-ref", "--short", "-q", "HEAD") or "HEAD"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remote", help="git URL of the public repository (default: the remote 'origin')")
    parser.add_argument("--ref", help="branch, tag or commit to launch (default: the current branch)")
    args = parser.parse_args(argv)

    remote = args.remote or default_remote()
    if not remote:
        print("binder-link: this clone has no git remote; pass REMOTE=https://github.com/OWNER/REPO", file=sys.stderr)
        return 1
    ref = args.ref or default_ref()
    try:
        url = binder_url(remote, ref)
    except LinkError as e:
        print(e, file=sys.stderr)
        return 1
    print(url)
    print(f"Badge for a README: [![Binder]({BADGE})]({url})")
    zh = binder_url(remote, ref, INDEX_ZH)
    print(f"中文版 (the Chinese edition): {zh}")
    print(f"Badge for a README: [![Binder 中文版]({BADGE})]({zh})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
