#!/usr/bin/env python3
"""Page weight of built sites: median and 95th percentile of the pages'
HTML, raw and gzipped (level 6, as web servers commonly send it).

Usage: page-weight.py NAME=DIR [NAME=DIR ...]
Only pages under manual/ are counted, so sites built by different tools
are compared page for page.
"""
import gzip
import os
import statistics
import sys


def weights(root):
    raw, packed = [], []
    for folder, _, files in os.walk(os.path.join(root, "manual")):
        for name in files:
            if name.endswith(".html"):
                with open(os.path.join(folder, name), "rb") as f:
                    data = f.read()
                raw.append(len(data))
                packed.append(len(gzip.compress(data, 6)))
    return raw, packed


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    print("| site | pages | median | 95th percentile | median gzip | 95th percentile gzip |")
    print("|---|---|---|---|---|---|")
    for arg in sys.argv[1:]:
        name, root = arg.split("=", 1)
        raw, packed = weights(root)
        kb = lambda n: f"{n / 1024:.1f} KB"
        print(f"| {name} | {len(raw):,} | {kb(statistics.median(raw))} | {kb(percentile(raw, 95))} "
              f"| {kb(statistics.median(packed))} | {kb(percentile(packed, 95))} |")


if __name__ == "__main__":
    main()
