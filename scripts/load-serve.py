#!/usr/bin/env python3
"""`serve` under load while pages are edited.

Usage: scripts/load-serve.py SOURCE_DIR [--seconds 30] [--connections 100]

Copies SOURCE_DIR to a temporary folder, starts `manual serve` (release) on
the copy, and runs wrk (Debian's `wrk`) against every page for SECONDS with
CONNECTIONS connections while this script saves an edit to one page every
0.2 s, alternating an in-place write with an editor-style write to a
temporary file and a rename. Then it saves a last edit and checks that the
served page shows it. It prints requests per second, latency percentiles,
failed requests (non-2xx/3xx and socket errors, from wrk) and the server's
resident memory (start, end, peak, sampled every 0.5 s).
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "manual")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "source")
        shutil.copytree(args.source, source)
        pages = sorted(
            os.path.relpath(os.path.join(d, f), source)
            for d, _, files in os.walk(source) for f in files if f.endswith(".md")
        )
        edited = os.path.join(source, pages[len(pages) // 2])
        with open(edited) as f:
            original = f.read()

        server = subprocess.Popen(
            [BINARY, "serve", "--port", "0", "--source", source,],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            first = server.stdout.readline()
            address = re.search(r"http://([^/]+)/", first).group(1)
            base = f"http://{address}"
            # Every page's address, as the server itself lists them.
            listed = json.load(urllib.request.urlopen(base + "/api/pages.json"))["pages"]
            urls = [p["url"] for p in listed]
            paths = os.path.join(tmp, "paths.txt")
            with open(paths, "w") as f:
                f.write("\n".join(urls) + "\n")
            stem = pages[len(pages) // 2].split("/")[-1].split(".")[0]
            edited_url = next(u for u in urls if u.rsplit("/", 1)[-1].split(".")[0] == stem)
            urllib.request.urlopen(base + edited_url).read()
            time.sleep(1)

            memory = [rss_kib(server.pid)]
            done = threading.Event()

            def sample():
                while not done.wait(0.5):
                    memory.append(rss_kib(server.pid))

            def edit():
                n = 0
                while not done.wait(0.2):
                    n += 1
                    text = original + f"\n\nLoad-test edit {n}.\n"
                    if n % 2:
                        with open(edited, "w") as f:
                            f.write(text)
                    else:
                        temporary = edited + ".tmp~"
                        with open(temporary, "w") as f:
                            f.write(text)
                        os.replace(temporary, edited)
                edit.count = n

            threads = [threading.Thread(target=sample), threading.Thread(target=edit)]
            for t in threads:
                t.start()
            wrk = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                 "-s", os.path.join(ROOT, "scripts", "load-serve.lua"), base],
                env={**os.environ, "PATHS": paths}, capture_output=True, text=True, check=True,
            )
            done.set()
            for t in threads:
                t.join()

            marker = f"Final edit {time.time_ns()}."
            with open(edited, "w") as f:
                f.write(original + f"\n\n{marker}\n")
            saved = time.perf_counter()
            fresh = None
            while time.perf_counter() - saved < 5:
                body = urllib.request.urlopen(base + edited_url).read().decode()
                if marker in body:
                    fresh = time.perf_counter() - saved
                    break
                time.sleep(0.01)
        finally:
            server.terminate()
            server.wait()

    out = wrk.stdout
    print(out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    print(f"requests: {requests}; requests/s: {rps:.0f}; p99 latency: {p99}")
    print(f"non-2xx/3xx responses: {non2xx.group(1) if non2xx else 0}; "
          f"socket errors: {socket_errors.group(1) if socket_errors else 'none'}")
    print(f"edits saved during the run: {edit.count}")
    print(f"last edit served after: {'%.0f ms' % (fresh * 1000) if fresh is not None else 'NOT SEEN within 5 s'}")
    print(f"server RSS: start {memory[0] / 1024:.0f} MiB, end {memory[-1] / 1024:.0f} MiB, "
          f"peak {max(memory) / 1024:.0f} MiB ({len(memory)} samples)")
    if non2xx or socket_errors or fresh is None:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
