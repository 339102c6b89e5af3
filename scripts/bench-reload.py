#!/usr/bin/env python3
"""Time from a page save to the live-reload message, for `serve`.

Usage: scripts/bench-reload.py SOURCE_DIR [--edits 20] [--kind edit|new|delete|rename]
                                [--binary PATH]

Copies SOURCE_DIR to a temporary folder (the original is never touched),
starts `manual serve` (release) on the copy, listens to its live-reload
events, then makes EDITS changes of one kind: `edit` changes one page's
body, `new` adds a page, `delete` removes a page (a different one each
time), `rename` renames one. For each change it measures the time from the
file system call returning to the server's next state message, and prints
the median, the slowest and what the server says it rendered. `--binary`
runs another build of `manual` (an older commit's, to compare in turns)
instead of building this checkout's release binary.
"""
import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "manual")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--kind", choices=["edit", "new", "delete", "rename"], default="edit")
    parser.add_argument("--binary", help="the `manual` to run (default: build this checkout's)")
    args = parser.parse_args()
    binary = args.binary or BINARY
    if not args.binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    workspace = tempfile.mkdtemp()
    args.source = shutil.copytree(args.source, os.path.join(workspace, "source"))
    port = free_port()
    server = subprocess.Popen(
        [binary, "-v", "serve", "--source", args.source, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server.stdout.readline()  # "Serving the manual at ..."
    log = []
    threading.Thread(target=lambda: [log.append(l.rstrip()) for l in server.stderr], daemon=True).start()

    arrivals = []
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/__manual/events")
    response = connection.getresponse()

    def listen():
        for line in response:
            if line.startswith(b"event: state"):
                arrivals.append(time.perf_counter())
    threading.Thread(target=listen, daemon=True).start()
    while not arrivals:
        time.sleep(0.01)

    pages = sorted(
        os.path.join(dirpath, name)
        for dirpath, _, names in os.walk(args.source) for name in names if name.endswith(".md"))
    page = pages[len(pages) // 2]
    with open(page, encoding="utf-8") as f:
        original = f.read()
    times = []
    try:
        for i in range(args.edits):
            seen = len(arrivals)
            if args.kind == "edit":
                with open(page, "w", encoding="utf-8") as f:
                    f.write(original + f"\nEdit number {i}.\n")
            elif args.kind == "new":
                with open(os.path.join(os.path.dirname(page), f"bench-new-{i}.html.md"), "w",
                          encoding="utf-8") as f:
                    f.write(original.replace("title: ", f"title: New {i} ", 1))
            elif args.kind == "delete":
                os.remove(pages[i])
            else:
                os.rename(pages[i], pages[i].replace(".html.md", f"-renamed.html.md"))
            written = time.perf_counter()
            deadline = written + 30
            while len(arrivals) == seen and time.perf_counter() < deadline:
                time.sleep(0.001)
            if len(arrivals) == seen:
                sys.exit("no reload message within 30 s")
            times.append((arrivals[seen] - written) * 1000)
            time.sleep(0.3)
    finally:
        time.sleep(0.5)
        server.terminate()
        shutil.rmtree(workspace, ignore_errors=True)
    print(f"pages: {len(pages)}; {args.kind}s: {len(times)}; median {statistics.median(times):.0f} ms; "
          f"slowest {max(times):.0f} ms; fastest {min(times):.0f} ms")
    print("server's last lines:", *log[-12:], sep="\n  ")


if __name__ == "__main__":
    main()
