#!/usr/bin/env python3
"""What search costs: build time with and without `enable_search`, and the
size of the index it writes.

Usage: scripts/bench-search.py SITE_DIR [--runs 5] [--query WORD ...]

SITE_DIR holds `source/` (e.g. from scripts/generate-site.py) or is a source
folder itself. Builds (release binary, --skip-check, output in a temporary
folder in /dev/shm unless --tmp DIR) alternate between search off and on, RUNS times each, so both see
the same machine load; prints the median wall times, the index's size
(files, bytes, gzip bytes) and what a reader downloads for each query word:
pages.json plus the word's shard.
"""
import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "manual")


def build(source, config, out):
    start = time.perf_counter()
    subprocess.run(
        [BINARY, "build", "--skip-check", "--source", source, "--config", config, "--out", out],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def shard_of(term):
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in term[:2])


def size(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(data), len(gzip.compress(data))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", nargs="*", default=["deploy", "certificate"])
    # Output in memory by default: disk writes on a shared machine are the
    # noisiest part of a build and the same with or without search.
    parser.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    args = parser.parse_args()
    source = os.path.join(args.site, "source")
    if not os.path.isdir(source):
        source = args.site
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    pages = sum(1 for _, _, files in os.walk(source) for f in files if ".md" in f)

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        off, on = os.path.join(tmp, "off.yml"), os.path.join(tmp, "on.yml")
        with open(off, "w") as f:
            f.write("service_name: Bench\n")
        with open(on, "w") as f:
            f.write("service_name: Bench\nenable_search: true\n")
        times = {"off": [], "on": []}
        for _ in range(args.runs):
            for label, config in (("off", off), ("on", on)):
                times[label].append(build(source, config, os.path.join(tmp, label)))
        off_s, on_s = statistics.median(times["off"]), statistics.median(times["on"])
        print(f"pages: {pages}; runs: {args.runs}")
        print(f"build without search: median {off_s:.3f} s")
        print(f"build with search:    median {on_s:.3f} s (+{on_s - off_s:.3f} s, "
              f"{(on_s / off_s - 1) * 100:.0f}%)")

        index = os.path.join(tmp, "on", "search")
        files = sorted(os.listdir(index))
        raw = [size(os.path.join(index, f)) for f in files]
        shards = [s for f, s in zip(files, raw) if f.startswith("terms-")]
        pages_json = size(os.path.join(index, "pages.json"))
        print(f"index: {len(files)} files, {sum(r for r, _ in raw) / 1e6:.2f} MB "
              f"({sum(g for _, g in raw) / 1e6:.2f} MB gzip)")
        print(f"pages.json: {pages_json[0] / 1e3:.0f} kB ({pages_json[1] / 1e3:.0f} kB gzip)")
        print(f"shards: {len(shards)}, median {statistics.median(r for r, _ in shards) / 1e3:.1f} kB, "
              f"largest {max(r for r, _ in shards) / 1e3:.0f} kB "
              f"({max(g for _, g in shards) / 1e3:.0f} kB gzip)")
        for word in args.query:
            shard = os.path.join(index, f"terms-{shard_of(word)}.json")
            if os.path.exists(shard):
                r, g = size(shard)
                print(f"query '{word}': pages.json + {os.path.basename(shard)} = "
                      f"{(pages_json[0] + r) / 1e3:.0f} kB ({(pages_json[1] + g) / 1e3:.0f} kB gzip)")


if __name__ == "__main__":
    sys.exit(main())
