"""Serve the PWA from static/: the shell at /, the service worker at /sw.js (scope /)."""
import hashlib
import re
from pathlib import Path

from flask import Blueprint, Response, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
blp = Blueprint("pwa", __name__)
_VERSION_RE = re.compile(r"const CACHE_VERSION = '([^']*)';")
_SHELL_RE = re.compile(r"const SHELL = \[(.*?)\];", re.S)
_stamp_cache = {}


@blp.get("/")
def index():
    return _no_cache(send_from_directory(STATIC_DIR, "index.html"))


@blp.get("/sw.js")
def service_worker():
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    # The cache name carries a digest of every precached file, so any change to the shell is a new
    # version that phones install beside the old one (and offer as "update ready").
    source = _VERSION_RE.sub(lambda m: f"const CACHE_VERSION = '{m.group(1)}-{shell_digest(source)}';", source, count=1)
    return _no_cache(Response(source, mimetype="text/javascript"))


@blp.get("/manifest.webmanifest")
def manifest():
    return send_from_directory(STATIC_DIR, "manifest.webmanifest", mimetype="application/manifest+json")


@blp.get("/static/<path:filename>")
def static_file(filename):
    return send_from_directory(STATIC_DIR, filename)


@blp.get("/api/docs")
def api_docs():
    return send_from_directory(STATIC_DIR, "apidocs.html")


def shell_paths(sw_source):
    """Return the files behind the SHELL urls listed in sw.js."""
    urls = re.findall(r"'([^']+)'", _SHELL_RE.search(sw_source).group(1))
    paths = []
    for url in urls:
        if url == "/":
            paths.append(STATIC_DIR / "index.html")
        elif url.startswith("/static/"):
            paths.append(STATIC_DIR / url[len("/static/"):])
        else:
            paths.append(STATIC_DIR / url.lstrip("/"))
    return paths


def shell_digest(sw_source):
    """Return a short digest of sw.js and the shell files, recomputed only when a file changed."""
    paths = [STATIC_DIR / "sw.js"] + shell_paths(sw_source)
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())
    if key not in _stamp_cache:
        digest = hashlib.sha256()
        for path in paths:
            if path.exists():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _stamp_cache.clear()
        _stamp_cache[key] = digest.hexdigest()[:12]
    return _stamp_cache[key]


def _no_cache(response):
    # The shell and worker must be revalidated so a new version is always noticed.
    response.headers["Cache-Control"] = "no-cache"
    return response
