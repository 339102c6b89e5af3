#!/usr/bin/env python3
"""Time `manual build` and `manual check` (release) on the corpus and on
generated sites.

Usage: scripts/bench-build.py [--runs 5] [--pages 10000 ...] [--corpus DIR] [--tmp DIR]

For each site it runs a clean build, then `check`, RUNS times each and
prints the median wall time, median CPU time (user + sys) and the largest
peak resident memory, as markdown table rows for BENCHMARKS.md. Each run's
numbers come from wait4(2) on the measured process itself.
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


def run_once(argv, allowed_exit=(0,)):
    # stderr goes to a file: a pipe could fill while we wait for the process.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in allowed_exit:
            err.seek(0)
            sys.exit(f"failed: {' '.join(argv)}\n{err.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench(label, pages, argv, out, runs, allowed_exit=(0,)):
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        wall, cpu, mem = run_once(argv, allowed_exit)
        walls.append(wall)
        cpus.append(cpu)
        rss.append(mem)
    wall = statistics.median(walls)
    print(
        f"| {label} | {pages} | {wall:.3f} s | {statistics.median(cpus):.3f} s "
        f"| {max(rss):.0f} MB | {wall / pages * 1e6:.0f} µs | {runs} |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, nargs="*", default=[10000])
    parser.add_argument("--tmp", default=None,
                        help="folder for generated sites and output (e.g. /dev/shm to leave the disk out)")
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "govuk-manual", "source"))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    layouts = os.path.join(ROOT, "layouts")
    print("| site | pages | median wall | median CPU | peak RSS | wall per page | runs |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        out = os.path.join(tmp, "build")
        if os.path.isdir(args.corpus):
            count = sum(1 for _, _, files in os.walk(args.corpus) for f in files if ".md" in f)
            # The corpus has broken links, so it is built with --skip-check and
            # its check exits 1.
            argv = [BINARY, "build", "--skip-check", "--source", args.corpus, "--layouts", layouts, "--out", out]
            bench("build corpus", count, argv, out, args.runs)
            argv = [BINARY, "check", "--source", args.corpus, "--layouts", layouts]
            bench("check corpus", count, argv, out, args.runs, allowed_exit=(0, 1))
        for n in args.pages:
            site = os.path.join(tmp, f"gen{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "generate-site.py"), str(n), site],
                           check=True, stdout=subprocess.DEVNULL)
            source = os.path.join(site, "source")
            argv = [BINARY, "build", "--source", source, "--layouts", layouts, "--out", out]
            bench("build generated", n, argv, out, args.runs)
            argv = [BINARY, "check", "--source", source, "--layouts", layouts]
            bench("check generated", n, argv, out, args.runs)


if __name__ == "__main__":
    main()
