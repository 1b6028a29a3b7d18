"""Print the PWA shell's compressed size: gzip -9 of every precached file except the chart library.

The precache list is read from static/sw.js (SHELL), so the number follows what phones download.
Usage: python bench/shell_size.py [--markdown]
"""
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
TARGET = 200 * 1024
EXCLUDED = ("/static/vendor/chart.umd.min.js",)


def shell_urls():
    source = (STATIC / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", block)


def path_of(url):
    if url == "/":
        return STATIC / "index.html"
    if url == "/manifest.webmanifest":
        return STATIC / "manifest.webmanifest"
    return STATIC / url[len("/static/"):]


def sizes():
    rows = []
    for url in shell_urls():
        data = path_of(url).read_bytes()
        rows.append((url, len(data), len(gzip.compress(data, 9)), url in EXCLUDED))
    return rows


def main():
    rows = sizes()
    shell = [r for r in rows if not r[3]]
    raw, gz = sum(r[1] for r in shell), sum(r[2] for r in shell)
    chart = [r for r in rows if r[3]]
    for url, size, packed, excluded in sorted(rows, key=lambda r: -r[2]):
        print(f"{packed / 1024:8.1f} KB gz {size / 1024:8.1f} KB raw  {url}{'  (excluded: chart library)' if excluded else ''}")
    print(f"shell without chart library: {len(shell)} files, {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzip "
          f"(target {TARGET // 1024} KB: {'met' if gz <= TARGET else 'NOT met'})")
    if chart:
        print(f"chart library: {chart[0][2] / 1024:.1f} KB gzip (precached, loaded on the dashboard only)")
    return gz


if __name__ == "__main__":
    sys.exit(0 if main() <= TARGET else 1)
