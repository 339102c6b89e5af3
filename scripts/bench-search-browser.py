#!/usr/bin/env python3
"""Time from a keystroke to results in the header's search box, in headless
Chromium with the CPU slowed (4x by default), on a built site.

Usage: scripts/bench-search-browser.py BUILT_SITE [--rate 4] [--runs 5]
       [--page /manual.html] [--query WORDS ...]

Serves BUILT_SITE with `python3 -m http.server`, drives Chromium through
ChromeDriver's WebDriver API (no client library), slows the CPU with the
DevTools command Emulation.setCPUThrottlingRate, and for each query types
all but its last character, waits for results, then types the last one and
measures, in the page, from the input event to the results list changing.
The first query also reports the cold time (index files not yet fetched).
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TYPE_AND_TIME = """
const [text, done] = [arguments[0], arguments[arguments.length - 1]];
const input = document.getElementById('site-search-query');
const list = document.getElementById('site-search-options');
const t0 = performance.now();
const watcher = new MutationObserver(() => { watcher.disconnect(); done(performance.now() - t0); });
watcher.observe(list, { childList: true });
input.value = text;
input.dispatchEvent(new Event('input'));
setTimeout(() => done(-1), 20000);
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["value"]


def wait_for_port(port):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--rate", type=float, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", default="/manual.html")
    parser.add_argument("--query", nargs="*", default=["deploy", "monitoring alerts", "certifcate", "rotate keys"])
    args = parser.parse_args()

    web_port, driver_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(web_port), "--bind", "127.0.0.1",
                               "--directory", args.site], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = subprocess.Popen(["chromedriver", f"--port={driver_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp()
    try:
        wait_for_port(web_port)
        wait_for_port(driver_port)
        base = f"http://127.0.0.1:{driver_port}"
        session = call(base, "POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", f"--user-data-dir={profile}"]}}}})["sessionId"]
        s = f"/session/{session}"
        call(base, "POST", s + "/url", {"url": f"http://127.0.0.1:{web_port}{args.page}"})
        call(base, "POST", s + "/goog/cdp/execute",
             {"cmd": "Emulation.setCPUThrottlingRate", "params": {"rate": args.rate}})
        print(f"site {args.site}, CPU slowed {args.rate}x, median of {args.runs}")
        first = True
        for query in args.query:
            if first:
                cold = call(base, "POST", s + "/execute/async", {"script": TYPE_AND_TIME, "args": [query]})
                print(f"  first keystroke, index not yet fetched ('{query}'): {cold:.0f} ms")
                first = False
            times = []
            for _ in range(args.runs):
                call(base, "POST", s + "/execute/async", {"script": TYPE_AND_TIME, "args": [query[:-1]]})
                times.append(call(base, "POST", s + "/execute/async", {"script": TYPE_AND_TIME, "args": [query]}))
            print(f"  '{query}': {statistics.median(times):.0f} ms (runs: {', '.join(f'{t:.0f}' for t in times)})")
        call(base, "DELETE", s)
    finally:
        driver.kill()
        server.kill()


if __name__ == "__main__":
    main()
