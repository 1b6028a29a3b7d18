"""Serve the PWA from static/: the shell at /, the service worker at /sw.js (scope /)."""
from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
blp = Blueprint("pwa", __name__)


@blp.get("/")
def index():
    return _no_cache(send_from_directory(STATIC_DIR, "index.html"))


@blp.get("/sw.js")
def service_worker():
    return _no_cache(send_from_directory(STATIC_DIR, "sw.js", mimetype="text/javascript"))


@blp.get("/manifest.webmanifest")
def manifest():
    return send_from_directory(STATIC_DIR, "manifest.webmanifest", mimetype="application/manifest+json")


@blp.get("/static/<path:filename>")
def static_file(filename):
    return send_from_directory(STATIC_DIR, filename)


@blp.get("/api/docs")
def api_docs():
    return send_from_directory(STATIC_DIR, "apidocs.html")


def _no_cache(response):
    # The shell and worker must be revalidated so a new version is always noticed.
    response.headers["Cache-Control"] = "no-cache"
    return response
